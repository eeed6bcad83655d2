"""Hand-computed vectors, written from the rules in the issue (not from the code), and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from programmes.plugins import (
    DuesRebate,
    JointUnionSubsidy,
    StartupGrant,
    dues_rebate_amount,
    joint_union_amount,
    score_coefficient,
    startup_grant_amount,
)

D = Decimal
TIERS = [
    {"min_members": 1, "rate": "150.00"},
    {"min_members": 51, "rate": "120.00"},
    {"min_members": 201, "rate": "100.00"},
]


# --- start-up grant: members × per-member rate of the tier the count falls in ---------------


@pytest.mark.parametrize(
    "members, expected",
    [
        (1, D("150.00")),  # 1 × 150
        (42, D("6300.00")),  # 42 × 150
        (50, D("7500.00")),  # last member count of tier 1: 50 × 150
        (51, D("6120.00")),  # first of tier 2: 51 × 120
        (200, D("24000.00")),  # 200 × 120
        (201, D("20100.00")),  # 201 × 100
    ],
)
def test_startup_grant_tier_vectors(members, expected):
    assert startup_grant_amount(members, TIERS)[0] == expected


def test_startup_grant_refuses_average_below_100():
    params = {"window_start": "2026-01-01", "window_end": "2026-12-31", "tiers": [{"min_members": 1, "rate": "99.99"}]}
    with pytest.raises(ValidationError, match=r"平均每人不低于 100\.00 元"):
        StartupGrant().validate_parameters(params)
    params["tiers"] = [{"min_members": 1, "rate": "150"}, {"min_members": 100, "rate": "80"}]
    with pytest.raises(ValidationError, match="第 2 档"):
        StartupGrant().validate_parameters(params)
    params["tiers"] = [{"min_members": 1, "rate": "100"}]
    assert StartupGrant().validate_parameters(params)["tiers"] == [{"min_members": 1, "rate": "100.00"}]


def test_startup_grant_refuses_bad_window_and_tiers():
    with pytest.raises(ValidationError, match="不能早于"):
        StartupGrant().validate_parameters({"window_start": "2026-12-31", "window_end": "2026-01-01", "tiers": TIERS})
    with pytest.raises(ValidationError, match="从 1 人起"):
        StartupGrant().validate_parameters(
            {"window_start": "2026-01-01", "window_end": "2026-12-31", "tiers": [{"min_members": 5, "rate": "100"}]}
        )


@given(members=st.integers(min_value=1, max_value=5000))
def test_startup_grant_average_never_below_100(members):
    amount, _ = startup_grant_amount(members, TIERS)
    assert amount / members >= D("100")


# --- dues rebate ---------------------------------------------------------------------------


def rebate(dues, prior, ratio="0.40", prior_ratio="0.40"):
    return dues_rebate_amount(
        dues=D(dues),
        prior_dues=None if prior is None else D(prior),
        ratio=D(ratio),
        prior_ratio=D(prior_ratio),
        growth_share=D("0.5"),
        new_share=D("1"),
    )[0]


def test_first_time_payer_gets_all_of_the_retained_share():
    # dues 12,345.67 × 40% = 4,938.268 retained; 100% → 4,938.27
    assert rebate("12345.67", None) == D("4938.27")


def test_payer_whose_dues_grew_gets_half_of_the_growth():
    # retained 2026: 120,000 × 40% = 48,000; 2025: 100,000 × 40% = 40,000; growth 8,000 × 50% = 4,000
    assert rebate("120000", "100000") == D("4000.00")


def test_payer_whose_dues_fell_gets_nothing():
    # retained 2026: 90,000 × 40% = 36,000 < 2025: 40,000 → max(0, −4,000) = 0
    assert rebate("90000", "100000") == D("0.00")


def test_growth_uses_each_years_ratio():
    # 2026: 100,000 × 45% = 45,000; 2025: 100,000 × 40% = 40,000; growth 5,000 × 50% = 2,500
    assert rebate("100000", "100000", ratio="0.45", prior_ratio="0.40") == D("2500.00")


def test_prior_year_with_zero_dues_counts_as_first_time():
    assert rebate("1000", "0") == D("400.00")


def test_dues_parameters_validated():
    with pytest.raises(ValidationError, match="留成比例"):
        DuesRebate().validate_parameters({"retention_ratio": "1.5"})
    p = DuesRebate().validate_parameters({"retention_ratio": "0.4"})
    assert (p["growth_share"], p["new_share"]) == ("0.5", "1")


@given(
    dues=st.decimals(min_value=0, max_value=10**7, places=2),
    prior=st.decimals(min_value=D("0.01"), max_value=10**7, places=2),
)
def test_rebate_never_negative_and_at_most_half_the_growth(dues, prior):
    r = rebate(dues, prior)
    # Each year's retained share is rounded to the fen before the difference (issue 10): the two
    # roundings move the growth by at most 0.01, half of which reaches the rebate, plus its own 0.005.
    assert D(0) <= r <= max(D(0), (dues - prior) * D("0.4") * D("0.5")) + D("0.01")


# --- joint union: three subsidies linked to three factors -------------------------------------

BANDS = [
    {"min_score": "90", "coefficient": "1.2"},
    {"min_score": "80", "coefficient": "1.0"},
    {"min_score": "60", "coefficient": "0.6"},
]


def jointly(members, activities, score):
    return joint_union_amount(
        members=members,
        activities=activities,
        score=None if score is None else D(score),
        member_rate=D("20.00"),
        activity_rate=D("500.00"),
        activity_cap=D("6000.00"),
        base=D("5000.00"),
        bands=BANDS,
    )


def test_joint_union_three_parts():
    # 42 × 20 = 840; 5 × 500 = 2,500; 86.5 → band 80 → 1.0 × 5,000 = 5,000; total 8,340
    assert jointly(42, 5, "86.5")[:4] == (D("8340.00"), D("840.00"), D("2500.00"), D("5000.00"))


def test_joint_union_activity_cap_and_band_edges():
    # 15 × 500 = 7,500 capped at 6,000; score exactly 90 → 1.2 × 5,000 = 6,000; 0 members
    assert jointly(0, 15, "90")[:4] == (D("12000.00"), D("0.00"), D("6000.00"), D("6000.00"))
    # score 59.99 is below every band → 0; no assessment → 0
    assert jointly(10, 0, "59.99")[3] == D("0.00")
    assert jointly(10, 0, None)[0] == D("200.00")
    assert score_coefficient(BANDS, D("60")) == D("0.6")


def test_joint_union_parameters_validated():
    base = {"member_rate": "20", "activity_rate": "500", "activity_cap": "6000", "assessment_base": "5000"}
    with pytest.raises(ValidationError, match="请填写“考核分档系数”") as refused:
        JointUnionSubsidy().validate_parameters(base)
    assert list(refused.value.message_dict) == ["score_bands"]  # shown beside the table on the form
    with pytest.raises(ValidationError, match="请选择试点工会"):
        JointUnionSubsidy().validate_parameters({**base, "score_bands": BANDS, "pilot_only": True})
    for bad in ("NaN", "Infinity"):
        with pytest.raises(ValidationError, match="分数下限应在 0–100"):
            JointUnionSubsidy().validate_parameters({**base, "score_bands": [{"min_score": bad, "coefficient": "1"}]})
    with pytest.raises(ValidationError, match="每名会员补贴"):
        JointUnionSubsidy().validate_parameters({**base, "member_rate": "abc", "score_bands": BANDS})
