"""Each automatic indicator against values counted by hand on ``small_world``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from assessment.models import AssesseeKind
from assessment.registry import Assessee, Run, get_indicator, indicators_for
from assessment.tests.factories import small_world
from orgs.services import organisation_create

pytestmark = pytest.mark.django_db


def run_of(district, *orgs):
    return Run(
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        root_path=district.root.path,
        assessees=[Assessee(o.pk, o.path, o.name) for o in orgs],
    )


def measure(district, key, *orgs):
    return get_indicator(key).compute(run_of(district, *orgs))


def test_appeal_rates_by_hand(district):
    w = small_world(district)
    ua, ub = district.union_a, district.union_b
    response = measure(district, "appeals_response", ua, ub)
    # 3 of the 4 requests of 2026 contacted in time; the 2025 request is outside the period
    assert response[ua.pk].value == D("75.0") and sorted(response[ua.pk].rows) == sorted(a.pk for a in w["appeals"])
    assert ub.pk not in response  # no requests: not applicable
    resolution = measure(district, "appeals_resolution", ua)[ua.pk]
    assert resolution.value == D("66.7") and len(resolution.rows) == 3  # 2 resolved of 3 valid
    satisfaction = measure(district, "appeals_satisfaction", ua)[ua.pk]
    assert satisfaction.value == D("90.0")  # (1 satisfied + 0.8 × 1 basic) / 2 rated
    assert "已评价 2 件" in satisfaction.note


def test_members_and_growth_by_hand(district):
    w = small_world(district)
    ua = district.union_a
    organised = measure(district, "members_organised", ua, district.union_b)
    assert organised[ua.pk].value == D(13) and district.union_b.pk not in organised
    assert set(organised[ua.pk].rows) == {m.pk for m in w["stay"] + w["joined"]}
    growth = measure(district, "members_growth", ua)[ua.pk]
    assert growth.value == D("8.3")  # (13 − 12) / 12
    assert set(growth.rows) == {m.pk for m in w["joined"]}


def test_activities_by_hand(district):
    w = small_world(district)
    got = measure(district, "activities_held", district.union_a)[district.union_a.pk]
    assert got.value == D(3) and set(got.rows) == {a.pk for a in w["activities"]}


def test_a_town_counts_its_subtree_and_unions_founded(district):
    small_world(district)
    new = organisation_create(
        actor=None,
        parent=district.town_a,
        code="T-A-9",
        name="新建村工会联合会",
        kind="village_joint",
        founded_on=date(2026, 3, 1),
    )
    founded = measure(district, "unions_founded", district.town_a, district.town_b)
    assert founded[district.town_a.pk].value == D(1) and founded[district.town_a.pk].rows == [new.pk]
    assert district.town_b.pk not in founded
    # the town's activities are its unions' (沙坨村's 3)
    assert measure(district, "activities_held", district.town_a)[district.town_a.pk].value == D(3)
    assert "unions_founded" not in {d.key for d in indicators_for(AssesseeKind.JOINT)}


def test_the_registry_describes_every_indicator():
    keys = {d.key for d in indicators_for(AssesseeKind.SUB_FEDERATION)}
    assert {
        "appeals_response",
        "appeals_resolution",
        "appeals_satisfaction",
        "activities_held",
        "members_organised",
        "members_growth",
        "unions_founded",
        "dues_paid",
        "dues_growth",
        "startup_grants_used",
    } <= keys
    for key in keys:
        d = get_indicator(key)
        assert d.label and d.description and d.row_columns and d.default_target > d.default_floor
