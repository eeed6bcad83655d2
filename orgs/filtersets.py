"""Filters shared by the organisation list page and the API (as NetBox does)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.filters import FilterSet
from orgs.forms import OrganisationChoiceField, bind_pickers
from orgs.models import Organisation
from orgs.pickers import PickerScope, subtree_filter
from orgs.roles import Perm
from orgs.selectors import search_q


@extend_schema_field(OpenApiTypes.STR)  # an organisation code; it has no model field to read a type from
class OrganisationFilter(django_filters.Filter):
    """A subtree filter whose organisation is picked (orgs.pickers), by code so that links read well
    (``?subtree=T-A-1``). The choice is validated against the user's scope for ``perm``: an unknown or
    out-of-scope code makes the filter invalid, so the list shows a message and no rows."""

    field_class = OrganisationChoiceField

    def __init__(self, *, perm: str, path: str = "path", **kwargs: Any) -> None:
        kwargs.setdefault("label", "所属组织（含全部下级）")
        super().__init__(scope=PickerScope(perm=perm, active_only=False), options=False, to_field_name="code", **kwargs)
        self.path = path

    def filter(self, qs: QuerySet[Any], value: Organisation | None) -> QuerySet[Any]:
        return subtree_filter(qs, self.path, value)


class PickerFilterSetMixin:
    """Binds the organisation filters of a FilterSet to its request's user (no request: nothing to pick)."""

    @property
    def form(self) -> Any:
        form = super().form  # type: ignore[misc]
        if not getattr(form, "_pickers_bound", False):
            form._pickers_bound = True
            bind_pickers(form, getattr(self.request, "user", None))  # type: ignore[attr-defined]
        return form


class OrganisationFilterSet(PickerFilterSetMixin, FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="搜索（名称/编码/拼音首字母/信用代码）")
    subtree = OrganisationFilter(perm=Perm.ORG_VIEW, label="所属上级（含全部下级）")
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
        return queryset.filter(search_q(value))
