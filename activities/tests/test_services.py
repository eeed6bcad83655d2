from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities import selectors
from activities.models import Activity
from activities.services import activity_report
from activities.tests.factories import two_activities

pytestmark = pytest.mark.django_db


def test_report_records_who_and_when(district):
    a, _ = two_activities(district)
    assert a.reported_by == district.user("chair_a") and a.reported_at is not None


def test_report_refusals(district):
    with pytest.raises(PermissionDenied):
        activity_report(
            actor=district.user("chair_a"),
            organisation=district.union_b,
            title="x",
            kind="member",
            held_on=date(2026, 5, 1),
            participants=5,
        )
    with pytest.raises(ValidationError, match="不能晚于今天"):
        activity_report(
            actor=district.user("chair_a"),
            organisation=district.union_a,
            title="x",
            kind="member",
            held_on=timezone.localdate() + timedelta(days=1),
            participants=5,
        )
    assert Activity.objects.count() == 0


def test_selectors_are_scoped(district):
    a, b = two_activities(district)
    assert list(selectors.visible_activities(district.user("chair_a"))) == [a]
    assert list(selectors.visible_activities(district.user("admin"))) == [b, a]  # newest first
    assert list(selectors.reporting_unions(district.user("chair_a"))) == [district.union_a]
    assert district.union_b not in selectors.reporting_unions(district.user("town_a"))
