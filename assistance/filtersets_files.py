"""Filters of the file list, shared by the page, its export, the workbench links and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from assistance.models import Cause, HardshipFile
from assistance.selectors import files as sel
from core.filters import FilterSet
from orgs.filtersets import OrganisationFilter, PickerFilterSetMixin
from orgs.roles import Perm

DUE_CHOICES = [("due", f"{sel.DUE_DAYS} 天内复核到期"), ("lapsed", "复核逾期")]
TODO_CHOICES = [("verify", "待我核实"), ("review", "待我审核"), ("approve", "待我审批")]


class FileFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="搜索（档案编号/姓名）")
    state = django_filters.ChoiceFilter(choices=HardshipFile.State.choices, label="状态")
    category = django_filters.ChoiceFilter(choices=HardshipFile.Category.choices, label="困难类别")
    cause = django_filters.ChoiceFilter(choices=Cause.choices, method="filter_cause", label="致困原因")
    subtree = OrganisationFilter(perm=Perm.ASSISTANCE_VIEW, path="organisation__path", label="所属工会（含下级）")
    due = django_filters.ChoiceFilter(choices=DUE_CHOICES, method="filter_due", label="年度复核")
    todo = django_filters.ChoiceFilter(choices=TODO_CHOICES, method="filter_todo", label="待我办理")
    # the dashboard's files opened (建档: approved) and exited in a period
    approved_from = django_filters.DateFilter(field_name="approved_on", lookup_expr="gte", label="建档日期起")
    approved_to = django_filters.DateFilter(field_name="approved_on", lookup_expr="lte", label="建档日期止")
    exited_from = django_filters.DateFilter(field_name="exited_on", lookup_expr="gte", label="脱困日期起")
    exited_to = django_filters.DateFilter(field_name="exited_on", lookup_expr="lte", label="脱困日期止")

    class Meta:
        model = HardshipFile
        fields = [
            "q",
            "state",
            "category",
            "cause",
            "subtree",
            "due",
            "todo",
            "approved_from",
            "approved_to",
            "exited_from",
            "exited_to",
        ]

    def filter_q(self, queryset: QuerySet[HardshipFile], name: str, value: str) -> QuerySet[HardshipFile]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(file_no__iexact=value) | Q(person__name__contains=value))

    def filter_cause(self, queryset: QuerySet[HardshipFile], name: str, value: str) -> QuerySet[HardshipFile]:
        """The main cause, or one of the secondary ones (a JSON list; matched in Python-free SQL)."""
        return queryset.filter(Q(main_cause=value) | Q(secondary_causes__icontains=f'"{value}"'))

    def filter_due(self, queryset: QuerySet[HardshipFile], name: str, value: str) -> QuerySet[HardshipFile]:
        today = timezone.localdate()
        if value == "lapsed":
            return sel.lapsed_files(queryset, today=today)
        return sel.due_files(queryset, today=today)

    def filter_todo(self, queryset: QuerySet[HardshipFile], name: str, value: str) -> QuerySet[HardshipFile]:
        user = getattr(self.request, "user", None)
        if user is None:
            return queryset.none()
        ids = [f.pk for f in sel.waiting_for(user)[value]]
        return queryset.filter(pk__in=ids)
