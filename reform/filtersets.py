"""Filters of the plan list and the task sheet (page and export)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.filters import FilterSet, YearFilter
from orgs.filtersets import OrganisationFilter, PickerFilterSetMixin
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import subtree_q
from reform.models import Milestone, Plan, Task
from reform.selectors import overdue_q, responsible_tasks, visible_plans


class PlanFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="方案名称/单位")
    kind = django_filters.ChoiceFilter(choices=Plan.Kind.choices, label="类型")
    year = YearFilter(field_name="year", label="年度")

    class Meta:
        model = Plan
        fields = ["q", "kind", "year"]

    def filter_q(self, queryset: QuerySet[Plan], name: str, value: str) -> QuerySet[Plan]:
        text = value.strip()
        return queryset.filter(Q(title__icontains=text) | Q(organisation__name__icontains=text)) if text else queryset


def task_subtree_q(path: str) -> Q:
    """A task of a plan of the subtree, or answered for by an organisation of it."""
    return subtree_q("plan__organisation__path", path) | subtree_q("responsible_org__path", path)


class TaskSubtreeFilter(OrganisationFilter):
    def filter(self, qs: QuerySet[Any], value: Organisation | None) -> QuerySet[Any]:
        return qs if value is None else qs.filter(task_subtree_q(value.path))


class TaskFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="任务/责任单位/责任人")
    plan = django_filters.ModelChoiceFilter(queryset=Plan.objects.none(), label="方案")
    state = django_filters.ChoiceFilter(choices=Task.State.choices, label="状态")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="已超期")
    mine = django_filters.BooleanFilter(method="filter_mine", label="我负责的")
    late_milestones = django_filters.BooleanFilter(method="filter_late_milestones", label="有超期节点")
    # The dashboard's drill-down: the tasks of a subtree's plans or answered for by its organisations.
    subtree = TaskSubtreeFilter(perm=Perm.REFORM_VIEW, label="方案或责任单位（含下级）")

    class Meta:
        model = Task
        fields = ["q", "plan", "state", "overdue", "mine", "late_milestones", "subtree"]

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["plan"].queryset = visible_plans(request.user).order_by("-year", "pk")

    def filter_q(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(title__icontains=text) | Q(responsible_org__name__icontains=text) | Q(responsible_person__icontains=text)
        )

    def filter_overdue(self, queryset: QuerySet[Task], name: str, value: bool | None) -> QuerySet[Task]:
        if value is None:
            return queryset
        q = overdue_q(timezone.localdate())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_mine(self, queryset: QuerySet[Task], name: str, value: bool | None) -> QuerySet[Task]:
        if not value or self.request is None:
            return queryset
        return queryset.filter(pk__in=responsible_tasks(self.request.user).values("pk"))

    def filter_late_milestones(self, queryset: QuerySet[Task], name: str, value: bool | None) -> QuerySet[Task]:
        if value is None:
            return queryset
        late = Exists(
            Milestone.objects.filter(task=OuterRef("pk"), done_on__isnull=True, due_on__lt=timezone.localdate())
        )
        return queryset.filter(late & ~Q(state=Task.State.DONE)) if value else queryset.exclude(late)
