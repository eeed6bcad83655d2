"""The ranking rule: standard competition ranking ("1224"), a pure function."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from activities.ranking import competition_ranks


def test_ranking_ties_share_a_rank_and_skip_the_next():
    assert competition_ranks([D("90"), D("100"), D("95"), D("95")]) == [4, 1, 2, 2]
    assert competition_ranks([]) == []
    assert competition_ranks([D("1")] * 3) == [1, 1, 1]


@settings(deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=100, places=1), max_size=40))
def test_ranking_is_one_plus_the_number_strictly_higher(scores):
    ranks = competition_ranks(scores)
    for score, rank in zip(scores, ranks, strict=True):
        assert rank == 1 + sum(1 for other in scores if other > score)
