"""Filters of the relief and scholarship lists (and the figures' drill-down links)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from assistance.models import ReliefApplication, ScholarshipApplication, SchoolLevel
from assistance.models.applications import ApplicationState
from core.filters import FilterSet
from funds.bank_selectors import with_cycle_bank_status
from orgs.filtersets import OrganisationFilter, PickerFilterSetMixin
from orgs.roles import Perm

PAYMENT_CHOICES = [
    ("waiting", "待资金"),
    ("released", "待财务审批支付"),
    ("bank", "已审批待银行支付"),
    ("sent", "已发送银行"),
    ("paid", "已支付"),
    ("returned", "银行退回"),
]
# the bank's lifecycle of the cycle's newest payment (docs/bank.md), per filter value
BANK_STATES = {"bank": ("approved", "batched"), "sent": ("sent",), "paid": ("confirmed",), "returned": ("returned",)}


class ReliefFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="搜索（编号/姓名/医院）")
    state = django_filters.ChoiceFilter(choices=ApplicationState.choices, label="状态")
    payment = django_filters.ChoiceFilter(choices=PAYMENT_CHOICES, method="filter_payment", label="支付")
    subtree = OrganisationFilter(perm=Perm.ASSISTANCE_VIEW, path="organisation__path", label="组织（含下级）")
    approved_from = django_filters.DateFilter(field_name="approved_at__date", lookup_expr="gte", label="审批日期起")
    approved_to = django_filters.DateFilter(field_name="approved_at__date", lookup_expr="lte", label="审批日期止")

    class Meta:
        model = ReliefApplication
        fields = ["q", "state", "payment", "subtree", "approved_from", "approved_to"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(
            Q(number__icontains=value) | Q(person__name__icontains=value) | Q(hospital__icontains=value)
        )

    def filter_payment(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        approved = queryset.filter(state=ApplicationState.APPROVED)
        if value == "waiting":
            return approved.filter(cycle__isnull=True, amount__gt=0)
        if value == "released":
            return approved.filter(cycle__isnull=False).exclude(cycle__state="paid")
        if value not in BANK_STATES:
            return queryset.none()
        paid = approved.filter(cycle__state="paid")
        if "bank_status" not in paid.query.annotations:
            paid = with_cycle_bank_status(paid)
        if value == "bank":
            return paid.filter(Q(bank_status__in=BANK_STATES["bank"]) | Q(bank_status__isnull=True))
        return paid.filter(bank_status__in=BANK_STATES[value])


class ScholarshipFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="搜索（编号/姓名/学校）")
    year = django_filters.NumberFilter(field_name="year", label="年度", min_value=2000, max_value=2100)
    state = django_filters.ChoiceFilter(choices=ApplicationState.choices, label="状态")
    level = django_filters.ChoiceFilter(choices=SchoolLevel.choices, label="就读阶段")
    subtree = OrganisationFilter(perm=Perm.ASSISTANCE_VIEW, path="organisation__path", label="组织（含下级）")
    approved_from = django_filters.DateFilter(field_name="approved_at__date", lookup_expr="gte", label="审批日期起")
    approved_to = django_filters.DateFilter(field_name="approved_at__date", lookup_expr="lte", label="审批日期止")

    class Meta:
        model = ScholarshipApplication
        fields = ["q", "year", "state", "level", "subtree", "approved_from", "approved_to"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(
            Q(number__icontains=value)
            | Q(person__name__icontains=value)
            | Q(child_name__icontains=value)
            | Q(school__icontains=value)
        )
