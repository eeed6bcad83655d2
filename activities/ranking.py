"""The ranking rule of a competition, as a pure function (tested with hypothesis)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal


def competition_ranks(scores: Sequence[Decimal]) -> list[int]:
    """Standard competition ranking ("1224"): a contestant's rank is 1 + the number of contestants
    with a strictly higher score, so equal scores share a rank and the next rank is skipped
    (100, 95, 95, 90 → 1, 2, 2, 4). Returned in the order of ``scores``."""
    order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)
    ranks = [0] * len(scores)
    for position, i in enumerate(order):
        if position and scores[i] == scores[order[position - 1]]:
            ranks[i] = ranks[order[position - 1]]
        else:
            ranks[i] = position + 1
    return ranks


TRIM_FROM = 5  # with this many reviewers or more, one highest and one lowest score are dropped
CENT = Decimal("0.01")


def combined_score(scores: Sequence[Decimal]) -> Decimal:
    """A nominee's combined score from the reviewers' scores: the arithmetic mean, rounded half up to
    two decimals; with five reviewers or more, one highest and one lowest score are dropped first
    (去掉一个最高分和一个最低分). Needs at least one score."""
    if not scores:
        raise ValueError("no scores")
    kept = sorted(scores)[1:-1] if len(scores) >= TRIM_FROM else list(scores)
    return (sum(kept, Decimal(0)) / len(kept)).quantize(CENT, rounding=ROUND_HALF_UP)
