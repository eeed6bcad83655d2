"""The survey list's columns: the page and ``?export=xlsx`` alike."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse

from core.lists import DateColumn, Table, YesNoColumn
from surveys.selectors import rate


class SurveyTable(Table):
    title = tables.Column(
        verbose_name="问卷名称", linkify=lambda record: reverse("surveys:detail", args=[record.pk]), orderable=True
    )
    organisation = tables.Column(verbose_name="发起工会", accessor="organisation__name")
    state = tables.Column(verbose_name="状态")
    anonymous = YesNoColumn(verbose_name="匿名")
    sent_on = DateColumn(verbose_name="发放日期", orderable=True, default="未发放")
    closes_on = DateColumn(verbose_name="截止日期", orderable=True)
    sent_count = tables.Column(verbose_name="发放人数", attrs={"td": {"class": "text-end"}})
    answered_count = tables.Column(verbose_name="已答人数", attrs={"td": {"class": "text-end"}})
    response_rate = tables.Column(verbose_name="答卷率", empty_values=(), attrs={"td": {"class": "text-end"}})

    def render_response_rate(self, record) -> str:
        value = rate(record.answered_count, record.sent_count)
        return "—" if value is None else f"{value}%"

    def value_response_rate(self, record) -> str:
        return self.render_response_rate(record)
