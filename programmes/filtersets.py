"""Filters of the programme pages: start-up grants and imported dues records."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from core.filters import FilterSet, YearFilter
from funds.models import Payment
from orgs.filtersets import OrganisationFilter, PickerFilterSetMixin
from orgs.roles import Perm
from programmes.models import DuesRecord

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


class GrantFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(field_name="beneficiary_name", lookup_expr="icontains", label="受益对象")
    unspent = django_filters.BooleanFilter(method="filter_unspent", label="仅看有结余")
    # The dashboard's and the work report's drill-down: the grants of a subtree paid in a period
    # (by the voucher's date, the accounting date of the payment).
    subtree = OrganisationFilter(perm=Perm.FUND_VIEW, path="beneficiary_org__path", label="受益工会（含下级）")
    paid_from = django_filters.DateFilter(field_name="entry__date", lookup_expr="gte", label="拨付日期起", widget=DATE)
    paid_to = django_filters.DateFilter(field_name="entry__date", lookup_expr="lte", label="拨付日期止", widget=DATE)

    class Meta:
        model = Payment
        fields = ["q", "unspent", "subtree", "paid_from", "paid_to"]

    def filter_unspent(self, queryset: QuerySet[Payment], name: str, value: bool | None) -> QuerySet[Payment]:
        return queryset.filter(unspent__gt=0) if value else queryset
