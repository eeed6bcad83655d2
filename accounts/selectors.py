"""Which accounts an administrator may see: those holding a role inside the administrator's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from core.models import AuditEvent, User
from orgs.models import RoleAssignment
from orgs.roles import Perm, ScopeMode
from orgs.scope import grants_with, scoped


def is_district_wide(user: Any, perm: str) -> bool:
    """Holds ``perm`` over a whole tree (a root organisation's subtree)."""
    return any(g.mode == ScopeMode.SUBTREE and len(g.path) == 4 for g in grants_with(user, perm))


def manageable_users(user: Any, text: str = "") -> QuerySet[User]:
    assignments = scoped(user, Perm.USER_MANAGE, RoleAssignment.objects.all())
    in_scope = Exists(assignments.filter(user=OuterRef("pk")))
    condition = Q(in_scope)
    if is_district_wide(user, Perm.USER_MANAGE):
        # Accounts with no role at all belong to nobody's subtree: only district-wide admins see them.
        condition |= ~Exists(RoleAssignment.objects.filter(user=OuterRef("pk")))
    qs = User.objects.filter(condition)
    text = text.strip()
    if text:
        qs = qs.filter(Q(username__icontains=text) | Q(display_name__icontains=text))
    return qs.order_by("username")


def visible_assignments(user: Any, account: User) -> QuerySet[RoleAssignment]:
    return scoped(user, Perm.USER_MANAGE, account.role_assignments.select_related("organisation", "granted_by"))


def audit_events(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all()
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("username"):
        qs = qs.filter(username__icontains=filters["username"])
    if filters.get("date_from"):
        qs = qs.filter(at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(at__date__lte=filters["date_to"])
    return qs.order_by("-at", "-id")
