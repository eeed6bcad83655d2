"""Rates (接诉即办 style) against hand-computed figures, and properties of the formulas."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from appeals import selectors
from appeals.models import Appeal
from appeals.selectors import RateFilter, RateParams, appeal_rates, rates_from_counts, subtree_rates
from appeals.tests.factories import at, make_appeal
from conftest import build_district

R = Appeal.Rating
pytestmark = pytest.mark.django_db


def _set(appeal, **fields):
    Appeal.objects.filter(pk=appeal.pk).update(**fields)


def _ten_in_town_a(d):
    """Ten requests in 仁和镇 (6 at the village union, 4 at the firm) plus 3 in 后沙峪镇.

    in time: 7 of 10 · invalid: 2 · resolved: 6 of the 8 valid · rated: 满意 3, 基本满意 1, 不满意 1
    · overdue: 2 · reopened: 1 (twice)."""
    rows = [
        # org, in_time, invalid, resolved, rating, overdue, reopen
        (d.union_a, True, False, True, R.SATISFIED, False, 0),
        (d.union_a, True, False, True, R.SATISFIED, False, 0),
        (d.union_a, True, False, True, R.BASIC, False, 2),
        (d.union_a, True, False, True, R.UNSATISFIED, True, 0),
        (d.union_a, False, True, False, "", False, 0),
        (d.union_a, False, False, False, "", True, 0),
        (d.firm_a, True, False, True, R.SATISFIED, False, 0),
        (d.firm_a, True, False, True, "", False, 0),
        (d.firm_a, False, True, False, "", False, 0),
        (d.firm_a, True, False, False, "", False, 0),
    ]
    for org, in_time, invalid, resolved, rating, overdue, reopen in rows:
        a = make_appeal(d, org=org, when=at(2026, 3, 2))
        _set(
            a,
            contacted_in_time=in_time,
            invalid=invalid,
            invalid_reason="重复" if invalid else "",
            resolved=resolved,
            rating=rating,
            overdue=overdue,
            reopen_count=reopen,
        )
    for _ in range(3):
        a = make_appeal(d, org=d.union_b, when=at(2026, 3, 2))
        _set(a, contacted_in_time=True, resolved=True, rating=R.SATISFIED)


def test_hand_computed_subtree_rates(district):
    _ten_in_town_a(district)
    total, rows = subtree_rates(district.user("rights"), district.town_a)
    c = total.counts
    assert (c["all"], c["contacted_in_time"], c["valid"], c["resolved"], c["rated"]) == (10, 7, 8, 6, 5)
    assert total.response == Decimal("70.0")  # 7 / 10
    assert total.resolution == Decimal("75.0")  # 6 / 8, the two invalid ones excluded
    assert total.satisfaction == Decimal("76.0")  # (3 + 0.8 × 1) / 5
    assert total.composite == Decimal("75.0")  # 0.1×70 + 0.45×75 + 0.45×76 = 74.95 → 75.0
    assert (c["overdue"], c["reopened"], total.reopen_total) == (2, 1, 2)
    assert total.small_sample  # 10 < 30
    by_org = {r.org.code: r for r in rows}
    village, firm = by_org["T-A-1"], by_org["T-A-2"]
    assert village.total == 6 and village.response == Decimal("66.7")  # 4 / 6
    assert village.resolution == Decimal("80.0")  # 4 / 5
    assert village.satisfaction == Decimal("70.0")  # (2 + 0.8) / 4
    assert firm.total == 4 and firm.response == Decimal("75.0") and firm.resolution == Decimal("66.7")
    assert firm.satisfaction == Decimal("100.0")


def test_weights_and_basic_weight_are_parameters(district):
    _ten_in_town_a(district)
    params = RateParams(
        basic_weight=Decimal("0.5"),
        w_response=Decimal("0.2"),
        w_resolution=Decimal("0.4"),
        w_satisfaction=Decimal("0.4"),
    )
    total, _ = subtree_rates(district.user("rights"), district.town_a, params=params)
    assert total.satisfaction == Decimal("70.0")  # (3 + 0.5) / 5
    assert total.composite == Decimal("72.0")  # 0.2×70 + 0.4×75 + 0.4×70


def test_scope_and_filters_apply(district):
    _ten_in_town_a(district)
    # 后沙峪镇's officer sees none of 仁和镇's requests
    assert appeal_rates(selectors.visible_appeals(district.user("town_b"))).total == 3
    flt = RateFilter(date_from=at(2026, 3, 3).date())
    total, _ = subtree_rates(district.user("rights"), district.town_a, flt)
    assert total.total == 0 and total.response is None and total.composite is None


def test_drill_down_lists_exactly_the_rows(client, district):
    _ten_in_town_a(district)
    client.force_login(district.user("rights"))
    for metric, expected in [
        ("contacted_in_time", 7),
        ("resolved", 6),
        ("valid", 8),
        ("satisfied", 3),
        ("basic", 1),
        ("overdue", 2),
        ("reopened", 1),
    ]:
        page = client.get(f"/appeals/?subtree={district.town_a.code}&metric={metric}").content.decode()
        assert f"共 {expected} 件" in page, metric


def test_rates_page_shows_figures(client, district):
    _ten_in_town_a(district)
    client.force_login(district.user("town_a"))
    page = client.get("/appeals/rates/?date_from=2026-01-01&date_to=2026-12-31").content.decode()
    assert "70.0%" in page and "75.0%" in page and "76.0%" in page and "样本少" in page
    assert "后沙峪" not in page


def test_query_count_constant_for_subtree_rates(district):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _ten_in_town_a(district)
    user = district.user("rights")
    user = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as small:
        subtree_rates(user, district.root)
    for _ in range(5):
        make_appeal(district, org=district.union_b)
    user = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as large:
        subtree_rates(user, district.root)
    assert len(small) == len(large) <= 4


counts_strategy = st.integers(0, 50).flatmap(
    lambda total: st.tuples(
        st.just(total),
        st.integers(0, total),  # in time
        st.integers(0, total),  # valid
    ).flatmap(
        lambda t: st.tuples(
            st.just(t),
            st.integers(0, t[2]),  # resolved ≤ valid
            st.integers(0, t[0]).flatmap(
                lambda rated: st.tuples(st.just(rated), st.integers(0, rated)).flatmap(
                    lambda rs: st.tuples(st.just(rs), st.integers(0, rs[0] - rs[1]))
                )
            ),
        )
    )
)


@given(counts_strategy, st.decimals(min_value=0, max_value=1, places=2))
def test_rate_formula_properties(sample, basic_weight):
    (total, in_time, valid), resolved, ((rated, satisfied), basic) = sample
    counts = dict.fromkeys(selectors.METRICS, 0)
    counts.update(
        all=total,
        contacted_in_time=in_time,
        valid=valid,
        resolved=resolved,
        rated=rated,
        satisfied=satisfied,
        basic=basic,
    )
    r = rates_from_counts(counts, RateParams(basic_weight=basic_weight))
    present = [v for v in (r.response, r.resolution, r.satisfaction) if v is not None]
    for v in present:
        assert Decimal(0) <= v <= Decimal(100)
    if present:
        assert min(present) - Decimal("0.1") <= r.composite <= max(present) + Decimal("0.1")
    else:
        assert r.composite is None
    assert (r.response is None) == (total == 0)


class RatesMatchRowsTest(HypothesisTestCase):
    """Database property: the grouped children add up to the subtree total, whatever the rows."""

    @settings(deadline=None, max_examples=25)
    @given(
        st.lists(
            st.tuples(st.booleans(), st.booleans(), st.sampled_from(["", "satisfied", "basic", "unsatisfied"])),
            min_size=0,
            max_size=12,
        )
    )
    def test_children_sum_to_total(self, rows):
        d = build_district()
        for i, (in_time, resolved, rating) in enumerate(rows):
            a = make_appeal(d, org=[d.union_a, d.firm_a, d.union_b][i % 3], when=at(2026, 3, 2))
            _set(a, contacted_in_time=in_time, resolved=resolved, rating=rating)
        total, children = subtree_rates(d.user("admin"), d.root)
        for key in ("all", "contacted_in_time", "resolved", "rated", "satisfied", "basic"):
            assert sum(c.counts[key] for c in children) == total.counts[key]


def test_rates_export(client, district):
    from orgs.testing import _xlsx_text

    _ten_in_town_a(district)
    client.force_login(district.user("town_a"))
    text = _xlsx_text(b"".join(client.get("/appeals/rates/?date_from=2026-01-01&export=xlsx").streaming_content))
    assert "合计\t仁和镇总工会\t10.0\t7.0\t70.0" in text  # calamine reads numbers as floats and "西泗上村" not in text


def test_organisation_only_grant_rates_count_and_list_only_the_town_itself(client, district):
    """Issue 9.7: an organisation-only role on a town sees the town's own requests, no child union."""
    from conftest import make_user
    from orgs.roles import Role, ScopeMode
    from orgs.services import role_grant

    _ten_in_town_a(district)
    for _ in range(2):
        make_appeal(district, org=district.town_a, when=at(2026, 3, 2))
    user = make_user("town_only")
    role_grant(actor=None, user=user, role=Role.SUB_OFFICER, organisation=district.town_a, scope=ScopeMode.ORG)
    total, rows = subtree_rates(user, district.town_a, RateFilter())
    assert total.total == 2
    assert [(r.org.code, r.total, bool(r.extra.get("own"))) for r in rows] == [(district.town_a.code, 2, True)]
    client.force_login(user)
    page = client.get("/appeals/rates/?date_from=2026-01-01&date_to=2026-12-31").content.decode()
    assert district.union_a.name not in page and district.firm_a.name not in page
    # the subtree officer of the same town still gets every child with its figures
    total, rows = subtree_rates(district.user("town_a"), district.town_a, RateFilter())
    assert total.total == 12
    assert {r.org.code for r in rows} == {district.union_a.code, district.firm_a.code, district.town_a.code}
