"""The assessment lists' columns: the page and ``?export=xlsx`` alike (the results' xlsx is what the
Party School's system imports)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.lists import DateTimeColumn, Table, YesNoColumn


class IndicatorSetTable(Table):
    name = tables.Column(
        verbose_name="指标体系", linkify=lambda record: reverse("assessment:set_detail", args=[record.pk])
    )
    year = tables.Column(verbose_name="年度", orderable=True, order_by=("year", "organisation__path"))
    assessee_kind = tables.Column(verbose_name="考核对象")
    organisation = tables.Column(verbose_name="考核单位", accessor="organisation__name")
    pass_score = tables.Column(verbose_name="合格分数线")


class ResultTable(Table):
    rank = tables.Column(verbose_name="名次", orderable=True, order_by=("rank", "organisation__path"))
    organisation = tables.Column(
        verbose_name="工会",
        accessor="organisation__name",
        linkify=lambda record: reverse("assessment:result", args=[record.pk]),
    )
    worker = tables.Column(
        verbose_name="社工",
        accessor="social_worker__name",
        linkify=lambda record: reverse("assessment:result", args=[record.pk]),
    )
    kind = tables.Column(verbose_name="考核对象类别", accessor="assessment__indicator_set__assessee_kind")
    code = tables.Column(verbose_name="组织代码", accessor="organisation__code", visible=False)
    credit_code = tables.Column(verbose_name="统一社会信用代码", accessor="organisation__credit_code", visible=False)
    year = tables.Column(verbose_name="年度", accessor="assessment__indicator_set__year")
    version = tables.Column(verbose_name="版本", accessor="assessment__version")
    total = tables.Column(
        verbose_name="总分",
        orderable=True,
        order_by=("-total", "organisation__path"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    grade = tables.Column(verbose_name="等次")
    passed = YesNoColumn(verbose_name="合格")
    state = tables.Column(verbose_name="状态", accessor="assessment__state")

    def render_kind(self, record: Any) -> str:
        return record.assessment.indicator_set.get_assessee_kind_display()

    def value_kind(self, record: Any) -> str:
        return record.assessment.indicator_set.get_assessee_kind_display()

    def render_state(self, record: Any) -> Any:
        state = record.assessment.state
        css = "bg-green-lt" if state == "published" else "bg-secondary-lt"
        return format_html('<span class="badge {}">{}</span>', css, record.assessment.get_state_display())

    def value_state(self, record: Any) -> str:
        return record.assessment.get_state_display()


class ManualScoreTable(Table):
    indicator = tables.Column(verbose_name="指标", accessor="indicator__label")
    organisation = tables.Column(verbose_name="被考核工会", accessor="organisation__name")
    worker = tables.Column(verbose_name="被考核社工", accessor="social_worker__name")
    reviewer = tables.Column(verbose_name="评分人")
    score = tables.Column(verbose_name="评分")
    evidence = tables.Column(verbose_name="评分依据")
    scored_at = DateTimeColumn(verbose_name="评分时间")
