from __future__ import annotations

import pytest
from django.urls import reverse

from orgs.models import Organisation
from orgs.roles import Perm
from orgs.testing import API_DETAIL, API_LIST, DETAIL, EXPORT, LIST, ScopedRoute, check_route

pytestmark = pytest.mark.django_db

ROUTES = [
    ScopedRoute("org detail", DETAIL, Perm.ORG_VIEW, lambda o: reverse("orgs:detail", args=[o.code])),
    ScopedRoute("org children", DETAIL, Perm.ORG_VIEW, lambda o: reverse("orgs:children", args=[o.code])),
    ScopedRoute(
        "org list", LIST, Perm.ORG_VIEW, lambda o: reverse("orgs:list") + "?per_page=100", marker=lambda o: o.code
    ),
    ScopedRoute(
        "org search list", LIST, Perm.ORG_VIEW, lambda o: reverse("orgs:list") + "?q=联", marker=lambda o: o.code
    ),
    ScopedRoute(
        "org picker search", LIST, Perm.ORG_VIEW, lambda o: reverse("orgs:search") + "?q=联", marker=lambda o: o.code
    ),
    ScopedRoute(
        "org export", EXPORT, Perm.ORG_VIEW, lambda o: reverse("orgs:list") + "?export=xlsx", marker=lambda o: o.code
    ),
    ScopedRoute(
        "org tree", LIST, Perm.ORG_VIEW, lambda o: reverse("orgs:tree"), marker=lambda o: f'data-code="{o.code}"'
    ),
    ScopedRoute("org edit", DETAIL, Perm.ORG_CHANGE, lambda o: reverse("orgs:edit", args=[o.code])),
    ScopedRoute("org close page", DETAIL, Perm.ORG_CLOSE, lambda o: reverse("orgs:close", args=[o.code])),
    ScopedRoute(
        "api org list", API_LIST, Perm.ORG_VIEW, lambda o: "/api/v1/orgs/?page_size=500", marker=lambda o: f'"{o.code}"'
    ),
    ScopedRoute("api org detail", API_DETAIL, Perm.ORG_VIEW, lambda o: f"/api/v1/orgs/{o.code}/"),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_scope_matrix(client, district, route):
    d = district
    inside = {
        "admin": d.union_b,
        "org_dept": d.union_a,
        "rights": d.union_a,
        "auditor": d.union_b,
        "finance": d.union_a,
        "econ": d.union_b,
        "town_a": d.union_a,
        "town_b": d.union_b,
        "chair_a": d.union_a,
        "social_a": d.union_a,
        "women": d.women,
        "worker_a": d.union_a,
    }
    outside = {
        "town_a": d.union_b,
        "town_b": d.union_a,
        "chair_a": d.union_b,
        "social_a": d.union_b,
        "women": d.union_a,
        "youth": d.women,
    }
    if route.name == "org tree":  # the tree shows top nodes; children come lazily
        inside = {"admin": d.root, "town_a": d.town_a, "chair_a": d.union_a, "women": d.women}
        outside = {"town_a": d.town_b, "chair_a": d.union_b, "women": d.root}
    failures = check_route(client, d, route, inside=inside, outside=outside)
    assert failures == []


def test_no_role_gets_403_everywhere(client, district):
    client.force_login(district.user("nobody"))
    for url in ("/orgs/", "/orgs/list/", "/orgs/T-A/", "/orgs/search/?q=a", "/accounts/users/", "/accounts/audit/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/v1/orgs/").status_code == 403
    assert client.get("/").status_code == 200  # the home page explains there is no role yet


def test_subtree_filter_cannot_reach_outside(client, district):
    client.force_login(district.user("town_a"))
    body = client.get("/orgs/list/?subtree=T-B").content.decode()
    assert "T-B-1" not in body and "共 0 个组织" in body
    data = client.get("/api/v1/orgs/?subtree=T-A").json()
    assert sorted(r["code"] for r in data["results"]) == ["T-A", "T-A-1", "T-A-2"]


def test_api_detail_shows_parent_code(client, district):
    client.force_login(district.user("admin"))
    assert client.get("/api/v1/orgs/T-A-1/").json()["parent_code"] == "T-A"


def test_edit_with_bad_credit_code_shows_chinese_error_and_changes_nothing(client, district):
    client.force_login(district.user("town_a"))
    response = client.post(
        "/orgs/T-A-2/edit/",
        {"name": "改名", "kind": "enterprise", "credit_code": "91350100M000100Y44", "economic_type": "non_public"},
    )
    assert response.status_code == 200
    assert "校验" in response.content.decode()
    assert Organisation.objects.get(code="T-A-2").name == "北京顺鑫物流有限公司工会"


def test_edit_saves_and_is_recorded_in_history(client, district):
    client.force_login(district.user("chair_a"))
    response = client.post(
        "/orgs/T-A-1/edit/", {"name": "沙坨村工会联合会", "kind": "village_joint", "chair_name": "马桂英"}
    )
    assert response.status_code == 302
    org = Organisation.objects.get(code="T-A-1")
    assert org.chair_name == "马桂英"
    assert org.history.first().history_user.username == "chair_a"


def test_close_page_refuses_with_message(client, district):
    client.force_login(district.user("town_a"))
    response = client.post("/orgs/T-A/close/", {"closed_on": "2026-01-05", "reason": "合并", "confirm": "on"})
    assert response.status_code == 200
    assert "仍有 2 个下级组织未撤销" in response.content.decode()
    assert Organisation.objects.get(code="T-A").status == "active"


def test_tree_search_shows_only_the_visible_trail(client, district):
    client.force_login(district.user("town_a"))
    body = client.get("/orgs/?q=沙坨").content.decode()
    assert "仁和镇总工会" in body and "测试区总工会" not in body  # the district is outside the officer's scope
