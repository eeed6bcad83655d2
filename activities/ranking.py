"""The ranking rule of a competition, as a pure function (tested with hypothesis)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


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
