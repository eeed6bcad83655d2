"""What an organisation picker offers a user: the one way a person chooses an organisation.

A picker is described by a ``PickerScope``: the action the choice is for (``perm``), the kinds of
organisation that may be chosen, whether closed ones may be, and optionally a subtree that may not be
chosen (moving an organisation under itself). Its rows always come from ``orgs.scope.scoped``: a picker
never shows an organisation the user may not act on (RuoYi's leak through the parent picker, DESIGN §8).
The form field (``orgs.forms.OrganisationChoiceField``), the search endpoint (``orgs:search``) and the
tree beside the lists read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.http import urlencode

from core.forms import ID_MAX
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import PATH_UPPER_SENTINEL, grants_with, scoped, subtree_q
from orgs.selectors import search_q, top_paths

SEARCH_LIMIT = 20
CHILDREN_LIMIT = 100
QUERY_MAX = 50


@dataclass(frozen=True)
class PickerScope:
    perm: str = Perm.ORG_VIEW
    kinds: tuple[str, ...] = ()
    active_only: bool = True
    exclude_pk: int | None = None  # this organisation and everything under it cannot be chosen

    def browsable(self, user: Any) -> QuerySet[Organisation]:
        """What the tree may show: every organisation the user may ``perm`` (a town is shown to reach its
        unions even when only unions may be chosen)."""
        qs = scoped(user, self.perm, Organisation.objects.all())
        if self.active_only:
            qs = qs.filter(status=Organisation.Status.ACTIVE)
        return qs

    def choosable(self, user: Any) -> QuerySet[Organisation]:
        qs = self.browsable(user)
        if self.kinds:
            qs = qs.filter(kind__in=self.kinds)
        if self.exclude_pk is not None:
            excluded = Organisation.objects.filter(pk=self.exclude_pk).values_list("path", flat=True).first()
            if excluded is not None:
                qs = qs.exclude(subtree_q("path", excluded))
        return qs.order_by("path")

    def is_choosable(self, organisation: Organisation) -> bool:
        """Kind and status only: the rows themselves were already scoped."""
        return (not self.kinds or organisation.kind in self.kinds) and (not self.active_only or organisation.is_active)

    def query(self) -> str:
        params: dict[str, str] = {"perm": self.perm, "active": "1" if self.active_only else "0"}
        if self.kinds:
            params["kinds"] = ",".join(self.kinds)
        if self.exclude_pk is not None:
            params["exclude"] = str(self.exclude_pk)
        return urlencode(params)

    @classmethod
    def from_params(cls, params: QueryDict) -> PickerScope:
        """The scope named by a request's parameters; a Chinese ValidationError for anything unknown."""
        perm = params.get("perm") or Perm.ORG_VIEW
        if perm not in Perm.all():
            raise ValidationError("未知的操作类型")
        kinds = tuple(k for k in (params.get("kinds") or "").split(",") if k)
        if set(kinds) - set(Organisation.Kind.values):
            raise ValidationError("未知的组织类型")
        exclude = (params.get("exclude") or "").strip()
        if exclude and not (exclude.isascii() and exclude.isdigit() and int(exclude) <= ID_MAX):
            raise ValidationError("参数 exclude 应为组织编号")
        return cls(
            perm=perm,
            kinds=kinds,
            active_only=params.get("active", "1") != "0",
            exclude_pk=int(exclude) if exclude else None,
        )


@dataclass(frozen=True)
class PickerNode:
    organisation: Organisation
    choosable: bool
    trail: str = ""

    def as_json(self) -> dict[str, Any]:
        o = self.organisation
        return {
            "id": o.pk,
            "code": o.code,
            "name": o.name,
            "kind": o.get_kind_display(),
            "choosable": self.choosable,
            "has_children": o.numchild > 0,
            "trail": self.trail,
        }


def _nodes(rows: list[Organisation], choosable_pks: set[int]) -> list[PickerNode]:
    return [PickerNode(o, o.pk in choosable_pks) for o in rows]


def picker_top(user: Any, scope: PickerScope) -> list[PickerNode]:
    """The highest organisations of the user's grants for the action: where browsing starts."""
    rows = list(scope.browsable(user).filter(path__in=top_paths(user, scope.perm)).order_by("path"))
    return _nodes(rows, _choosable_among(user, scope, rows))


def picker_children(user: Any, scope: PickerScope, parent: Organisation) -> tuple[list[PickerNode], bool]:
    """The children of ``parent`` the user may see for the action (the first ``CHILDREN_LIMIT``), and
    whether there are more (a town may hold a thousand unions: search finds the rest)."""
    rows = list(
        scope.browsable(user)
        .filter(depth=parent.depth + 1, path__gt=parent.path, path__lt=parent.path + PATH_UPPER_SENTINEL)
        .order_by("path")[: CHILDREN_LIMIT + 1]
    )
    more = len(rows) > CHILDREN_LIMIT
    rows = rows[:CHILDREN_LIMIT]
    return _nodes(rows, _choosable_among(user, scope, rows)), more


