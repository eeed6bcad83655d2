"""The production server, for real (issue 16 item 1): gunicorn with ``GONGHUI_PROFILE=production`` on
PostgreSQL, behind what nginx would send (``X-Forwarded-Proto: https``), static files by WhiteNoise.

Signs in, opens pages, and checks the security headers, the cookies' flags, the SSL redirect, the
probes and the JSON request log. It runs in the PostgreSQL pass of ``scripts/test.py`` (on SQLite it
is skipped with that reason; in CI the PostgreSQL pass is compulsory).
"""

from __future__ import annotations

import json
import re
import time

import pytest

from core.models import User
from core.tests.production import PASSWORD, Browser
from orgs.roles import Role
from orgs.services import role_grant

pytestmark = pytest.mark.django_db(transaction=True)


def test_gunicorn_production_profile(gunicorn, district, settings):
    port, log = gunicorn
    # the production process checks Django's real hashers, not conftest's fast one
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = User(username="smoke", display_name="冒烟测试")
    user.set_password(PASSWORD)
    user.save()
    role_grant(actor=None, user=user, role=Role.DISTRICT_ADMIN, organisation=district.root)

    browser = Browser(port)
    # plain HTTP goes to HTTPS; the load balancer's probes are exempt
    plain = browser.request("GET", "/accounts/login/", https=False)
    assert plain.status == 301 and plain.headers["Location"].startswith("https://")
    assert browser.request("GET", "/healthz", https=False).status == 200
    ready = browser.request("GET", "/readyz", https=False)
    assert json.loads(ready.text)["checks"]["database"]["ok"] is True

    login = browser.request("GET", "/accounts/login/")
    assert login.status == 200
    headers = login.headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    csrf = browser.cookies["csrftoken"]

    # a hashed static file from the page, served by WhiteNoise with a long cache lifetime
    asset = re.search(r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.(?:css|js))"', login.text)
    assert asset, "no hashed static file linked from the login page"
    static = browser.request("GET", asset.group(1))
    assert static.status == 200 and "max-age=315360000" in static.headers["Cache-Control"]

    signed_in = browser.request(
        "POST", "/accounts/login/", f"username=smoke&password={PASSWORD}&csrfmiddlewaretoken={csrf}"
    )
    assert signed_in.status == 302, signed_in.text[:500]
    session_line = next(line for line in browser.set_cookie_lines if line.startswith("sessionid="))
    flags = {part.strip().lower() for part in session_line.split(";")}
    assert {"secure", "httponly", "samesite=lax"} <= flags
    csrf_line = next(line for line in browser.set_cookie_lines if line.startswith("csrftoken="))
    assert "secure" in {part.strip().lower() for part in csrf_line.split(";")}

    for path in ("/", "/members/", "/orgs/", "/funds/", "/appeals/"):
        page = browser.request("GET", path)
        assert page.status == 200, (path, page.status, page.text[:300])
    assert browser.request("GET", "/members/999999999999999999999999999999/").status == 404

    # one JSON request line each, with the facts and the user's id
    time.sleep(0.5)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    finished = [line for line in lines if line.get("event") == "request_finished" and line.get("path") == "/members/"]
    assert finished and finished[0]["user_id"] == user.pk and finished[0]["status"] == 200
    assert finished[0]["queries"] > 0 and finished[0]["request_id"]
