from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from orgs.api.permissions import holds
from orgs.api.serializers import OrganisationSerializer
from orgs.filtersets import OrganisationFilterSet
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import scoped


@extend_schema_view(
    list=extend_schema(summary="组织列表（按调用者范围过滤；subtree=组织编码 取其全部下级）"),
    retrieve=extend_schema(summary="组织详情"),
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    permission_classes = [holds(Perm.ORG_VIEW)]
    filterset_class = OrganisationFilterSet
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return scoped(self.request.user, Perm.ORG_VIEW, Organisation.objects.all()).order_by("path")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["parent_codes"] = getattr(self, "_parent_codes", None)
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        # Parent codes for the whole page in one query (not one per row).
        parent_paths = {o.parent_path for o in rows if o.depth > 1}
        self._parent_codes = dict(Organisation.objects.filter(path__in=parent_paths).values_list("path", "code"))
        return page

    def get_object(self):
        obj = super().get_object()
        self._parent_codes = dict(Organisation.objects.filter(path=obj.parent_path).values_list("path", "code"))
        return obj
