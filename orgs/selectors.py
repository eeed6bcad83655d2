"""Reading the organisation tree for a user: always through orgs.scope."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat

from core.db import subquery_count
from orgs.models import Organisation
from orgs.registry import subtree_counters
from orgs.roles import Perm, ScopeMode
from orgs.scope import PATH_UPPER_SENTINEL, grants_with, scope_q, scoped


def subtree_range_of_outer(path_lookup: str) -> dict[str, Any]:
    """Lookups selecting rows whose ``path_lookup`` lies in the subtree of the outer row's path."""
    return {
        f"{path_lookup}__gte": OuterRef("path"),
        f"{path_lookup}__lt": Concat(OuterRef("path"), Value(PATH_UPPER_SENTINEL)),
    }


def visible_organisations(user: Any, perm: str = Perm.ORG_VIEW) -> QuerySet[Organisation]:
    return scoped(user, perm, Organisation.objects.all())


def _scoped_count(user: Any, perm: str, rows: QuerySet[Any], path_lookup: str) -> Any:
    """Count of the user's rows (orgs.scope, ``perm``) in the outer organisation's subtree."""
    q = scope_q(user, perm, rows.model)
    if q is None:
        return Value(0)
    return Coalesce(subquery_count(rows.filter(q).filter(**subtree_range_of_outer(path_lookup))), 0)


def with_counts(queryset: QuerySet[Organisation], *, user: Any) -> QuerySet[Organisation]:
    """Annotate descendant organisations and every registered subtree counter, in the same query.

    Every figure counts the rows the user may see, through the same scope as the lists: an
    organisation-only grant on a town counts the town's own rows and no organisation below it.
    """
    descendants = Organisation.objects.exclude(path=OuterRef("path"))
    annotations: dict[str, Any] = {"descendant_count": _scoped_count(user, Perm.ORG_VIEW, descendants, "path")}
    for counter in subtree_counters(user):
        annotations[counter.key] = _scoped_count(user, counter.perm, counter.rows(), counter.path)
    return queryset.annotate(**annotations)


def top_paths(user: Any, perm: str = Perm.ORG_VIEW) -> list[str]:
    """The paths of the highest organisations the user may ``perm``: those of their grants, nested ones dropped."""
    grants = grants_with(user, perm)
    paths = [g.path for g in grants if g.mode in (ScopeMode.SUBTREE, ScopeMode.ORG)]
    return sorted(p for p in set(paths) if not any(p != o and p.startswith(o) for o in paths))


def tree_top_nodes(user: Any) -> QuerySet[Organisation]:
    """The highest organisations the user may browse: the organisations of their grants."""
    tops = top_paths(user)
    return with_counts(visible_organisations(user).filter(path__in=tops), user=user).order_by("path")


def tree_children(user: Any, parent: Organisation) -> QuerySet[Organisation]:
    children = visible_organisations(user).filter(
        depth=parent.depth + 1, path__gt=parent.path, path__lt=parent.path + PATH_UPPER_SENTINEL
    )
    return with_counts(children, user=user).order_by("path")


def search_q(text: str) -> Q:
    """Organisations matching what a person typed: part of the name, the start of the code, the whole
    credit code, or part of the name's pinyin initials (``nczgh`` finds 南彩镇总工会)."""
    text = text.strip()
    q = Q(name__icontains=text) | Q(code__istartswith=text) | Q(credit_code=text.upper())
    letters = text.lower()
    if letters.isascii() and letters.isalnum():
        q |= Q(initials__contains=letters)
    return q


def organisation_search(user: Any, text: str, *, limit: int = 50) -> QuerySet[Organisation]:
    text = text.strip()
    qs = visible_organisations(user)
    if text:
        qs = qs.filter(search_q(text))
    return qs.order_by("path")[:limit]


def with_visible_trail(user: Any, organisations: list[Organisation]) -> list[tuple[Organisation, list[str]]]:
    """Each organisation with the names of its ancestors that the user may see (one query for all)."""
    step = Organisation.steplen
    paths = {o.path[:i] for o in organisations for i in range(step, len(o.path), step)}
    names = dict(visible_organisations(user).filter(path__in=paths).values_list("path", "name"))
    return [
        (o, [names[o.path[:i]] for i in range(step, len(o.path), step) if o.path[:i] in names]) for o in organisations
    ]


def ancestors_visible(user: Any, organisation: Organisation) -> list[Organisation]:
    """Breadcrumb: the organisation's ancestors that the user may see (never more)."""
    step = Organisation.steplen
    paths = [organisation.path[:i] for i in range(step, len(organisation.path), step)]
    return list(visible_organisations(user).filter(path__in=paths).order_by("depth"))


def subtree(queryset: QuerySet[Organisation], organisation: Organisation) -> QuerySet[Organisation]:
    return queryset.filter(path__gte=organisation.path, path__lt=organisation.path + PATH_UPPER_SENTINEL)
