from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.models import RoleAssignment
from orgs.scope import perms_of

MeSerializer = inline_serializer(
    "Me",
    {
        "username": serializers.CharField(),
        "display_name": serializers.CharField(),
        "roles": serializers.ListField(child=serializers.DictField()),
        "permissions": serializers.ListField(child=serializers.CharField()),
    },
)


@extend_schema(summary="当前用户及其角色、权限", responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    user = request.user
    roles = [
        {
            "role": a.role,
            "role_display": a.get_role_display(),
            "organisation": a.organisation.code,
            "organisation_name": a.organisation.name,
            "scope": a.scope,
        }
        for a in RoleAssignment.objects.filter(user=user).select_related("organisation")
    ]
    return Response(
        {
            "username": user.username,
            "display_name": user.display_name,
            "roles": roles,
            "permissions": sorted(perms_of(user)),
        }
    )
