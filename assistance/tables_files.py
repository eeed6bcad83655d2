"""Columns of the file lists: the page and ``?export=xlsx`` alike (no ID or account numbers)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from assistance.models import HardshipFile, LocalStandard
from core.lists import DateColumn, MoneyColumn, Table, YesNoColumn


class FileTable(Table):
    file_no = tables.Column(
        verbose_name="档案编号",
        orderable=True,
        linkify=lambda record: reverse("assistance:file_detail", args=[record.pk]),
    )
    name = tables.Column(verbose_name="姓名", accessor="person__name")
    organisation = tables.Column(verbose_name="所属工会", accessor="organisation__name")
    category = tables.Column(verbose_name="困难类别")
    main_cause = tables.Column(verbose_name="主要致困原因")
    state = tables.Column(verbose_name="状态", orderable=True)
    household_size = tables.Column(verbose_name="家庭人口", visible=False)
    income_per_head = MoneyColumn(verbose_name="月人均收入", visible=False)
    single_parent = YesNoColumn(verbose_name="单亲家庭", visible=False)
    zero_employment = YesNoColumn(verbose_name="零就业家庭", visible=False)
    applied_on = DateColumn(verbose_name="申请日期", orderable=True, order_by=("applied_on", "id"))
    approved_on = DateColumn(verbose_name="建档日期", orderable=True, order_by=("approved_on", "id"))
    last_valid_until = DateColumn(verbose_name="认定有效期至")

    def render_state(self, record: HardshipFile, value: Any) -> Any:
        lapsed = record.state == HardshipFile.State.ACTIVE and getattr(record, "lapsed", False)
        tone = {"active": "bg-green-lt", "rejected": "bg-secondary-lt", "exited": "bg-secondary-lt"}.get(
            record.state, "bg-blue-lt"
        )
        badge = mark_safe(' <span class="badge bg-red-lt">复核逾期</span>') if lapsed else ""
        return format_html('<span class="badge {}">{}</span>{}', tone, value, badge)

    def value_state(self, record: HardshipFile, value: Any) -> str:
        lapsed = record.state == HardshipFile.State.ACTIVE and getattr(record, "lapsed", False)
        return f"{value}（复核逾期）" if lapsed else str(value)


class StatusTable(Table):
    """What assistance.status may know: that a member has a file, and its state."""

    name = tables.Column(verbose_name="姓名", accessor="person__name", orderable=True)
    organisation = tables.Column(verbose_name="所属工会", accessor="organisation__name")
    state = tables.Column(verbose_name="档案状态", orderable=True)


class StandardTable(Table):
    effective_from = DateColumn(verbose_name="生效日期", orderable=True)
    dibao_monthly = MoneyColumn(verbose_name="低保标准（元/人·月）")
    relative_multiple = tables.Column(verbose_name="相对困难倍数")
    relative_line = MoneyColumn(verbose_name="相对困难标准（元）", accessor="relative_line")
    note = tables.Column(verbose_name="依据")
    created_by = tables.Column(verbose_name="录入人")

    class Meta:
        model = LocalStandard
        fields = ()
