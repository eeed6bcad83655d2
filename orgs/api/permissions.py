"""The DRF permission every app's API uses: the caller holds a role permission (orgs.roles) somewhere.

It lives in orgs, beside the roles it reads, so the api app depends on orgs and never the reverse."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from orgs.scope import has_perm


def holds(perm: str) -> type[BasePermission]:
    """DRF permission: the caller holds ``perm`` somewhere; rows are scoped in get_queryset."""

    class Holds(BasePermission):
        message = "您没有使用此接口的权限"

        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.is_authenticated and has_perm(request.user, perm))

    Holds.__name__ = f"Holds_{perm.replace('.', '_')}"
    return Holds
