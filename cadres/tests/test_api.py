from __future__ import annotations

import pytest

from cadres.models import Post
from cadres.tests.factories import side
from orgs.roles import Perm
from orgs.testing import API_DETAIL, API_LIST, ScopedRoute, check_route

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district):
    return {"A": side(district, True, "甲标记"), "B": side(district, False, "乙标记")}


@pytest.mark.parametrize(
    "route, key",
    [
        (
            ScopedRoute("posts", API_LIST, Perm.CADRE_VIEW, lambda _: "/api/v1/cadres/posts/", lambda o: o.cadre.name),
            "post",
        ),
        (
            ScopedRoute(
                "post", API_DETAIL, Perm.CADRE_VIEW, lambda o: f"/api/v1/cadres/posts/{o.pk}/", lambda o: o.cadre.name
            ),
            "post",
        ),
        (
            ScopedRoute(
                "workers", API_LIST, Perm.CADRE_VIEW, lambda _: "/api/v1/cadres/social-workers/", lambda o: o.name
            ),
            "social_worker",
        ),
        (
            ScopedRoute(
                "records",
                API_LIST,
                Perm.CADRE_VIEW,
                lambda _: "/api/v1/cadres/training-records/",
                lambda o: o.cadre.name,
            ),
            "attendance",
        ),
        (
            ScopedRoute(
                "record",
                API_DETAIL,
                Perm.CADRE_VIEW,
                lambda o: f"/api/v1/cadres/training-records/{o.pk}/",
                lambda o: o.cadre.name,
            ),
            "attendance",
        ),
    ],
    ids=lambda v: getattr(v, "name", v),
)
def test_api_scope_matrix(client, district, world, route, key):
    a, b = world["A"][key], world["B"][key]
    inside = {"admin": a, "org_dept": b, "town_a": a}
    outside = {"town_a": b, "town_b": a}
    assert check_route(client, district, route, inside=inside, outside=outside) == []


def test_record_a_post_by_api(client, district):
    client.force_login(district.user("town_a"))
    body = {
        "organisation": district.union_a.code,
        "name": "接口主席",
        "role": "chair",
        "term_start": "2026-01-01",
        "term_end": "2030-12-31",
        "started_on": "2026-01-02",
    }
    r = client.post("/api/v1/cadres/posts/", body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["name"] == "接口主席" and r.json()["organisation"] == district.union_a.code
    r = client.post("/api/v1/cadres/posts/", body, content_type="application/json")
    assert r.status_code == 400 and "已有在任主席" in r.content.decode()
    r = client.post(
        "/api/v1/cadres/posts/", {**body, "organisation": district.union_b.code}, content_type="application/json"
    )
    assert r.status_code == 400 and "不在您的管理范围内" in r.content.decode()
    r = client.get("/api/v1/cadres/posts/?role=nonsense")
    assert r.status_code in (200, 400) and r.status_code < 500
    assert Post.objects.count() == 1
