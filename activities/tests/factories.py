"""Activities for tests, reported through the service."""

from __future__ import annotations

from datetime import date
from typing import Any

from activities.models import Activity
from activities.services import activity_report


def two_activities(district: Any) -> tuple[Activity, Activity]:
    """One activity of union A (reported by its chair) and one of union B (by its town officer)."""
    a = activity_report(
        actor=district.user("chair_a"),
        organisation=district.union_a,
        title="沙坨村健步走",
        kind=Activity.Kind.MEMBER,
        held_on=date(2026, 5, 1),
        participants=80,
    )
    b = activity_report(
        actor=district.user("town_b"),
        organisation=district.union_b,
        title="西泗上村问卷调查",
        kind=Activity.Kind.OTHER,
        held_on=date(2026, 5, 2),
        participants=40,
    )
    return a, b
