"""The demo's splitting helper: parts within their bounds that add up to the total."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from demo.year2017 import split


@given(st.integers(1, 80), st.integers(0, 50), st.integers(0, 60), st.integers(0, 10_000), st.integers(0, 2**32))
def test_parts_stay_in_bounds_and_add_up(count, low, width, extra, seed):
    high = low + width
    total = count * low + extra % (count * width + 1)
    parts = split(random.Random(seed), count, total, low, high)
    assert len(parts) == count and sum(parts) == total
    assert all(low <= p <= high for p in parts)


def test_an_impossible_split_is_refused():
    with pytest.raises(ValueError):
        split(random.Random(1), 3, 100, 1, 10)
