"""The stated rules of a recruitment, as pure functions over Decimals.

面试成绩: with five or more interviewers the single highest and single lowest score are dropped and
the rest averaged; with fewer, all scores are averaged. 综合成绩 = 笔试 × w + 面试 × (1 − w). Both
are rounded to two places, half up. Ranking: 综合成绩 high to low, ties broken by 面试成绩, then by
笔试成绩, then by the earlier application.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TRIM_FROM = 5  # from this many interviewers on, the highest and the lowest score are dropped


def interview_score(scores: Sequence[Decimal]) -> Decimal:
    """The combined interview score of one candidate."""
    if not scores:
        raise ValueError("no interview scores")
    ordered = sorted(scores)
    kept = ordered[1:-1] if len(ordered) >= TRIM_FROM else ordered
    return (sum(kept, Decimal(0)) / len(kept)).quantize(CENT, rounding=ROUND_HALF_UP)


def total_score(written: Decimal, interview: Decimal, written_weight: Decimal) -> Decimal:
    """综合成绩 from the written and the combined interview score."""
    if not Decimal(0) <= written_weight <= Decimal(1):
        raise ValueError("weight outside 0..1")
    value = written * written_weight + interview * (Decimal(1) - written_weight)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ranking_key(total: Decimal, interview: Decimal, written: Decimal, application_id: int) -> tuple:
    """Sort key: the first in the list ranks first."""
    return (-total, -interview, -written, application_id)
