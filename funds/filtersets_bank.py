"""Filters of the bank pages and their API (docs/bank.md)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from core.filters import FilterSet
from funds.models import BankBatch, PayeeAccount, Payment


class BatchFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="number", lookup_expr="icontains", label="批次号")
    state = django_filters.ChoiceFilter(choices=BankBatch.State.choices, label="状态")

    class Meta:
        model = BankBatch
        fields = ["q", "state"]


class PayeeAccountFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="收款对象/户名")
    status = django_filters.ChoiceFilter(choices=PayeeAccount.Status.choices, label="核验状态")

    class Meta:
        model = PayeeAccount
        fields = ["q", "status"]

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(holder_name__icontains=value) | Q(organisation__name__icontains=value) | Q(person__name__icontains=value)
        )


class BankPaymentFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="beneficiary_name", lookup_expr="icontains", label="收款单位/人")
    programme = django_filters.CharFilter(field_name="programme__code", label="项目编码")
    period = django_filters.CharFilter(field_name="period_key", label="期间")

    class Meta:
        model = Payment
        fields = ["q", "programme", "period"]
