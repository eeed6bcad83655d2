"""Extension points through which apps that use the tree add to it, without orgs importing them.

- Close guards: an app that keeps live work under an organisation (active members, open requests,
  unpaid entitlements) registers a function returning the reason closing must be refused, or None.
- Subtree counters: an app registers a correlated subquery counting its rows under a subtree, so
  the tree browser shows, e.g., member counts per node in the same single query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orgs.models import Organisation

CloseGuard = Callable[["Organisation"], str | None]
_close_guards: list[CloseGuard] = []


def register_close_guard(guard: CloseGuard) -> CloseGuard:
    if guard not in _close_guards:
        _close_guards.append(guard)
    return guard


def close_refusals(organisation: Organisation) -> list[str]:
    return [reason for guard in _close_guards if (reason := guard(organisation))]


@dataclass(frozen=True)
class SubtreeCounter:
    key: str
    label: str
    # Given the outer organisation's path expression, returns an expression (a Subquery) to annotate.
    build: Callable[[Any], Any]


_counters: dict[str, SubtreeCounter] = {}


def register_subtree_counter(counter: SubtreeCounter) -> None:
    _counters[counter.key] = counter


def subtree_counters() -> list[SubtreeCounter]:
    return list(_counters.values())
