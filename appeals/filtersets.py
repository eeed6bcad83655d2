"""Filters shared by the workbench list, the drill-down from the rates page and the API."""

from __future__ import annotations

from datetime import datetime, time

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters.widgets import BooleanWidget

from appeals.models import Appeal, Category
from appeals.selectors import DUE_CHOICES, METRICS, due_q, metric_q, referred_to_q, returned_q, todo_q
from core.filters import FilterSet
from orgs.filtersets import OrganisationFilter, PickerFilterSetMixin
from orgs.roles import Perm


class AppealFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="搜索（编号/标题/内容/反映人）")
    state = django_filters.ChoiceFilter(choices=Appeal.State.choices, label="状态")
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label="分类")
    channel = django_filters.ChoiceFilter(choices=Appeal.Channel.choices, label="渠道")
    subtree = OrganisationFilter(perm=Perm.APPEAL_OFFICE, path="organisation__path", label="组织（含下级）")
    unit = django_filters.CharFilter(field_name="organisation__code", label="组织（编码，仅本级）")
    handler = django_filters.CharFilter(method="filter_handler", label="主办单位（编码）")
    liaison = django_filters.NumberFilter(field_name="liaison_id", label="联络人")
    date_from = django_filters.DateFilter(method="filter_from", label="登记日期起")
    date_to = django_filters.DateFilter(method="filter_to", label="登记日期止")
    metric = django_filters.ChoiceFilter(
        choices=[(k, v[0]) for k, v in METRICS.items()], method="filter_metric", label="指标"
    )
    overdue = django_filters.BooleanFilter(field_name="overdue", label="曾超时")
    unfinished = django_filters.BooleanFilter(method="filter_unfinished", label="未办结")
    # ``?todo=1`` (the workbench's links) as well as true/false.
    todo = django_filters.BooleanFilter(method="filter_todo", label="待我处理", widget=BooleanWidget)
    due = django_filters.ChoiceFilter(choices=DUE_CHOICES, method="filter_due", label="时限")
    returned = django_filters.BooleanFilter(method="filter_returned", label="转办被退回")
    referred_to = django_filters.CharFilter(method="filter_referred_to", label="转办至（组织编码，仅本级）")

    class Meta:
        model = Appeal
        fields = [
            "q",
            "state",
            "category",
            "channel",
            "subtree",
            "unit",
            "handler",
            "liaison",
            "date_from",
            "date_to",
            "metric",
            "overdue",
            "unfinished",
            "todo",
            "due",
            "returned",
            "referred_to",
        ]

    def filter_q(self, queryset: QuerySet[Appeal], name: str, value: str) -> QuerySet[Appeal]:
        value = value.strip()
        if not value:
            return queryset
        q = Q(title__icontains=value) | Q(description__icontains=value) | Q(reporter_name=value) | Q(worker__name=value)
        if value.upper().startswith("SQ") and value[6:].isdigit():
            q |= Q(pk=int(value[6:]))
        return queryset.filter(q)

    def filter_handler(self, queryset: QuerySet[Appeal], name: str, value: str) -> QuerySet[Appeal]:
        return queryset.filter(lead_handler_org__code=value.strip())

    def filter_from(self, queryset: QuerySet[Appeal], name: str, value) -> QuerySet[Appeal]:
        return queryset.filter(
            registered_at__gte=datetime.combine(value, time.min, tzinfo=timezone.get_current_timezone())
        )

    def filter_to(self, queryset: QuerySet[Appeal], name: str, value) -> QuerySet[Appeal]:
        return queryset.filter(
            registered_at__lt=datetime.combine(value, time.max, tzinfo=timezone.get_current_timezone())
        )

    def filter_metric(self, queryset: QuerySet[Appeal], name: str, value: str) -> QuerySet[Appeal]:
        return queryset.filter(metric_q(value))

    def filter_todo(self, queryset: QuerySet[Appeal], name: str, value: bool | None) -> QuerySet[Appeal]:
        user = getattr(self.request, "user", None)
        return queryset.filter(todo_q(user)) if value and user is not None else queryset

    def filter_unfinished(self, queryset: QuerySet[Appeal], name: str, value: bool | None) -> QuerySet[Appeal]:
        """未办结 (true): every state but 评价（已办结）, as the organisation tree counts them; false: 已办结."""
        if value is None:
            return queryset
        closed = Q(state=Appeal.State.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)

    def filter_due(self, queryset: QuerySet[Appeal], name: str, value: str) -> QuerySet[Appeal]:
        return queryset.filter(due_q(value, timezone.localdate()))

    def filter_returned(self, queryset: QuerySet[Appeal], name: str, value: bool | None) -> QuerySet[Appeal]:
        if value is None:
            return queryset
        return queryset.filter(returned_q()) if value else queryset.exclude(returned_q())

    def filter_referred_to(self, queryset: QuerySet[Appeal], name: str, value: str) -> QuerySet[Appeal]:
        return queryset.filter(referred_to_q(value.strip())) if value.strip() else queryset
