"""Filters of the assessment lists (page and export)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from assessment.models import AssesseeKind, Assessment, AssessmentResult, IndicatorSet
from core.filters import FilterSet, YearFilter
from orgs.filtersets import OrganisationFilter, PickerFilterSetMixin
from orgs.roles import Perm


class IndicatorSetFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="名称")
    year = YearFilter(field_name="year", label="年度")
    assessee_kind = django_filters.ChoiceFilter(choices=AssesseeKind.choices, label="考核对象")

    class Meta:
        model = IndicatorSet
        fields = ["q", "year", "assessee_kind"]


def _assessee_named(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """A union's name, or a social worker's (or their employer's)."""
    return queryset.filter(Q(organisation__name__icontains=value) | Q(social_worker__name__icontains=value))


class ResultFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method=_assessee_named, label="工会或社工姓名")
    year = YearFilter(field_name="assessment__indicator_set__year", label="年度")
    kind = django_filters.ChoiceFilter(
        field_name="assessment__indicator_set__assessee_kind", choices=AssesseeKind.choices, label="考核对象"
    )
    state = django_filters.ChoiceFilter(field_name="assessment__state", choices=Assessment.State.choices, label="状态")
    grade = django_filters.CharFilter(field_name="grade", label="等次")
    passed = django_filters.BooleanFilter(field_name="passed", label="合格")
    # the dashboard's assessment figures: the organisations' results of a subtree (not social workers')
    subtree = OrganisationFilter(perm=Perm.ORG_VIEW, path="organisation__path", label="所属组织（含下级）")
    unions = django_filters.BooleanFilter(field_name="social_worker", lookup_expr="isnull", label="仅工会（不含社工）")

    class Meta:
        model = AssessmentResult
        fields = ["q", "year", "kind", "state", "grade", "passed", "subtree", "unions"]


class VersionResultFilterSet(FilterSet):
    q = django_filters.CharFilter(method=_assessee_named, label="工会或社工姓名")
    grade = django_filters.CharFilter(field_name="grade", label="等次")
    passed = django_filters.BooleanFilter(field_name="passed", label="合格")

    class Meta:
        model = AssessmentResult
        fields = ["q", "grade", "passed"]
