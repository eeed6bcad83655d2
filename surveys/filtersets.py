"""Filters of the survey list (page and export)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from core.filters import FilterSet
from surveys.models import Survey


class SurveyFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="问卷名称/工会")
    state = django_filters.ChoiceFilter(choices=Survey.State.choices, label="状态")
    anonymous = django_filters.BooleanFilter(label="匿名")

    class Meta:
        model = Survey
        fields = ["q", "state", "anonymous"]

    def filter_q(self, queryset: QuerySet[Survey], name: str, value: str) -> QuerySet[Survey]:
        text = value.strip()
        return queryset.filter(Q(title__icontains=text) | Q(organisation__name__icontains=text)) if text else queryset
