"""The one place where data is filtered by what a user may see (DESIGN.md §1, RuoYi-style 数据权限).

Every list, detail, search, count, picker, export, report and API call obtains its rows through
``scoped()`` (or ``get_scoped_or_404``). A user with no role sees nothing. Subtrees are selected by a
materialised-path *range* (``path >= p AND path < p || '~'``), which both SQLite and PostgreSQL (with
the "C" collation set on the column by migration) answer from the path index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from orgs.roles import ROLE_PERMS, SELF_SCOPE_PERMS, ScopeMode

if TYPE_CHECKING:
    from orgs.models import Organisation

M = TypeVar("M", bound=models.Model)

# Greater than every character of treebeard's path alphabet (0-9A-Z) in byte order.
PATH_UPPER_SENTINEL = "~"


def subtree_bounds(path: str) -> tuple[str, str]:
    return path, path + PATH_UPPER_SENTINEL


def subtree_q(path_lookup: str, path: str) -> Q:
    low, high = subtree_bounds(path)
    return Q(**{f"{path_lookup}__gte": low, f"{path_lookup}__lt": high})


@dataclass(frozen=True)
class Grant:
    role: str
    organisation_id: int
    path: str
    mode: str
    perms: frozenset[str]
    # What the tree beside a list shows of the grant's organisation, read in the same query (no extra one).
    heading: GrantHeading | None = None

    def covers_path(self, path: str) -> bool:
        if self.mode == ScopeMode.SUBTREE:
            return path.startswith(self.path)
        if self.mode == ScopeMode.ORG:
            return path == self.path
        return False


@dataclass(frozen=True)
class GrantHeading:
    code: str
    name: str
    numchild: int
    status: str


_CACHE_ATTR = "_gonghui_grants"


def _grant_perms(role: str, mode: str) -> frozenset[str]:
    """The actions a grant carries: its role's, and for an own-records grant only the own-records ones."""
    perms = ROLE_PERMS.get(role, frozenset())
    return perms & SELF_SCOPE_PERMS if mode == ScopeMode.SELF else perms


