"""The production server, for real (issue 16 item 1): gunicorn with ``GONGHUI_PROFILE=production`` on
PostgreSQL, behind what nginx would send (``X-Forwarded-Proto: https``), static files by WhiteNoise.

Signs in, opens pages, and checks the security headers, the cookies' flags, the SSL redirect, the
probes and the JSON request log. It runs in the PostgreSQL pass of ``scripts/test.py`` (on SQLite it
is skipped with that reason; in CI the PostgreSQL pass is compulsory).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.db import connection

from conftest import TEST_DATA_KEY
from core.models import User
from orgs.roles import Role
from orgs.services import role_grant

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Prod@Smoke2026"
SECRET = "smoke-" + "k" * 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Browser:
    """Just enough of a browser over http.client: cookies (Secure ones too, as over TLS) and the
    header nginx adds."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.set_cookie_lines: list[str] = []

    def request(
        self, method: str, path: str, body: str | None = None, *, https: bool = True
    ) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        if https:
            headers |= {"X-Forwarded-Proto": "https", "Referer": "https://127.0.0.1/accounts/login/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.text = response.read().decode("utf-8", "replace")  # type: ignore[attr-defined]
        for line in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_lines.append(line)
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """collectstatic once for the session (minutes on a loaded machine: it compresses every asset);
    the gunicorn and nginx tests share the folder."""
    root = tmp_path_factory.mktemp("staticfiles")
    env = _env(root, "sqlite:////nonexistent/unused.sqlite3")
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return root


def _env(static_root: Path, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "GONGHUI_PROFILE": "production",
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "GONGHUI_DATA_KEY": TEST_DATA_KEY,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "https://127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(static_root.parent / "media"),  # uploads through the server stay in the test's folder
        "LOG_LEVEL": "INFO",
        "GONGHUI_TRUSTED_PROXY_COUNT": "1",
    }


@pytest.fixture
def gunicorn(static_root, district, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the production smoke test runs in the PostgreSQL pass (DATABASE_URL=postgres://…)")
    port = _free_port()
    log = static_root.parent / "gunicorn.log"
    with log.open("w") as err:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gonghui.wsgi",
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env=_env(static_root, _database_url()),
            stdout=err,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if Browser(port).request("GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer in 30 s:\n" + log.read_text()
            time.sleep(0.3)
        yield port, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


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
