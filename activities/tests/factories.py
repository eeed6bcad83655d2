"""Events for tests, made through the services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from activities.models import Activity
from activities.services import activity_report, event_create


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


def competition(district: Any, *, organisation: Any = None, held_in_days: int = 7, **changes: Any) -> Activity:
    """A forklift competition of town A (or ``organisation``), registration open from today, co-organised
    by the district's 区团委 (a partner organisation of the test district)."""
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "actor": district.user("econ"),
        "organisation": organisation or district.town_a,
        "title": "叉车技能大赛",
        "kind": Activity.Kind.COMPETITION,
        "skill": "叉车",
        "place": "仁和镇职工之家",
        "held_on": today + timedelta(days=held_in_days),
        "registration_opens": today,
        "registration_closes": today + timedelta(days=max(held_in_days, 0)),
        "co_organisers": [district.youth],
    }
    fields.update(changes)
    return event_create(**fields)


def held(activity: Activity, days_ago: int = 1) -> Activity:
    """Moves an event into the past (tests of attendance and results after registration)."""
    when = timezone.localdate() - timedelta(days=days_ago)
    Activity.objects.filter(pk=activity.pk).update(
        held_on=when, registration_opens=when - timedelta(days=7), registration_closes=when, ends_on=None
    )
    activity.refresh_from_db()
    return activity
