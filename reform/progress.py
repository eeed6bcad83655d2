"""The one progress roll-up rule, and the timetable's geometry: pure functions (tested with hypothesis).

Rule (shown on the pages): a task's progress on a date is 100% when it was completed by that date,
else the completion percentage of its latest progress report dated on or before it (0% without
one). A plan's progress is the plain mean of its tasks' progress, to one decimal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

RULE = "任务进度：截至当日已完成的任务计 100%，否则取当日及以前最近一次进展报告填报的完成比例（未报告计 0%）；方案进度为各任务进度的算术平均。"


def task_progress(completed_on: date | None, latest_percent: int | None, on: date) -> int:
    if completed_on is not None and completed_on <= on:
        return 100
    return latest_percent or 0


def plan_progress(progresses: Sequence[int]) -> Decimal | None:
    if not progresses:
        return None
    return (Decimal(sum(progresses)) / len(progresses)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Bar:
    left: Decimal  # per cent of the window from its start
    width: Decimal  # per cent of the window


def _pct(days: int, total: int) -> Decimal:
    return (Decimal(days) * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def bar(start: date, end: date, window_start: date, window_end: date) -> Bar | None:
    """Where a task from ``start`` to ``end`` (both days included) lies in the window, clipped to it;
    None when it lies wholly outside."""
    total = (window_end - window_start).days + 1
    first, last = max(start, window_start), min(end, window_end)
    if total <= 0 or first > last:
        return None
    return Bar(_pct((first - window_start).days, total), _pct((last - first).days + 1, total))


def month_ticks(window_start: date, window_end: date) -> list[tuple[str, Decimal]]:
    """(label, left %) of the first day of each month in the window (the timetable's header)."""
    total = (window_end - window_start).days + 1
    ticks = []
    day = window_start.replace(day=1)
    while day <= window_end:
        if day >= window_start:
            label = f"{day.year}年{day.month}月" if day.month == 1 or not ticks else f"{day.month}月"
            ticks.append((label, _pct((day - window_start).days, total)))
        day = (day + timedelta(days=32)).replace(day=1)
    return ticks
