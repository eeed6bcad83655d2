"""Filters of the assessment lists (page and export)."""

from __future__ import annotations

import django_filters

from assessment.models import AssesseeKind, Assessment, AssessmentResult, IndicatorSet
from core.filters import FilterSet, YearFilter


class IndicatorSetFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="名称")
    year = YearFilter(field_name="year", label="年度")
    assessee_kind = django_filters.ChoiceFilter(choices=AssesseeKind.choices, label="考核对象")

    class Meta:
        model = IndicatorSet
        fields = ["q", "year", "assessee_kind"]


class ResultFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="organisation__name", lookup_expr="icontains", label="工会名称")
    year = YearFilter(field_name="assessment__indicator_set__year", label="年度")
    kind = django_filters.ChoiceFilter(
        field_name="assessment__indicator_set__assessee_kind", choices=AssesseeKind.choices, label="考核对象"
    )
    state = django_filters.ChoiceFilter(field_name="assessment__state", choices=Assessment.State.choices, label="状态")
    grade = django_filters.CharFilter(field_name="grade", label="等次")
    passed = django_filters.BooleanFilter(field_name="passed", label="合格")

    class Meta:
        model = AssessmentResult
        fields = ["q", "year", "kind", "state", "grade", "passed"]


class VersionResultFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="organisation__name", lookup_expr="icontains", label="工会名称")
    grade = django_filters.CharFilter(field_name="grade", label="等次")
    passed = django_filters.BooleanFilter(field_name="passed", label="合格")

    class Meta:
        model = AssessmentResult
        fields = ["q", "grade", "passed"]
