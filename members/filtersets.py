"""Filters shared by the member list page, its export and the API (as NetBox does)."""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.db.models import QuerySet

from core.filters import FilterSet, YearFilter
from members.models import Honour, Membership
from members.selectors import honour_exists, member_search
from orgs.filtersets import OrganisationFilter, PickerFilterSetMixin
from orgs.roles import Perm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MembershipFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="搜索（姓名/会员编号/完整身份证号/手机号）")
    subtree = OrganisationFilter(perm=Perm.MEMBER_VIEW, path="organisation__path", label="所属工会（含全部下级）")
    status = django_filters.ChoiceFilter(choices=Membership.Status.choices, label="会籍状态", empty_label="全部")
    honour = django_filters.ChoiceFilter(
        choices=Honour.Title.choices, method="filter_honour", label="荣誉", empty_label="全部"
    )
    migrant = django_filters.BooleanFilter(field_name="person__is_migrant_worker", label="农民工")
    join_year = YearFilter(method="filter_join_year", label="入会年份")
    # The dashboard's drill-down: who joined in a period (新入会).
    joined_from = django_filters.DateFilter(field_name="joined_on", lookup_expr="gte", label="入会日期起", widget=DATE)
    joined_to = django_filters.DateFilter(field_name="joined_on", lookup_expr="lte", label="入会日期止", widget=DATE)

    class Meta:
        model = Membership
        fields = ["q", "subtree", "status", "honour", "migrant", "join_year", "joined_from", "joined_to"]

    def filter_q(self, queryset: QuerySet[Membership], name: str, value: str) -> QuerySet[Membership]:
        return member_search(queryset, value)

    def filter_honour(self, queryset: QuerySet[Membership], name: str, value: str) -> QuerySet[Membership]:
        return queryset.filter(honour_exists(value)) if value else queryset

    def filter_join_year(self, queryset: QuerySet[Membership], name: str, value) -> QuerySet[Membership]:
        if value is None:
            return queryset
        year = int(value)  # 1900..2100, checked by the form
        return queryset.filter(joined_on__gte=date(year, 1, 1), joined_on__lt=date(year + 1, 1, 1))
