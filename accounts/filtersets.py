"""Filters of the user list and the security audit list (pages and their exports)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from core.filters import FilterSet
from core.models import AuditEvent, User


class UserFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="搜索（用户名/姓名）")
    active = django_filters.BooleanFilter(field_name="is_active", label="启用")

    class Meta:
        model = User
        fields = ["q", "active"]

    def filter_q(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        text = value.strip()
        return queryset.filter(Q(username__icontains=text) | Q(display_name__icontains=text)) if text else queryset


class AuditEventFilterSet(FilterSet):
    kind = django_filters.ChoiceFilter(choices=AuditEvent.Kind.choices, label="类型")
    username = django_filters.CharFilter(lookup_expr="icontains", label="账号")
    date_from = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="起始日期")
    date_to = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="截止日期")

    class Meta:
        model = AuditEvent
        fields = ["kind", "username", "date_from", "date_to"]
