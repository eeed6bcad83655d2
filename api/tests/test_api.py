from __future__ import annotations

import re

import pytest
from rest_framework.authtoken.models import Token

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_routes(client, district):
    client.force_login(district.user("admin"))
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/orgs/" in schema["paths"] and "/api/v1/me/" in schema["paths"]


def test_docs_page_loads_no_asset_from_another_host(client, district):
    client.force_login(district.user("admin"))
    body = client.get("/api/v1/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert sources and all(s.startswith("/") for s in sources), sources


@pytest.mark.parametrize("who", ["finance", "town_a", "chair_a", "auditor", "worker_a", None])
def test_api_docs_only_for_those_who_connect_systems(client, district, who):
    """The schema and its interactive page: the district administrator (Perm.API_DOCS) only; every
    other role, and an anonymous caller, gets the JSON refusal of any API call, and no menu link."""
    if who:
        client.force_login(district.user(who))
    for url in ("/api/v1/docs/", "/api/v1/openapi.json"):
        response = client.get(url)
        assert response.status_code == 403 and response["Content-Type"].startswith("application/json"), url
        assert "paths" not in response.json()
    if who:
        assert 'href="/api/v1/docs/"' not in client.get("/").content.decode()


def test_api_docs_offered_to_the_administrator(client, district):
    client.force_login(district.user("admin"))
    assert 'href="/api/v1/docs/"' in client.get("/").content.decode()
    assert client.get("/api/v1/docs/").status_code == 200


def test_token_authentication(client, district):
    response = client.post("/api/v1/auth/token/", {"username": "town_a", "password": PASSWORD})
    token = response.json()["token"]
    assert Token.objects.get(key=token).user.username == "town_a"
    client.logout()
    data = client.get("/api/v1/orgs/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert sorted(r["code"] for r in data["results"]) == ["T-A", "T-A-1", "T-A-2"]


def test_me_shows_roles_and_permissions(client, district):
    client.force_login(district.user("chair_a"))
    me = client.get("/api/v1/me/").json()
    assert me["roles"][0]["organisation"] == "T-A-1" and "members.view" in me["permissions"]


def test_anonymous_gets_401_or_403(client, district):
    assert client.get("/api/v1/orgs/").status_code in (401, 403)
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_bad_filter_is_400_not_500(client, district):
    client.force_login(district.user("admin"))
    response = client.get("/api/v1/orgs/?kind=nonsense")
    assert response.status_code == 400
    assert "kind" in response.json()
