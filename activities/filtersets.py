"""Filters of the activity list (page and export)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from activities.models import Activity
from core.filters import FilterSet, YearFilter


class ActivityFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="活动名称/工会")
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, label="活动类型")
    year = YearFilter(field_name="held_on__year", label="年度")

    class Meta:
        model = Activity
        fields = ["q", "kind", "year"]

    def filter_q(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet[Activity]:
        text = value.strip()
        return queryset.filter(Q(title__icontains=text) | Q(organisation__name__icontains=text)) if text else queryset
