"""The assessment list's columns: the page and ``?export=xlsx`` alike."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html

from core.lists import Table


class AssessmentTable(Table):
    organisation = tables.Column(verbose_name="工会", accessor="organisation__name")
    year = tables.Column(verbose_name="年度", orderable=True, order_by=("year", "organisation__path"))
    score = tables.Column(
        verbose_name="得分", orderable=True, attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    passed = tables.Column(verbose_name="结果")
    assessed_by = tables.Column(verbose_name="评定人")

    def render_passed(self, value: bool) -> Any:
        return format_html(
            '<span class="{}">{}</span>', *(("text-success", "通过") if value else ("text-danger", "未通过"))
        )

    def value_passed(self, value: bool) -> str:
        return "通过" if value else "未通过"
