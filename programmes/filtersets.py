"""Filters of the programme pages: start-up grants and imported dues records."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from core.filters import FilterSet, YearFilter
from funds.models import Payment
from programmes.models import DuesRecord


class DuesFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="单位名称/信用代码")
    year = YearFilter(field_name="year", label="年度")
    unmatched = django_filters.BooleanFilter(field_name="organisation", lookup_expr="isnull", label="仅看未匹配")

    class Meta:
        model = DuesRecord
        fields = ["q", "year", "unmatched"]

    def filter_q(self, queryset: QuerySet[DuesRecord], name: str, value: str) -> QuerySet[DuesRecord]:
        text = value.strip()
        return queryset.filter(Q(name__icontains=text) | Q(credit_code=text.upper())) if text else queryset


class GrantFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="beneficiary_name", lookup_expr="icontains", label="受益对象")
    unspent = django_filters.BooleanFilter(method="filter_unspent", label="仅看有结余")

    class Meta:
        model = Payment
        fields = ["q", "unspent"]

    def filter_unspent(self, queryset: QuerySet[Payment], name: str, value: bool | None) -> QuerySet[Payment]:
        return queryset.filter(unspent__gt=0) if value else queryset
