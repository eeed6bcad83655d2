from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities.models import Activity
from activities.services import activity_report
from orgs.roles import Perm
from orgs.testing import EXPORT, LIST, ScopedRoute, check_route

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(district):
    a = activity_report(
        actor=district.user("chair_a"),
        organisation=district.union_a,
        title="沙坨村健步走",
        kind="member",
        held_on=date(2026, 5, 1),
        participants=80,
    )
    b = activity_report(
        actor=district.user("town_b"),
        organisation=district.union_b,
        title="西泗上村问卷调查",
        kind="other",
        held_on=date(2026, 5, 2),
        participants=40,
    )
    return a, b


@pytest.mark.parametrize(
    "route",
    [
        ScopedRoute("activity list", LIST, Perm.ORG_VIEW, lambda a: "/activities/", lambda a: a.title),
        ScopedRoute("activity export", EXPORT, Perm.ORG_VIEW, lambda a: "/activities/?export=xlsx", lambda a: a.title),
    ],
    ids=lambda r: r.name,
)
def test_scope_matrix(client, district, held, route):
    a, b = held
    inside = {"admin": a, "org_dept": b, "finance": a, "town_a": a, "chair_a": a, "worker_a": a}
    outside = {"town_a": b, "town_b": a, "chair_a": b}
    assert check_route(client, district, route, inside=inside, outside=outside) == []


def test_report_records_who_and_when(district, held):
    a, _ = held
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


def test_create_page(client, district):
    client.force_login(district.user("chair_a"))
    r = client.post(
        "/activities/",
        {
            "organisation": district.union_a.pk,
            "title": "插花培训",
            "kind": "training",
            "held_on": "2026-04-01",
            "participants": "30",
        },
    )
    assert r.status_code == 302 and Activity.objects.get().title == "插花培训"
    r = client.post(
        "/activities/",
        {
            "organisation": district.union_b.pk,
            "title": "越权",
            "kind": "training",
            "held_on": "2026-04-01",
            "participants": "30",
        },
    )
    assert r.status_code == 200 and Activity.objects.count() == 1  # a union outside scope is not even a choice
