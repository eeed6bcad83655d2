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
