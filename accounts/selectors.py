"""Which accounts an administrator may see and act on: those whose every role the administrator could grant."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from core.models import User
from orgs.models import RoleAssignment
from orgs.roles import Perm, ScopeMode
from orgs.scope import grant_reach_q, grants_with, scoped


def is_district_wide(user: Any, perm: str) -> bool:
    """Holds ``perm`` over a whole tree (a root organisation's subtree)."""
    return any(g.mode == ScopeMode.SUBTREE and len(g.path) == 4 for g in grants_with(user, perm))


def manageable_users(user: Any) -> QuerySet[User]:
    """Accounts ``user`` may manage: every role of the account lies inside the manager's scope and grants
    nothing the manager could not grant (orgs.scope.grant_reach). Anything else is invisible — the
    user list, pickers, details and every account action go through here."""
    reach = grant_reach_q(user)
    if reach is None:
        return User.objects.none()
    assignments = RoleAssignment.objects.filter(user=OuterRef("pk"))
    condition = Q(Exists(assignments.filter(reach))) & ~Q(Exists(assignments.exclude(reach)))
    if is_district_wide(user, Perm.USER_MANAGE):
        # Accounts with no role at all belong to nobody's subtree: only district-wide admins see them.
        condition |= ~Q(Exists(assignments))
    return User.objects.filter(condition).order_by("username")


def visible_assignments(user: Any, account: User) -> QuerySet[RoleAssignment]:
    return scoped(user, Perm.USER_MANAGE, account.role_assignments.select_related("organisation", "granted_by"))
