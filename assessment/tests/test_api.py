from __future__ import annotations

import pytest

from assessment.models import Assessment
from assessment.tests.factories import joint_set, score_both, small_world
from orgs.roles import Perm
from orgs.testing import API_DETAIL, API_LIST, ScopedRoute, check_route

pytestmark = pytest.mark.django_db


def test_compute_review_publish_and_read_results(client, district):
    small_world(district)
    s = joint_set(district)
    score_both(district, s)
    client.force_login(district.user("admin"))
    r = client.post(f"/api/v1/assessment/sets/{s.pk}/compute/", {"note": "年度"})
    assert r.status_code == 201 and r.json()["version"] == 1
    pk = r.json()["id"]
    r = client.post(f"/api/v1/assessment/versions/{pk}/review/")
    assert r.status_code == 400 and "计算人不能审核" in r.json()["detail"][0]
    client.force_login(district.user("org_dept"))
    assert client.post(f"/api/v1/assessment/versions/{pk}/review/").json()["state"] == "reviewed"
    assert client.post(f"/api/v1/assessment/versions/{pk}/publish/").json()["state"] == "published"
    client.force_login(district.user("chair_a"))
    rows = client.get("/api/v1/assessment/results/?year=2026").json()["results"]
    assert [(r["organisation_name"], r["total"], r["grade"]) for r in rows] == [
        (district.union_a.name, "75.00", "良好")
    ]
    assert rows[0]["lines"]["1"]["rows"]  # the activity ids behind the first indicator
    assert client.post(f"/api/v1/assessment/sets/{s.pk}/compute/").status_code == 404
    client.force_login(district.user("town_a"))
    assert client.post(f"/api/v1/assessment/versions/{pk}/publish/").status_code == 404
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    "route",
    [
        ScopedRoute(
            "api results",
            API_LIST,
            Perm.ORG_VIEW,
            lambda r: "/api/v1/assessment/results/",
            lambda r: r.organisation.code,
        ),
        ScopedRoute("api result", API_DETAIL, Perm.ORG_VIEW, lambda r: f"/api/v1/assessment/results/{r.pk}/"),
    ],
    ids=lambda r: r.name,
)
def test_api_scope_matrix(client, district, route):
    from assessment.tests.factories import publish

    s = joint_set(district)
    score_both(district, s)
    v = publish(district, s)
    a, b = v.results.get(organisation=district.union_a), v.results.get(organisation=district.union_b)
    inside = {"admin": a, "org_dept": b, "auditor": a, "town_a": a, "chair_a": a}
    outside = {"town_a": b, "town_b": a, "chair_a": b}
    assert check_route(client, district, route, inside=inside, outside=outside) == []
