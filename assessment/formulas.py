"""The pure arithmetic of an assessment (tested by hand-computed cases and properties)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def q1(value: Decimal) -> Decimal:
    """An indicator's percentage to one decimal, rounded half up (四舍五入, as the appeals' rates):
    20.05 % is 20.1, not the decimal module's default half-even 20.0."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def linear_score(value: Decimal, *, floor: Decimal, target: Decimal, low: Decimal, high: Decimal) -> Decimal:
    """An automatic value's score: ``low`` at or below ``floor``, ``high`` at or above ``target``,
    linear between (``floor`` < ``target``)."""
    if value <= floor:
        return low
    if value >= target:
        return high
    return q2(low + (high - low) * (value - floor) / (target - floor))


def points(score: Decimal, *, weight: Decimal, low: Decimal, high: Decimal) -> Decimal:
    """The weighted points a score earns: weight × (score − low) / (high − low)."""
    return q2(weight * (score - low) / (high - low))


def total_of(lines: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal:
    """Total out of 100 from (weight, points or None when not applicable) pairs: the earned points
    over the weights that apply, × 100 — an indicator with no data to rate (a union with no appeals
    has no 满意率) neither earns nor loses; its weight is spread over the others. No applicable
    indicator at all → 0."""
    applicable = [(w, p) for w, p in lines if p is not None]
    weight = sum((w for w, _ in applicable), Decimal(0))
    if not weight:
        return Decimal("0.00")
    return q2(sum((p for _, p in applicable), Decimal(0)) * 100 / weight)


def combine_manual(scores: Sequence[Decimal], rule: str) -> Decimal | None:
    """Several reviewers' scores of one indicator → one score, by the set's stated rule."""
    if not scores:
        return None
    if rule == "median":
        return q2(Decimal(statistics.median(sorted(scores))))
    if rule == "min":
        return min(scores)
    return q2(sum(scores, Decimal(0)) / len(scores))


def competition_ranks(totals: Sequence[Decimal]) -> list[int]:
    """Ranks of ``totals`` (higher is better), ties sharing a rank and the next rank skipping
    (1, 2, 2, 4), in the order given."""
    order = sorted(totals, reverse=True)
    first: dict[Decimal, int] = {}
    for i, t in enumerate(order, start=1):
        first.setdefault(t, i)
    return [first[t] for t in totals]


def grade_of(bands: Sequence[dict[str, Any]], total: Decimal) -> str:
    """The grade of the highest band whose lower bound the total reaches ('' below every band)."""
    best: tuple[Decimal, str] | None = None
    for band in bands:
        low = Decimal(str(band["min_score"]))
        if total >= low and (best is None or low > best[0]):
            best = (low, str(band["grade"]))
    return best[1] if best else ""


def weights_total(weights: Iterable[Decimal]) -> Decimal:
    return sum(weights, Decimal(0))
