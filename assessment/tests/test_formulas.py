from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from assessment.formulas import combine_manual, competition_ranks, grade_of, linear_score, points, total_of

scores = st.decimals(min_value=0, max_value=100, places=2)


def test_linear_score_by_hand():
    assert linear_score(D("75"), floor=D("60"), target=D("100"), low=D(0), high=D(100)) == D("37.50")
    assert linear_score(D("50"), floor=D("60"), target=D("100"), low=D(0), high=D(10)) == D(0)
    assert linear_score(D("120"), floor=D("60"), target=D("100"), low=D(0), high=D(10)) == D(10)
    assert points(D("85"), weight=D("30"), low=D(0), high=D(100)) == D("25.50")


@given(value=st.decimals(min_value=-1000, max_value=1000, places=2), a=scores, b=scores)
def test_linear_score_stays_in_range_and_grows(value, a, b):
    floor, target = min(a, b), max(a, b) + 1
    got = linear_score(value, floor=floor, target=target, low=D(0), high=D(100))
    assert D(0) <= got <= D(100)
    assert linear_score(value + 1, floor=floor, target=target, low=D(0), high=D(100)) >= got


def test_total_spreads_the_weight_of_what_does_not_apply():
    assert total_of([(D(40), D(30)), (D(30), D("19.5")), (D(30), None)]) == D("70.71")  # 49.5 / 70
    assert total_of([(D(50), None)]) == D("0.00")


@given(st.lists(st.tuples(st.decimals(min_value=1, max_value=50, places=2), scores), min_size=1, max_size=8))
def test_total_is_between_0_and_100(rows):
    lines = [(w, (w * s / 100).quantize(D("0.01"))) for w, s in rows]
    assert D(0) <= total_of(lines) <= D("100.01")


def test_manual_rules_and_ranks_and_grades():
    assert combine_manual([D(80), D(90), D(70)], "mean") == D("80.00")
    assert combine_manual([D(80), D(90), D(70), D(60)], "median") == D("75.00")
    assert combine_manual([D(80), D(90)], "min") == D(80)
    assert combine_manual([], "mean") is None
    assert competition_ranks([D(80), D(90), D(80), D(70)]) == [2, 1, 2, 4]
    bands = [{"min_score": "90", "grade": "优秀"}, {"min_score": "60", "grade": "合格"}]
    assert [grade_of(bands, D(x)) for x in ("95", "90", "89.99", "59")] == ["优秀", "优秀", "合格", ""]


@given(st.lists(scores, min_size=1, max_size=30))
def test_ranks_order_the_totals(totals):
    ranks = competition_ranks(totals)
    for i, t in enumerate(totals):
        assert ranks[i] == 1 + sum(1 for u in totals if u > t)
