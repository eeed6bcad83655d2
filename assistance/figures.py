"""The figures a district reports on hardship assistance (帮扶统计), from every part of the app.

Each part (the allowance, holiday relief, illness relief, scholarships, donations) registers a
``FigureGroup`` in ``AssistanceConfig.ready()``; the figures page shows the groups in ``order``, for
the organisation and period chosen, and exports them. A group computes its figures from the rows the
user may see (``orgs.scope.scoped``) under ``organisation``'s subtree (``None``: all of them), for the dates ``start`` through
``end``; each figure links to the list of exactly the rows that make it (drill-down).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Figure:
    label: str  # "发放人月"
    value: int | Decimal
    unit: str  # "人", "件", "人月", "元"
    rows_url: str  # the list of the rows behind the figure, filtered to exactly them ("": not for this user)


@dataclass(frozen=True)
class FigureGroup:
    key: str
    label: str  # "生活补助"
    order: int
    # (user, organisation, start, end) -> the group's figures
    compute: Callable[[Any, Any, date, date], list[Figure]]


_GROUPS: dict[str, FigureGroup] = {}


def register_figure_group(group: FigureGroup) -> None:
    existing = _GROUPS.get(group.key)
    if existing is not None and existing.compute is not group.compute:
        raise ValueError(f"figure group {group.key!r} is already registered")
    _GROUPS[group.key] = group


def figure_groups() -> list[FigureGroup]:
    return sorted(_GROUPS.values(), key=lambda g: (g.order, g.key))
