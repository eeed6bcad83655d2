"""Filters shared by the funds pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from core.filters import FilterSet, YearFilter
from funds.models import Account, Cycle, Donation, Entitlement, JournalEntry, Payment, Programme
from orgs.filtersets import OrganisationFilter, PickerFilterSetMixin
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import subtree_q

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="摘要/依据")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="日期起", widget=DATE)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="日期止", widget=DATE)
    account = django_filters.CharFilter(field_name="lines__account__code", label="科目编码", distinct=True)

    class Meta:
        model = JournalEntry
        fields = ["q", "date_from", "date_to", "account"]

    def filter_q(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(description__icontains=value) | Q(rule__icontains=value)) if value else qs


class DonationFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="捐赠方/收据号")
    fund = django_filters.CharFilter(field_name="fund__code", label="基金科目")
    year = YearFilter(field_name="received_on__year", label="年度")
    # The assistance figures' drill-down (donations of a period) links with these.
    received_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte", label="到账日期起")
    received_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte", label="到账日期止")

    class Meta:
        model = Donation
        fields = ["q", "fund", "year", "received_from", "received_to"]

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(receipt_no__icontains=value) | (Q(donor_name__icontains=value) & Q(anonymous=False)))


class PaymentSubtreeFilter(OrganisationFilter):
    """Payments to the organisations of a subtree, or to persons whose union lies in it."""

    def filter(self, qs: QuerySet[Any], value: Organisation | None) -> QuerySet[Any]:
        if value is None:
            return qs
        return qs.filter(
            subtree_q("beneficiary_org__path", value.path)
            | subtree_q("beneficiary_person__organisation__path", value.path)
        )


class PaymentFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(field_name="beneficiary_name", lookup_expr="icontains", label="受益对象")
    programme = django_filters.CharFilter(field_name="programme__code", label="项目编码")
    rule = django_filters.CharFilter(field_name="programme__plugin_key", label="项目规则")
    period = django_filters.CharFilter(field_name="period_key", label="期间")
    cycle = django_filters.NumberFilter(field_name="cycle_id", label="周期")
    status = django_filters.ChoiceFilter(choices=Payment.Status.choices, label="支付状态")
    # The dashboard's drill-down: the payouts of a subtree in a period (by the voucher's date).
    subtree = PaymentSubtreeFilter(perm=Perm.FUND_VIEW, label="受益组织（含下级）")
    paid_from = django_filters.DateFilter(field_name="entry__date", lookup_expr="gte", label="支付日期起", widget=DATE)
    paid_to = django_filters.DateFilter(field_name="entry__date", lookup_expr="lte", label="支付日期止", widget=DATE)

    class Meta:
        model = Payment
        fields = ["q", "programme", "rule", "period", "cycle", "status", "subtree", "paid_from", "paid_to"]


class EntitlementFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="beneficiary_name", lookup_expr="icontains", label="受益对象")
    adjusted = django_filters.BooleanFilter(
        field_name="adjusted_amount", lookup_expr="isnull", exclude=True, label="仅看已调整"
    )

    class Meta:
        model = Entitlement
        fields = ["q", "adjusted"]


class CycleFilterSet(FilterSet):
    programme = django_filters.CharFilter(field_name="programme__code", label="项目编码")
    state = django_filters.ChoiceFilter(choices=Cycle.State.choices, label="状态")

    class Meta:
        model = Cycle
        fields = ["programme", "state"]


class AccountFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="编码/名称")
    type = django_filters.ChoiceFilter(choices=Account.Type.choices, label="类别")

    class Meta:
        model = Account
        fields = ["q", "type"]

    def filter_q(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(code__startswith=value) | Q(name__icontains=value)) if value else qs


class ProgrammeFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="编码/名称")

    class Meta:
        model = Programme
        fields = ["q"]

    def filter_q(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(code__istartswith=value) | Q(name__icontains=value)) if value else qs
