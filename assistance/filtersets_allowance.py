"""Filters of the allowance's lists (bounded; an invalid value shows a message and no rows)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from assistance.models import AllowanceMonth
from assistance.selectors.allowance import FIGURES_PERM
from core.filters import FilterSet
from funds.models import Payment
from orgs.filtersets import OrganisationFilter, PickerFilterSetMixin


class AllowanceMonthFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="搜索（档案编号/姓名）")
    subtree = OrganisationFilter(perm=FIGURES_PERM, path="file__organisation__path", label="所属工会（含全部下级）")
    paid_from = django_filters.DateFilter(field_name="payment__paid_at__date", lookup_expr="gte", label="支付日期起")
    paid_to = django_filters.DateFilter(field_name="payment__paid_at__date", lookup_expr="lte", label="支付日期止")
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte", label="补助月份起")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte", label="补助月份止")
    arrears = django_filters.BooleanFilter(field_name="arrears", label="补发")

    class Meta:
        model = AllowanceMonth
        fields = ["q", "subtree", "paid_from", "paid_to", "month_from", "month_to", "arrears"]

    def filter_q(self, queryset: QuerySet[AllowanceMonth], name: str, value: str) -> QuerySet[AllowanceMonth]:
        value = value.strip()
        return (
            queryset.filter(Q(file__file_no__istartswith=value) | Q(person__name__icontains=value))
            if value
            else queryset
        )


class HolidayPaymentFilterSet(PickerFilterSetMixin, FilterSet):
    subtree = OrganisationFilter(
        perm=FIGURES_PERM, path="beneficiary_person__organisation__path", label="所属工会（含全部下级）"
    )
    paid_from = django_filters.DateFilter(field_name="paid_at__date", lookup_expr="gte", label="支付日期起")
    paid_to = django_filters.DateFilter(field_name="paid_at__date", lookup_expr="lte", label="支付日期止")

    class Meta:
        model = Payment
        fields = ["subtree", "paid_from", "paid_to"]
