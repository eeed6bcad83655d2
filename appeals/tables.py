"""The request list's columns: the page shows the visible ones, ``?export=xlsx`` writes all."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from appeals.models import Appeal
from core.lists import DateColumn, DateTimeColumn, Table, YesNoColumn


def _badges(*pairs: tuple[bool, str, str]) -> Any:
    return format_html_join("", ' <span class="badge {}">{}</span>', ((c, t) for shown, c, t in pairs if shown))


class AppealTable(Table):
    number = tables.Column(
        verbose_name="编号", accessor="pk", linkify=("appeals:detail", {"pk": tables.A("pk")}), orderable=True
    )
    title = tables.Column(verbose_name="标题")
    organisation = tables.Column(verbose_name="所属工会", accessor="organisation__name")
    category = tables.Column(verbose_name="分类", accessor="category__name")
    channel = tables.Column(verbose_name="渠道")
    state = tables.Column(verbose_name="状态", orderable=True)
    reporter = tables.Column(verbose_name="反映人", accessor="reporter_display", visible=False)
    anonymous = YesNoColumn(verbose_name="匿名", visible=False)
    third_party = YesNoColumn(verbose_name="第三方", visible=False)
    liaison = tables.Column(verbose_name="联络人")
    lead_handler_org = tables.Column(verbose_name="主办单位", accessor="lead_handler_org__name")
    registered_at = DateTimeColumn(verbose_name="登记时间", orderable=True, order_by=("registered_at", "id"))
    contact_deadline = DateTimeColumn(verbose_name="联系时限", visible=False)
    contacted_in_time = YesNoColumn(verbose_name="按时联系", visible=False)
    handling_deadline = DateColumn(verbose_name="办理时限", orderable=True, order_by=("handling_deadline", "id"))
    resolved = YesNoColumn(verbose_name="已解决", visible=False)
    rating = tables.Column(verbose_name="评价")
    reopen_count = tables.Column(verbose_name="重办次数", visible=False)
    overdue = YesNoColumn(verbose_name="曾超时", visible=False)
    invalid = YesNoColumn(verbose_name="无效", visible=False)
    invalid_reason = tables.Column(verbose_name="无效原因", visible=False)

    def render_number(self, record: Appeal) -> str:
        return record.number

    def value_number(self, record: Appeal) -> str:
        return record.number

    def render_title(self, record: Appeal, value: str) -> Any:
        return format_html(
            "{}{}",
            value,
            _badges(
                (record.anonymous, "bg-secondary-lt", "匿名"),
                (record.third_party, "bg-secondary-lt", "第三方"),
                (record.invalid, "bg-dark-lt", "无效"),
            ),
        )

    def value_title(self, value: str) -> str:
        return value

    def render_state(self, record: Appeal, value: str) -> Any:
        return format_html(
            "{}{}",
            value,
            _badges(
                (record.overdue, "bg-red-lt", "超时"),
                (bool(record.reopen_count), "bg-orange-lt", f"重办{record.reopen_count}"),
            ),
        )

    def value_state(self, value: str) -> str:
        return value

    def render_handling_deadline(self, record: Appeal, value: Any) -> Any:
        provisional = mark_safe(  # a constant badge: nothing from the record goes into it
            '<span class="badge bg-yellow-lt ms-1" title="该年放假安排尚未录入，暂按法定节日推算；录入后自动重算"'
            ' data-testid="deadline-provisional">暂定</span>'
        )
        return format_html("{}{}", f"{value:%Y-%m-%d}", provisional if record.handling_deadline_provisional else "")

    def value_handling_deadline(self, value: Any) -> Any:
        return value
