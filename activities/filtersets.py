"""Filters of the event list and the participation list (pages, exports and the API)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from activities.models import Activity, InnovationItem, Nomination, Registration, Studio, StudioOutput
from activities.selectors_todos import CRAFTSMAN_TODOS, INNOVATION_TODOS, craftsman_todo_rows, innovation_todo_rows
from core.filters import FilterSet, YearFilter
from members.models import Honour
from orgs.filtersets import OrganisationFilter, PickerFilterSetMixin
from orgs.roles import Perm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="活动名称/工会/工种")
    subtree = OrganisationFilter(perm=Perm.ORG_VIEW, path="organisation__path", label="举办工会（含下级）")
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, label="活动类型")
    state = django_filters.ChoiceFilter(choices=Activity.State.choices, label="状态")
    year = YearFilter(field_name="held_on__year", label="年度")
    held_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label="举办日期起", widget=DATE)
    held_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label="举办日期止", widget=DATE)
    grassroots = django_filters.BooleanFilter(method="filter_grassroots", label="基层工会举办")

    class Meta:
        model = Activity
        fields = ["q", "subtree", "kind", "state", "year", "held_from", "held_to", "grassroots"]

    def filter_q(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet[Activity]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(title__icontains=text) | Q(organisation__name__icontains=text) | Q(skill__icontains=text)
        )

    def filter_grassroots(self, queryset: QuerySet[Activity], name: str, value: bool | None) -> QuerySet[Activity]:
        from orgs.models import Organisation

        if value is None:
            return queryset
        kinds = Organisation.GRASSROOTS_KINDS
        return (
            queryset.filter(organisation__kind__in=kinds) if value else queryset.exclude(organisation__kind__in=kinds)
        )


class RegistrationFilterSet(PickerFilterSetMixin, FilterSet):
    """The participations behind the counts: the same subtree, period and state as the event list."""

    q = django_filters.CharFilter(method="filter_q", label="姓名/活动名称")
    activity = django_filters.NumberFilter(field_name="activity_id", label="活动编号")
    subtree = OrganisationFilter(perm=Perm.MEMBER_VIEW, path="activity__organisation__path", label="举办工会（含下级）")
    state = django_filters.ChoiceFilter(field_name="activity__state", choices=Activity.State.choices, label="活动状态")
    held_from = django_filters.DateFilter(
        field_name="activity__held_on", lookup_expr="gte", label="举办日期起", widget=DATE
    )
    held_to = django_filters.DateFilter(
        field_name="activity__held_on", lookup_expr="lte", label="举办日期止", widget=DATE
    )
    attended = django_filters.BooleanFilter(field_name="attended", label="到场")
    awarded = django_filters.BooleanFilter(field_name="honour", lookup_expr="isnull", exclude=True, label="获奖")

    class Meta:
        model = Registration
        fields = ["q", "activity", "subtree", "state", "held_from", "held_to", "attended", "awarded"]

    def filter_q(self, queryset: QuerySet[Registration], name: str, value: str) -> QuerySet[Registration]:
        text = value.strip()
        return (
            queryset.filter(Q(person__name__icontains=text) | Q(activity__title__icontains=text)) if text else queryset
        )


class NominationFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="姓名/工会/工种")
    subtree = OrganisationFilter(perm=Perm.ORG_VIEW, path="union__path", label="推荐工会（含下级）")
    year = YearFilter(field_name="selection__year", label="评选年度")
    outcome = django_filters.ChoiceFilter(choices=Nomination.Outcome.choices, label="结果")
    todo = django_filters.ChoiceFilter(choices=list(CRAFTSMAN_TODOS.items()), method="filter_todo", label="待我办理")

    class Meta:
        model = Nomination
        fields = ["q", "subtree", "year", "outcome", "todo"]

    def filter_todo(self, queryset: QuerySet[Nomination], name: str, value: str) -> QuerySet[Nomination]:
        """The workbench's links: exactly the rows it counted (``activities.selectors_todos``)."""
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset if not value else queryset.none()
        return queryset.filter(pk__in=craftsman_todo_rows(user, value).values("pk"))

    def filter_q(self, queryset: QuerySet[Nomination], name: str, value: str) -> QuerySet[Nomination]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(person__name__icontains=text) | Q(union__name__icontains=text) | Q(trade__icontains=text)
        )


class StudioFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="名称/工会/领办人")
    subtree = OrganisationFilter(perm=Perm.ORG_VIEW, path="union__path", label="所属工会（含下级）")
    kind = django_filters.ChoiceFilter(choices=Studio.Kind.choices, label="类型")
    level = django_filters.ChoiceFilter(choices=Honour.Level.choices, label="级别")
    plaqued_by = YearFilter(field_name="plaque_on__year", lookup_expr="lte", label="授牌不晚于（年）")
    plaqued_to = django_filters.DateFilter(field_name="plaque_on", lookup_expr="lte", label="授牌不晚于", widget=DATE)
    output_from = YearFilter(method="filter_output_from", label="有成果年度起")
    output_to = YearFilter(method="filter_output_to", label="有成果年度止")

    class Meta:
        model = Studio
        fields = ["q", "subtree", "kind", "level", "plaqued_by", "plaqued_to", "output_from", "output_to"]

    def filter_output_from(self, queryset: QuerySet[Studio], name: str, value: int | None) -> QuerySet[Studio]:
        """With ``output_to``: studios that recorded output for a year in the range (the figures'
        drill-down to the studios whose output they sum)."""
        if value is None:
            return queryset
        to = self.form.cleaned_data.get("output_to") or value
        return queryset.filter(pk__in=StudioOutput.objects.filter(year__gte=value, year__lte=to).values("studio_id"))

    def filter_output_to(self, queryset: QuerySet[Studio], name: str, value: int | None) -> QuerySet[Studio]:
        if value is None or self.form.cleaned_data.get("output_from") is not None:
            return queryset  # applied together with output_from
        return queryset.filter(pk__in=StudioOutput.objects.filter(year__lte=value).values("studio_id"))

    def filter_q(self, queryset: QuerySet[Studio], name: str, value: str) -> QuerySet[Studio]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(name__icontains=text) | Q(union__name__icontains=text) | Q(leader__name__icontains=text)
        )


class StudioOutputFilterSet(PickerFilterSetMixin, FilterSet):
    """A year's output rows of the studios of a subtree (the API)."""

    subtree = OrganisationFilter(perm=Perm.ORG_VIEW, path="studio__union__path", label="所属工会（含下级）")
    kind = django_filters.ChoiceFilter(field_name="studio__kind", choices=Studio.Kind.choices, label="类型")
    year = YearFilter(field_name="year", label="年度")
    studio = django_filters.NumberFilter(field_name="studio_id", label="工作室编号")

    class Meta:
        model = StudioOutput
        fields = ["subtree", "kind", "year", "studio"]


class InnovationFilterSet(PickerFilterSetMixin, FilterSet):
    """The items behind the innovation counts: ``subtree`` + ``year`` with ``adopted`` / ``rewarded``."""

    q = django_filters.CharFilter(method="filter_q", label="编号/名称/申报人/单位")
    subtree = OrganisationFilter(perm=Perm.MEMBER_VIEW, path="union__path", label="申报单位（含下级）")
    year = YearFilter(field_name="year", label="年度")
    kind = django_filters.ChoiceFilter(choices=InnovationItem.Kind.choices, label="类别")
    state = django_filters.ChoiceFilter(choices=InnovationItem.State.choices, label="状态")
    grade = django_filters.ChoiceFilter(choices=InnovationItem.Grade.choices, label="评审等级")
    applicant = django_filters.ChoiceFilter(
        method="filter_applicant", choices=(("member", "职工"), ("unit", "单位")), label="申报主体"
    )
    adopted = django_filters.BooleanFilter(method="filter_adopted", label="获奖采纳")
    rewarded = django_filters.BooleanFilter(method="filter_rewarded", label="奖励已审批入账")
    submitted_from = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label="申报日期起", widget=DATE
    )
    submitted_to = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label="申报日期止", widget=DATE
    )
    todo = django_filters.ChoiceFilter(choices=list(INNOVATION_TODOS.items()), method="filter_todo", label="待我办理")

    class Meta:
        model = InnovationItem
        fields = [
            "q", "subtree", "year", "kind", "state", "grade", "applicant", "adopted", "rewarded", "submitted_from",
            "submitted_to", "todo",
        ]  # fmt: skip

    def filter_todo(self, queryset: QuerySet[InnovationItem], name: str, value: str) -> QuerySet[InnovationItem]:
        """The workbench's links: exactly the rows it counted (``activities.selectors_todos``)."""
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset if not value else queryset.none()
        return queryset.filter(pk__in=innovation_todo_rows(user, value).values("pk"))

    def filter_q(self, queryset: QuerySet[InnovationItem], name: str, value: str) -> QuerySet[InnovationItem]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(number__icontains=text)
            | Q(title__icontains=text)
            | Q(person__name__icontains=text)
            | Q(union__name__icontains=text)
        )

    def filter_applicant(self, queryset: QuerySet[InnovationItem], name: str, value: str) -> QuerySet[InnovationItem]:
        return queryset.filter(person__isnull=value == "unit") if value else queryset

    def filter_adopted(
        self, queryset: QuerySet[InnovationItem], name: str, value: bool | None
    ) -> QuerySet[InnovationItem]:
        from activities.innovation_services import ADOPTED

        return queryset if value is None else queryset.filter(ADOPTED if value else ~ADOPTED)

    def filter_rewarded(
        self, queryset: QuerySet[InnovationItem], name: str, value: bool | None
    ) -> QuerySet[InnovationItem]:
        from activities.innovation_services import REWARDED

        return queryset if value is None else queryset.filter(REWARDED if value else ~REWARDED)