def picker_search(user: Any, scope: PickerScope, text: str) -> list[PickerNode]:
    """Choosable organisations matching ``text`` (name, code, pinyin initials, credit code), each with the
    names of its ancestors the user may see, so that two 工会 of the same name can be told apart."""
    rows = list(scope.choosable(user).filter(search_q(text))[:SEARCH_LIMIT])
    step = Organisation.steplen
    paths = {o.path[:i] for o in rows for i in range(step, len(o.path), step)}
    names = dict(scope.browsable(user).filter(path__in=paths).values_list("path", "name")) if paths else {}
    return [
        PickerNode(
            o, True, " › ".join(names[o.path[:i]] for i in range(step, len(o.path), step) if o.path[:i] in names)
        )
        for o in rows
    ]


def _choosable_among(user: Any, scope: PickerScope, rows: list[Organisation]) -> set[int]:
    """Which of the (already scoped) ``rows`` may be chosen; one query only when a subtree is excluded."""
    candidates = [o for o in rows if scope.is_choosable(o)]
    if scope.exclude_pk is None or not candidates:
        return {o.pk for o in candidates}
    return set(scope.choosable(user).filter(pk__in=[o.pk for o in candidates]).values_list("pk", flat=True))


def picker_parent(user: Any, scope: PickerScope, raw: str) -> Organisation | None:
    """The organisation whose children are asked for, by id, when the user may see it for the action."""
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit() and int(raw) <= ID_MAX):
        return None
    return scope.browsable(user).filter(pk=int(raw)).first()


def subtree_filter(queryset: QuerySet[Any], path_lookup: str, organisation: Organisation | None) -> QuerySet[Any]:
    """Rows of ``queryset`` in the subtree of a picked organisation (none picked: all of them)."""
    if organisation is None:
        return queryset
    return queryset.filter(subtree_q(path_lookup, organisation.path))


# --- the tree beside a list: choosing the subtree the list shows ------------------------------------

TREE_ROWS_MAX = 1000


@dataclass
class Branch:
    organisation: Organisation
    selected: bool = False
    is_open: bool = False  # its children are rendered (the trail to the selected organisation)
    children: list[Branch] | None = None
    more: bool = False  # more children than CHILDREN_LIMIT: the list itself shows them all
    autoload: bool = False  # its children load as soon as the page does (the one top of a town officer)


def side_tree(user: Any, scope: PickerScope, selected: Organisation | None) -> list[Branch]:
    """The tree beside a list: the user's top organisations for the action and, open, the trail down to
    the selected organisation with the children along it (one query). With nothing selected it costs no
    query at all: the tops come with the user's grants, and their children load in place (htmx)."""
    if selected is None:
        tops = _grant_tops(user, scope)
        return [Branch(org, autoload=len(tops) == 1 and org.numchild > 0) for org in tops]
    step = Organisation.steplen
    tops = top_paths(user, scope.perm)
    opened = {selected.path[:i] for i in range(step, len(selected.path) + 1, step)}
    q = Q(path__in=tops)
    for path in opened:
        q |= Q(depth=len(path) // step + 1, path__gt=path, path__lt=path + PATH_UPPER_SENTINEL)
    rows = scope.browsable(user).filter(q).order_by("path")[:TREE_ROWS_MAX]
    by_path: dict[str, Branch] = {}
    roots: list[Branch] = []
    for org in rows:
        branch = Branch(org, selected=org.pk == selected.pk, is_open=org.path in opened)
        by_path[org.path] = branch
        parent = by_path.get(org.path[:-step])
        if org.path in tops or parent is None:
            roots.append(branch)
            continue
        if parent.children is None:
            parent.children = []
        if len(parent.children) < CHILDREN_LIMIT:
            parent.children.append(branch)
        else:
            parent.more = True
    return roots


def _grant_tops(user: Any, scope: PickerScope) -> list[Organisation]:
    """The top organisations of the user's grants for the action, built from the grants themselves."""
    tops = set(top_paths(user, scope.perm))
    seen: dict[str, Organisation] = {}
    for g in grants_with(user, scope.perm):
        if g.path in tops and g.path not in seen and g.heading is not None:
            h = g.heading
            seen[g.path] = Organisation(
                pk=g.organisation_id,
                path=g.path,
                depth=len(g.path) // Organisation.steplen,
                code=h.code,
                name=h.name,
                numchild=h.numchild,
                status=h.status,
            )
    return [seen[p] for p in sorted(seen)]
