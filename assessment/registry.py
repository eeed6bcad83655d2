"""The registry of automatic indicators.

An indicator is a function registered under a key with a Chinese label and description (what it
counts), the kinds of assessee it applies to, and a set-based computation: given the period and
every assessee at once it returns, per assessee, the value and the ids of the rows behind it — a
handful of queries for 20,000 organisations, never one per organisation. Apps register their
indicators in ``ready()`` (``assessment/indicators.py`` for the data above this app,
``programmes/indicators.py`` for dues and start-up grants).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from orgs.models import Organisation

STEP = Organisation.steplen


@dataclass(frozen=True)
class Assessee:
    pk: int
    path: str
    name: str


@dataclass
class Run:
    """What every indicator of one computation shares: the period, the assessees, the subtree the
    data is read from, and a cache so indicators reading the same rows (the three appeal rates)
    query them once."""

    start: date
    end: date
    root_path: str
    assessees: Sequence[Assessee]
    cache: dict[str, Any] = field(default_factory=dict)
    _owner: dict[str, int] | None = None

    @property
    def year(self) -> int:
        return self.end.year

    def owner(self, path: str) -> int | None:
        """The assessee whose subtree holds the organisation at ``path`` (an assessee counts its own
        rows and those of the organisations below it)."""
        if self._owner is None:
            self._owner = {a.path: a.pk for a in self.assessees}
        for length in range(len(path), 0, -STEP):
            found = self._owner.get(path[:length])
            if found is not None:
                return found
        return None

    def group(self, rows: Iterable[tuple[int, str]]) -> dict[int, list[int]]:
        """(row id, organisation path) pairs → row ids per assessee."""
        out: dict[int, list[int]] = {}
        for pk, path in rows:
            owner = self.owner(path)
            if owner is not None:
                out.setdefault(owner, []).append(pk)
        return out


@dataclass
class Measure:
    value: Decimal | None  # None: not applicable (no data to rate); its weight goes to the others
    rows: list[int]
    note: str = ""


@dataclass(frozen=True)
class RowColumn:
    header: str
    accessor: str  # attribute path on the row, "__" between steps


@dataclass(frozen=True)
class IndicatorDef:
    key: str
    label: str
    description: str
    unit: str
    kinds: frozenset[str]
    compute: Callable[[Run], dict[int, Measure]]
    row_model: str  # "app_label.Model" of the drill-down rows
    row_perm: str  # the action a user needs to see those rows (the list is scoped with it)
    row_columns: tuple[RowColumn, ...]
    default_floor: Decimal = Decimal("0")
    default_target: Decimal = Decimal("100")
    # A count (activities, members, dues): an assessee with no rows has the value 0. A rate has no
    # value without rows (not applicable, its weight spread over the others).
    absent_is_zero: bool = False


_REGISTRY: dict[str, IndicatorDef] = {}


def register_indicator(definition: IndicatorDef) -> None:
    existing = _REGISTRY.get(definition.key)
    if existing is not None and existing != definition:
        raise ValueError(f"indicator {definition.key!r} registered twice")
    _REGISTRY[definition.key] = definition


def get_indicator(key: str) -> IndicatorDef | None:
    return _REGISTRY.get(key)


def indicators_for(kind: str) -> list[IndicatorDef]:
    return [d for d in _REGISTRY.values() if kind in d.kinds]


def all_indicators() -> list[IndicatorDef]:
    return list(_REGISTRY.values())
