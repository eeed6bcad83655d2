"""Filters shared by the organisation list page and the API (as NetBox does)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from core.filters import FilterSet
from orgs.models import Organisation
from orgs.scope import subtree_q


class OrganisationFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="搜索（名称/编码/信用代码）")
    subtree = django_filters.CharFilter(method="filter_subtree", label="所属上级（组织编码，含全部下级）")
    kind = django_filters.MultipleChoiceFilter(choices=Organisation.Kind.choices, label="组织类型")
    status = django_filters.ChoiceFilter(choices=Organisation.Status.choices, label="状态")
    economic_type = django_filters.ChoiceFilter(choices=Organisation.EconomicType.choices, label="经济类型")
    founded_after = django_filters.DateFilter(field_name="founded_on", lookup_expr="gte", label="成立日期起")
    founded_before = django_filters.DateFilter(field_name="founded_on", lookup_expr="lte", label="成立日期止")

    class Meta:
        model = Organisation
        fields = ["q", "subtree", "kind", "status", "economic_type", "founded_after", "founded_before"]

    def filter_q(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__istartswith=value) | Q(credit_code=value.upper()))

    def filter_subtree(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        # The anchor is looked up inside the already-scoped queryset: an out-of-scope code matches nothing.
        anchor = queryset.filter(code=value.strip()).values_list("path", flat=True).first()
        if anchor is None:
            return queryset.none()
        return queryset.filter(subtree_q("path", anchor))
