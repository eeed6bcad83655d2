"""Extension points through which apps that use the tree add to it, without orgs importing them.

- Close guards: an app that keeps live work under an organisation (active members, open requests,
  unpaid entitlements) registers a function returning the reason closing must be refused, or None.
- Move hooks: an app that keeps something derived from the tree's paths (the dashboard's tallies
  per town) registers a function run inside the move's transaction, after the paths changed.
- Subtree counters: an app registers which of its rows to count under a subtree and the action
  whose scope they follow, so the tree browser and the home page show, e.g., member counts per node
  in the same single query. ``orgs.selectors.with_counts`` counts only the rows the user may see
  (through ``orgs.scope``, like the lists): an organisation-only grant on a town counts the town's
  own rows, never those of the unions below it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from orgs.models import Organisation

CloseGuard = Callable[["Organisation"], str | None]
_close_guards: list[CloseGuard] = []


def register_close_guard(guard: CloseGuard) -> CloseGuard:
    if guard not in _close_guards:
        _close_guards.append(guard)
    return guard


def close_refusals(organisation: Organisation) -> list[str]:
    return [reason for guard in _close_guards if (reason := guard(organisation))]


MoveHook = Callable[["Organisation"], None]
_move_hooks: list[MoveHook] = []


def register_move_hook(hook: MoveHook) -> MoveHook:
    if hook not in _move_hooks:
        _move_hooks.append(hook)
    return hook


def after_move(organisation: Organisation) -> None:
    for hook in _move_hooks:
        hook(organisation)


@dataclass(frozen=True)
class SubtreeCounter:
    key: str
    label: str
    # The action whose data scope the counted rows follow (the rows its list would show).
    perm: str
    # The rows to count, before scoping (e.g. active memberships); the model declares data_scope.
    rows: Callable[[], QuerySet[Any]]
    # Lookup from a counted row to the path of the organisation it lies under.
    path: str = "organisation__path"
    # URL name of the list showing exactly these rows, filtered by ``?subtree=<code>`` and
    # ``list_query`` (the organisation list links each figure to it); empty when no list shows them.
    list_url: str = ""
    list_query: tuple[tuple[str, str], ...] = ()


_counters: dict[str, SubtreeCounter] = {}


def register_subtree_counter(counter: SubtreeCounter) -> None:
    _counters[counter.key] = counter


def subtree_counters(user: Any) -> list[SubtreeCounter]:
    """The counters this user may see: those whose action they hold somewhere (no role, no figure)."""
    from orgs.scope import has_perm

    return [c for c in _counters.values() if has_perm(user, c.perm)]
