from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import refuse_unless_password_current, token_expires_at, token_is_current
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


TokenSerializer = inline_serializer(
    "IssuedToken", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
)


class ObtainTokenView(ObtainAuthToken):
    """A token for the user name and password; an expired one is replaced. An account that must change
    its password first gets the same JSON refusal as every other API call."""

    @extend_schema(summary="用用户名和密码获取接口令牌", request=AuthTokenSerializer, responses=TokenSerializer)
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        refuse_unless_password_current(user)
        with transaction.atomic():
            token, _ = Token.objects.select_for_update().get_or_create(user=user)
            if not token_is_current(token):
                token.delete()
                token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})
