"""Filters of the cadres lists (pages and exports)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from cadres import selectors
from cadres.models import Attendance, Post, Recruitment, SocialWorker, TrainingClass
from cadres.rules import EXPIRY_WINDOW_DAYS
from core.filters import FilterSet, YearFilter
from orgs.filtersets import OrganisationFilter, PickerFilterSetMixin
from orgs.models import Organisation
from orgs.roles import Perm


class PostFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="姓名/工会")
    subtree = OrganisationFilter(perm=Perm.CADRE_VIEW, path="organisation__path", label="所属组织（含全部下级）")
    role = django_filters.ChoiceFilter(choices=Post.Role.choices, label="职务")
    full_time = django_filters.BooleanFilter(label="专职")
    current = django_filters.BooleanFilter(method="filter_current", label="在任")
    expiring = django_filters.BooleanFilter(method="filter_expiring", label=f"任期 {EXPIRY_WINDOW_DAYS} 天内到期")

    class Meta:
        model = Post
        fields = ["q", "subtree", "role", "full_time", "current", "expiring"]

    def filter_q(self, queryset: QuerySet[Post], name: str, value: str) -> QuerySet[Post]:
        text = value.strip()
        return (
            queryset.filter(Q(cadre__name__icontains=text) | Q(organisation__name__icontains=text))
            if text
            else queryset
        )

    def filter_current(self, queryset: QuerySet[Post], name: str, value: bool | None) -> QuerySet[Post]:
        if value is None:
            return queryset
        return queryset.filter(ended_on__isnull=value)

    def filter_expiring(self, queryset: QuerySet[Post], name: str, value: bool | None) -> QuerySet[Post]:
        q = selectors.expiring_q(timezone.localdate())
        if value is None:
            return queryset
        return queryset.filter(q) if value else queryset.exclude(q)


PROBLEMS = [("vacant", "必设职务空缺"), ("part_time", "主席兼职且无专职副主席（镇街）")]


class StaffingFilterSet(PickerFilterSetMixin, FilterSet):
    subtree = OrganisationFilter(perm=Perm.CADRE_VIEW, label="所属组织（含全部下级）")
    problem = django_filters.ChoiceFilter(
        choices=PROBLEMS, method="filter_problem", label="问题", empty_label="全部组织"
    )

    class Meta:
        model = Organisation
        fields = ["subtree", "problem"]

    def filter_problem(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        if value == "vacant":
            return queryset.filter(selectors.vacancy_q())
        if value == "part_time":
            return queryset.filter(selectors.part_time_without_vice_q())
        return queryset


class RecruitmentFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="招聘名称")
    state = django_filters.ChoiceFilter(choices=Recruitment.State.choices, label="阶段")

    class Meta:
        model = Recruitment
        fields = ["q", "state"]


class WorkerFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")
    subtree = OrganisationFilter(perm=Perm.CADRE_VIEW, path="organisation__path", label="聘用单位（含全部下级）")
    stage = django_filters.ChoiceFilter(choices=SocialWorker.Stage.choices, label="阶段")

    class Meta:
        model = SocialWorker
        fields = ["q", "subtree", "stage"]


class ClassFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="培训班名称")
    subtree = OrganisationFilter(perm=Perm.CADRE_VIEW, path="organisation__path", label="主办工会（含全部下级）")
    mode = django_filters.ChoiceFilter(choices=TrainingClass.Mode.choices, label="培训方式")
    year = YearFilter(field_name="ends_on__year", label="年度")

    class Meta:
        model = TrainingClass
        fields = ["q", "subtree", "mode", "year"]


class RecordFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(field_name="cadre__name", lookup_expr="icontains", label="姓名")
    subtree = OrganisationFilter(perm=Perm.CADRE_VIEW, path="organisation__path", label="所在工会（含全部下级）")
    status = django_filters.ChoiceFilter(choices=Attendance.Status.choices, label="状态")
    year = YearFilter(field_name="training_class__ends_on__year", label="年度")

    class Meta:
        model = Attendance
        fields = ["q", "subtree", "status", "year"]


class CoverageFilterSet(PickerFilterSetMixin, FilterSet):
    """The year itself is read by the page (it decides who is to be trained); here it is validated."""

    year = YearFilter(method="filter_year", label="年度")
    subtree = OrganisationFilter(perm=Perm.CADRE_VIEW, path="organisation__path", label="所属组织（含全部下级）")
    trained = django_filters.BooleanFilter(label="已培训")
    q = django_filters.CharFilter(field_name="cadre__name", lookup_expr="icontains", label="姓名")

    class Meta:
        model = Post
        fields = ["year", "subtree", "trained", "q"]

    def filter_year(self, queryset: QuerySet[Post], name: str, value: int | None) -> QuerySet[Post]:
        return queryset
