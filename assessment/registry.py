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


@dataclass(frozen=True)
class Span:
    """A social worker serving one union from ``start`` through ``end`` (inclusive, clipped to the period)."""

    start: date
    end: date
    worker: int


@dataclass
class Run:
    """What every indicator of one computation shares: the period, the assessees, the subtree the
    data is read from, and a cache so indicators reading the same rows (the three appeal rates)
    query them once.

    Organisations own the rows of their subtree. Social workers (``spans`` set: per served union's
    path, the assignments of the period) own the rows of the unions they served, on the days they
    served them — so a row is attributed by its organisation *and its date*; a row without a date
    belongs to no worker."""

    start: date
    end: date
    root_path: str
    assessees: Sequence[Assessee]
    cache: dict[str, Any] = field(default_factory=dict)
    spans: dict[str, list[Span]] | None = None
    _owner: dict[str, int] | None = None

    @property
    def year(self) -> int:
        return self.end.year

    @property
    def by_date(self) -> bool:
        """Whether rows are attributed by their date too (the assessees are social workers)."""
        return self.spans is not None

    def owner(self, path: str, on: date | None = None) -> int | None:
        """The assessee owning a row of the organisation at ``path`` dated ``on``: the organisation
        whose subtree holds it, or the worker serving that union on that day (on a changeover day,
        the worker who started then)."""
        if self.spans is not None:
            return self._worker_at(path, on)
        if self._owner is None:
            self._owner = {a.path: a.pk for a in self.assessees}
        for length in range(len(path), 0, -STEP):
            found = self._owner.get(path[:length])
            if found is not None:
                return found
        return None

    def _worker_at(self, path: str, on: date | None) -> int | None:
        if on is None or self.spans is None:
            return None
        for length in range(len(path), 0, -STEP):
            best: Span | None = None
            for span in self.spans.get(path[:length], ()):
                if span.start <= on <= span.end and (best is None or span.start > best.start):
                    best = span
            if best is not None:
                return best.worker
        return None

    def group(self, rows: Iterable[tuple[Any, ...]]) -> dict[int, list[int]]:
        """(row id, organisation path[, date]) tuples → row ids per assessee."""
        out: dict[int, list[int]] = {}
        for pk, path, *day in rows:
            owner = self.owner(path, day[0] if day else None)
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
