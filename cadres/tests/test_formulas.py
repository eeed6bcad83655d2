from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadres import formulas

scores = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


def test_stated_examples():
    # fewer than five interviewers: the plain mean, half up
    assert formulas.interview_score([Decimal("80"), Decimal("85"), Decimal("90.01")]) == Decimal("85.00")
    assert formulas.interview_score([Decimal("80.005")]) == Decimal("80.01")
    # five or more: the highest (99) and the lowest (60) are dropped
    five = [Decimal(x) for x in ("60", "80", "82", "84", "99")]
    assert formulas.interview_score(five) == Decimal("82.00")
    assert formulas.total_score(Decimal("70"), Decimal("82"), Decimal("0.40")) == Decimal("77.20")
    with pytest.raises(ValueError):
        formulas.interview_score([])


@given(st.lists(scores, min_size=1, max_size=4))
def test_fewer_than_five_is_the_mean(values):
    mean = sum(values) / len(values)
    assert abs(formulas.interview_score(values) - mean) <= Decimal("0.005")


@given(st.lists(scores, min_size=5, max_size=11))
def test_five_or_more_drop_one_highest_and_one_lowest(values):
    result = formulas.interview_score(values)
    kept = sorted(values)[1:-1]
    assert abs(result - sum(kept) / len(kept)) <= Decimal("0.005")
    assert min(kept) <= result <= max(kept)


@given(st.lists(scores, min_size=5, max_size=9), scores)
def test_one_extreme_interviewer_cannot_decide(values, _unused):
    """Raising the highest score (or lowering the lowest) changes nothing once five score."""
    top = max(values)
    raised = [*values]
    raised[raised.index(top)] = max(top, Decimal(100))
    assert formulas.interview_score(raised) == formulas.interview_score(values)


@given(scores, scores, st.decimals(min_value=0, max_value=1, places=2))
def test_total_lies_between_its_parts_and_has_two_places(written, interview, weight):
    total = formulas.total_score(written, interview, weight)
    assert min(written, interview) - Decimal("0.005") <= total <= max(written, interview) + Decimal("0.005")
    assert total == total.quantize(Decimal("0.01"))


@given(st.lists(st.tuples(scores, scores, scores), min_size=2, max_size=8, unique=True))
def test_ranking_orders_by_total_then_interview_then_written(rows):
    keyed = sorted(enumerate(rows), key=lambda r: formulas.ranking_key(r[1][0], r[1][1], r[1][2], r[0]))
    for (_, a), (_, b) in itertools.pairwise(keyed):
        assert (a[0], a[1], a[2]) >= (b[0], b[1], b[2])
