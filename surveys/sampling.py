"""Who a survey is sent to: pure functions, tested with hypothesis."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence


def sample_people(candidates: Sequence[int], size: int | None, seed: int) -> list[int]:
    """The ids sent the survey: all of them without a size, else ``size`` drawn at random.

    Deterministic: the candidates are sorted first, so the same stored seed and the same roster
    give the same sample on any machine (``random.Random`` is specified to be reproducible)."""
    ordered = sorted(set(candidates))
    if size is None or size >= len(ordered):
        return ordered
    return sorted(random.Random(seed).sample(ordered, size))


def reporting_groups(unions: Mapping[int, int], fallback: int, minimum: int) -> dict[int, int]:
    """person id → the organisation their answer is counted under.

    ``unions`` maps each invited person to their union. A union with at least ``minimum`` invited
    members is its own group; the others are pooled into ``fallback`` (the survey's organisation),
    so that no group of an anonymous survey is smaller than ``minimum`` unless the survey is."""
    sizes = Counter(unions.values())
    return {person: (union if sizes[union] >= minimum else fallback) for person, union in unions.items()}