def grants_for(user: Any) -> list[Grant]:
    """The user's grants, loaded once per user object (one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from orgs.models import RoleAssignment

    rows = RoleAssignment.objects.filter(user=user).values_list(
        "role",
        "organisation_id",
        "organisation__path",
        "scope",
        "organisation__code",
        "organisation__name",
        "organisation__numchild",
        "organisation__status",
    )
    grants = [
        Grant(role, org_id, path, mode, _grant_perms(role, mode), GrantHeading(*heading))
        for role, org_id, path, mode, *heading in rows
    ]
    setattr(user, _CACHE_ATTR, grants)
    return grants


def forget_grants(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def grants_with(user: Any, perm: str) -> list[Grant]:
    return [g for g in grants_for(user) if perm in g.perms]


def has_perm(user: Any, perm: str) -> bool:
    """Whether the user may do ``perm`` anywhere at all (for navigation and page entry)."""
    return bool(grants_with(user, perm))


def perms_of(user: Any, *, office: bool = False) -> frozenset[str]:
    """Every action the user holds; with ``office``, only those held over an organisation (the back
    office's), not those an own-records grant carries."""
    out: set[str] = set()
    for g in grants_for(user):
        if not (office and g.mode == ScopeMode.SELF):
            out |= g.perms
    return frozenset(out)


def is_portal_user(user: Any) -> bool:
    """A worker: every grant is over their own records only. They live in the portal (/portal/);
    the back office is not offered to them and refuses them."""
    grants = grants_for(user)
    return bool(grants) and all(g.mode == ScopeMode.SELF for g in grants)


def can_at(user: Any, perm: str, organisation: Organisation) -> bool:
    """Whether ``perm`` may be exercised over this organisation (no query once grants are loaded)."""
    return any(g.covers_path(organisation.path) for g in grants_with(user, perm))


def _minimal_paths(grants: Iterable[Grant]) -> tuple[list[str], list[str]]:
    """Subtree paths with nested ones dropped, and single-organisation paths not already covered."""
    subtree = sorted({g.path for g in grants if g.mode == ScopeMode.SUBTREE})
    roots: list[str] = []
    for p in subtree:
        if not any(p.startswith(r) for r in roots):
            roots.append(p)
    single = sorted(
        {g.path for g in grants if g.mode == ScopeMode.ORG and not any(g.path.startswith(r) for r in roots)}
    )
    return roots, single


def scope_q(user: Any, perm: str, model: type[models.Model]) -> Q | None:
    """The filter selecting the rows of ``model`` the user may ``perm``; None when there are none."""
    spec = getattr(model, "data_scope", None)
    if spec is None:
        raise TypeError(f"{model.__name__} declares no data_scope; it cannot be scoped")
    grants = grants_with(user, perm)
    if not grants:
        return None
    parts: list[Q] = []
    roots, single = _minimal_paths(grants)
    for lookup in spec.paths:
        parts.extend(subtree_q(lookup, p) for p in roots)
        if single:
            parts.append(Q(**{f"{lookup}__in": single}))
    if spec.owner and any(g.mode == ScopeMode.SELF for g in grants):
        parts.append(Q(**{spec.owner: user}))
    if spec.extra is not None:
        for g in grants:
            extra = spec.extra(g, perm)
            if extra is not None:
                parts.append(extra)
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def scoped(user: Any, perm: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """Rows of ``queryset`` the user may ``perm``: the only way domain data is filtered for a user."""
    q = scope_q(user, perm, queryset.model)
    if q is None:
        return queryset.none()
    return queryset.filter(q)


def get_scoped_or_404(user: Any, perm: str, queryset: QuerySet[M], **lookup: Any) -> M:
    """A single row, or 404 when it does not exist *or* lies outside the user's scope."""
    try:
        return scoped(user, perm, queryset).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404("未找到该记录，或您无权查看") from exc


# --- reach: what an account manager may hand out, and so which accounts they may manage ----------------


@dataclass(frozen=True)
class Reach:
    """Where a manager may grant one role: under ``subtree_roots`` whatever the assignment's scope, and
    at ``exact_paths`` only as a single-organisation (or self) assignment."""

    subtree_roots: tuple[str, ...]
    exact_paths: tuple[str, ...]

    def covers(self, path: str, scope: str) -> bool:
        if any(path.startswith(r) for r in self.subtree_roots):
            return True
        return scope != ScopeMode.SUBTREE and path in self.exact_paths


def _holds_over(grants: list[Grant], perms: frozenset[str], path: str, *, whole_subtree: bool) -> bool:
    """Every action in ``perms`` is held over ``path`` (and, with ``whole_subtree``, over all below it)."""
    for perm in perms:
        if not any(
            perm in g.perms and (g.mode == ScopeMode.SUBTREE or not whole_subtree) and g.covers_path(path)
            for g in grants
        ):
            return False
    return True


def grant_reach(user: Any, role: str) -> Reach:
    """Where ``user`` may grant ``role``: they must hold the account-management action and every action
    of the role over the whole reach of the assignment (DESIGN.md §8, "managing an account is a reach
    over everything that account can do")."""
    from orgs.roles import Perm

    needed = ROLE_PERMS.get(role, frozenset()) | {Perm.USER_MANAGE}
    grants = [g for g in grants_for(user) if g.mode != ScopeMode.SELF]
    roots: list[str] = []
    for p in sorted({g.path for g in grants if g.mode == ScopeMode.SUBTREE}):
        if not any(p.startswith(r) for r in roots) and _holds_over(grants, needed, p, whole_subtree=True):
            roots.append(p)
    exact = sorted(
        {
            g.path
            for g in grants
            if not any(g.path.startswith(r) for r in roots) and _holds_over(grants, needed, g.path, whole_subtree=False)
        }
    )
    return Reach(tuple(roots), tuple(exact))


def can_grant(user: Any, role: str, organisation: Organisation, scope: str) -> bool:
    """Whether ``user`` may grant (or revoke, or manage the holder of) ``role`` over ``organisation``."""
    return grant_reach(user, role).covers(organisation.path, scope)


def grant_reach_q(user: Any, prefix: str = "") -> Q | None:
    """The role assignments ``user`` could have granted, as a filter on RoleAssignment (``prefix`` for
    a relation to it); None when there are none."""
    by_reach: dict[Reach, list[str]] = {}
    for role in ROLE_PERMS:
        by_reach.setdefault(grant_reach(user, role), []).append(str(role))
    parts: list[Q] = []
    path = f"{prefix}organisation__path"
    for reach, roles in by_reach.items():
        where: list[Q] = [subtree_q(path, r) for r in reach.subtree_roots]
        if reach.exact_paths:
            where.append(~Q(**{f"{prefix}scope": ScopeMode.SUBTREE}) & Q(**{f"{path}__in": list(reach.exact_paths)}))
        if where:
            q = where[0]
            for w in where[1:]:
                q |= w
            parts.append(Q(**{f"{prefix}role__in": sorted(roles)}) & q)
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out |= part
    return out
