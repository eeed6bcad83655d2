"""What the tests of the production server share (the gunicorn smoke test, nginx in front of it, the
database outage, the worker kills): its environment, a free port, and a small cookie-keeping client."""

from __future__ import annotations

import http.client
import os
import socket
from http.cookies import SimpleCookie
from pathlib import Path

from django.db import connection

from conftest import TEST_DATA_KEY

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Prod@Smoke2026"
SECRET = "smoke-" + "k" * 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
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


def server_env(static_root: Path, url: str) -> dict[str, str]:
    """The production profile's environment for a process serving the database at ``url``."""
    return {
        **os.environ,
        "GONGHUI_PROFILE": "production",
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "GONGHUI_DATA_KEY": TEST_DATA_KEY,
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "https://127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(static_root.parent / "media"),  # uploads through the server stay in the test's folder
        "LOG_LEVEL": "INFO",
        "GONGHUI_TRUSTED_PROXY_COUNT": "1",
    }
