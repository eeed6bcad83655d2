from __future__ import annotations

import pytest

from activities.models import Activity
from activities.tests.factories import two_activities
from orgs.roles import Perm
from orgs.testing import EXPORT, LIST, ScopedRoute, check_route

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "route",
    [
        ScopedRoute("activity list", LIST, Perm.ORG_VIEW, lambda a: "/activities/", lambda a: a.title),
        ScopedRoute("activity export", EXPORT, Perm.ORG_VIEW, lambda a: "/activities/?export=xlsx", lambda a: a.title),
    ],
    ids=lambda r: r.name,
)
def test_scope_matrix(client, district, route):
    a, b = two_activities(district)
    inside = {"admin": a, "org_dept": b, "finance": a, "town_a": a, "chair_a": a, "worker_a": a}
    outside = {"town_a": b, "town_b": a, "chair_a": b}
    assert check_route(client, district, route, inside=inside, outside=outside) == []


def report(client, organisation, **changes):
    data = {
        "organisation": organisation.pk,
        "title": "插花培训",
        "kind": "training",
        "held_on": "2026-04-01",
        "participants": "30",
    }
    return client.post("/activities/", {**data, **changes})


def test_create_page(client, district):
    client.force_login(district.user("chair_a"))
    r = report(client, district.union_a)
    assert r.status_code == 302 and Activity.objects.get().title == "插花培训"
    r = report(client, district.union_b, title="越权")
    assert r.status_code == 200 and Activity.objects.count() == 1  # a union outside scope is not even a choice


def test_a_refusal_of_the_service_shows_beside_its_field(client, district):
    client.force_login(district.user("chair_a"))
    r = report(client, district.union_a, title="明年的活动", held_on="2099-01-01")
    assert r.status_code == 200 and Activity.objects.count() == 0
    assert r.context["form"].errors["held_on"] == ["举办日期不能晚于今天：只报送已经开展的活动"]
