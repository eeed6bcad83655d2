"""The API obeys the same session rules as the pages (issue 9, item 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "Brand-New-9x"


def token_for(client: Client, username: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password})


def api_get(token: str, url: str = "/api/v1/me/"):
    return Client().get(url, HTTP_AUTHORIZATION=f"Token {token}")


def test_must_change_password_is_refused_by_the_api_until_changed(district):
    user = district.user("town_a")
    token = Token.objects.create(user=user).key
    session = Client()
    session.force_login(user)
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])

    for response in (api_get(token), session.get("/api/v1/orgs/"), token_for(Client(), "town_a")):
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/json")
        assert "修改密码" in response.json()["detail"]

    changed = session.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert changed.status_code == 302
    assert session.get("/api/v1/orgs/").status_code == 200
    # the password change revoked the old token; a new one works
    assert api_get(token).status_code in (401, 403)
    fresh = token_for(Client(), "town_a", NEW).json()["token"]
    assert api_get(fresh).status_code == 200


def test_tokens_expire_after_the_configured_lifetime(district, settings):
    settings.API_TOKEN_LIFETIME = timedelta(days=7)
    token = Token.objects.create(user=district.user("town_a"))
    assert api_get(token.key).status_code == 200

    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=7, minutes=1))
    response = api_get(token.key)
    assert response.status_code in (401, 403) and "过期" in response.json()["detail"]

    settings.API_TOKEN_LIFETIME = timedelta(days=30)
    assert api_get(token.key).status_code == 200


def test_a_token_dated_in_the_future_is_refused(district):
    token = Token.objects.create(user=district.user("town_a"))
    Token.objects.filter(pk=token.pk).update(created=timezone.now() + timedelta(days=365))
    assert api_get(token.key).status_code in (401, 403)


def test_obtaining_a_token_replaces_an_expired_one_and_states_its_expiry(district, settings):
    settings.API_TOKEN_LIFETIME = timedelta(days=7)
    old = Token.objects.create(user=district.user("town_a"))
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=8))
    data = token_for(Client(), "town_a").json()
    assert data["token"] != old.key and api_get(data["token"]).status_code == 200
    assert "expires_at" in data
    # a still-current token is handed out again rather than multiplied
    assert token_for(Client(), "town_a").json()["token"] == data["token"]


def test_password_change_revokes_tokens(district):
    client = Client()
    client.force_login(district.user("chair_a"))
    token = Token.objects.create(user=district.user("chair_a")).key
    client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert not Token.objects.filter(key=token).exists()
    assert api_get(token).status_code in (401, 403)
