"""The example nginx config (deploy/nginx/gonghui.conf), for real, in front of gunicorn (issue 16 item 1).

Debian's nginx runs in the foreground with a prefix, pid file, logs and temporary folders of its own,
on high ports, from deploy/'s config with only the machine-specific parts replaced (ports, the
upstream's port, a self-signed certificate, the static folder). Through it: plain HTTP is redirected
and the probes are not; a static file is served by nginx itself with the long cache lifetime; a body
over ``client_max_body_size`` is answered 413 by nginx; the application sees the proxy headers
(``X-Forwarded-Proto`` — no redirect loop and HSTS; ``X-Forwarded-For`` appended — a forged address is
not taken; ``X-Request-ID`` — nginx's id in the application's log line); and the security headers.

It runs in the PostgreSQL pass, beside the gunicorn smoke test whose server it uses. Without nginx it
fails in CI (``.ci/run`` installs it) and is skipped elsewhere.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings

from activities.models import EventPhoto
from activities.services import MAX_PHOTO_BYTES, MAX_PHOTOS
from activities.tests.factories import competition, held
from core.middleware import too_large_text
from core.models import User
from core.tests.production import PASSWORD, free_port
from orgs.roles import Role
from orgs.services import role_grant

pytestmark = pytest.mark.django_db(transaction=True)

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "gonghui.conf"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def render(conf: str, *, http_port: int, https_port: int, upstream: int, cert: Path, key: Path, static: Path) -> str:
    """deploy/'s server blocks with this machine's ports, certificate and static folder."""
    replacements = [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("/etc/ssl/gonghui/fullchain.pem", str(cert)),
        ("/etc/ssl/gonghui/privkey.pem", str(key)),
        ("alias /srv/gonghui/staticfiles/;", f"alias {static}/;"),
        ("shared:gonghui:10m", "shared:gonghui_test:1m"),
    ]
    for old, new in replacements:
        assert old in conf, f"deploy/nginx/gonghui.conf no longer has {old!r}"
        conf = conf.replace(old, new)
    return conf


def _nginx_conf(prefix: Path, servers: str) -> str:
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
master_process on;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix / "access.log"};
{temp}
{servers}
}}
"""


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def trust_request_id(monkeypatch):
    # gunicorn (started next) takes the request id from nginx, as docs/operations.md says to set it
    monkeypatch.setenv("GONGHUI_TRUST_REQUEST_ID", "true")


@pytest.fixture
def nginx(trust_request_id, gunicorn, static_root, tmp_path) -> Iterator[tuple[int, int, Path]]:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        if IN_CI:
            pytest.fail("nginx is not installed: .ci/run installs Debian's nginx, and CI must test the config")
        pytest.skip("nginx is not installed (apt-get install nginx); CI runs this test")
    port, log = gunicorn
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / kind).mkdir()
    cert, key = _certificate(prefix)
    http_port, https_port = free_port(), free_port()
    servers = render(
        CONF.read_text(),
        http_port=http_port,
        https_port=https_port,
        upstream=port,
        cert=cert,
        key=key,
        static=static_root,
    )
    conf = prefix / "nginx.conf"
    conf.write_text(_nginx_conf(prefix, servers))
    checked = subprocess.run([binary, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", https_port), timeout=1):
                    break
            except OSError:
                assert process.poll() is None, (prefix / "error.log").read_text()
                assert time.monotonic() < deadline, "nginx did not listen in 20 s"
                time.sleep(0.2)
        yield http_port, https_port, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return context


def _get(port: int, path: str, *, https: bool = True, headers: dict | None = None) -> http.client.HTTPResponse:
    if https:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=_tls())
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def _log_line(log: Path, path: str) -> dict:
    for _ in range(50):
        for line in reversed(log.read_text().splitlines()):
            if line.startswith("{") and '"request_finished"' in line:
                record = json.loads(line)
                if record.get("path") == path:
                    return record
        time.sleep(0.1)
    raise AssertionError(f"no request_finished line for {path}")


def test_nginx_in_front_of_gunicorn(nginx, static_root):
    http_port, https_port, log = nginx

    # plain HTTP: redirected by nginx, except the load balancer's probes (proxied)
    plain = _get(http_port, "/accounts/login/", https=False)
    assert plain.status == 301 and plain.headers["Location"] == "https://127.0.0.1/accounts/login/"
    assert _get(http_port, "/healthz", https=False).status == 200

    # over TLS, to the application: X-Forwarded-Proto says https (no redirect loop, HSTS sent) and
    # the security headers arrive through the proxy
    login = _get(https_port, "/accounts/login/", headers={"X-Forwarded-For": "10.9.9.9"})
    assert login.status == 200, login.body[:300]
    assert login.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert login.headers["X-Frame-Options"] == "DENY"
    assert login.headers["X-Content-Type-Options"] == "nosniff"
    assert login.headers["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in login.headers["Content-Security-Policy"]
    assert "secure" in login.headers["Set-Cookie"].lower()
    line = _log_line(log, "/accounts/login/")
    assert line["ip"] == "127.0.0.1"  # the address nginx appended, not the one the client forged
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"]), line["request_id"]  # nginx's $request_id

    # a static file, served by nginx from STATIC_ROOT (written after gunicorn started, so WhiteNoise
    # does not know it), with the long cache lifetime
    (static_root / "nginx-probe.txt").write_text("served by nginx")
    static = _get(https_port, "/static/nginx-probe.txt")
    assert static.status == 200 and static.body == b"served by nginx"
    cache = ", ".join(static.headers.get_all("Cache-Control") or [])  # `expires max` and add_header: two headers
    assert "max-age=315360000" in cache and "immutable" in cache
    assert static.headers["X-Content-Type-Options"] == "nosniff"
    assert _get(https_port, "/media/member_imports/x.xlsx").status == 404  # uploads never served directly

    # a body over client_max_body_size (64m, the application's GONGHUI_MAX_REQUEST_BYTES): nginx answers
    # 413 from the length, before reading it, with its Chinese page
    answer = _too_large(https_port, "/members/import/")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert too_large_text(settings.GONGHUI_MAX_REQUEST_BYTES) in answer and "text/html; charset=utf-8" in answer


def _too_large(port: int, path: str) -> str:
    """Announce one byte over the limit, send 1 KB, read nginx's answer (headers and page)."""
    length = settings.GONGHUI_MAX_REQUEST_BYTES + 1
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, _tls().wrap_socket(raw) as tls:
        tls.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n".encode()
            + f"Content-Length: {length}\r\nConnection: close\r\n\r\n".encode()
            + b"x" * 1024
        )
        chunks = []
        while chunk := tls.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


class TlsBrowser:
    """Cookies over HTTPS through nginx (the Referer Django's CSRF check wants on HTTPS)."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body: bytes = b"", content_type: str = "") -> tuple[int, dict, str]:
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=120, context=_tls())
        headers = {"Host": "127.0.0.1", "Referer": "https://127.0.0.1/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, dict(response.headers), text


def _multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "----gonghui-nginx-test"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    for name, filename, content in files:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        parts.append(head.encode() + b"Content-Type: image/jpeg\r\n\r\n" + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_nine_event_photos_pass_nginx_and_a_larger_body_is_refused_in_chinese(nginx, district, settings):
    """An event report accepts nine photos of 5 MB: the 45 MB request reaches the application through
    nginx and all nine are kept; one byte over the limit is refused by nginx with the Chinese page."""
    _http_port, https_port, _log = nginx
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # the server's hasher
    chair = User(username="photo_chair", display_name="照片测试")
    chair.set_password(PASSWORD)
    chair.save()
    role_grant(actor=None, user=chair, role=Role.GRASSROOTS_CHAIR, organisation=district.union_a)
    event = held(competition(district, organisation=district.union_a, actor=district.user("chair_a"), co_organisers=[]))
    browser = TlsBrowser(https_port)
    browser.request("GET", "/accounts/login/")
    status, headers, text = browser.request(
        "POST", "/accounts/login/",
        f"username=photo_chair&password={PASSWORD}&csrfmiddlewaretoken={browser.cookies['csrftoken']}".encode(),
        "application/x-www-form-urlencoded",
    )  # fmt: skip
    assert status == 302, text[:300]
    photo = b"\xff\xd8\xff\xe0" + b"\0" * (MAX_PHOTO_BYTES - 4)  # exactly 5 MB: the largest accepted
    body, content_type = _multipart(
        {"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        [("photos", f"现场{n}.jpg", photo) for n in range(MAX_PHOTOS)],
    )
    assert len(body) > 9 * 5 * 1024 * 1024  # over 45 MB, far over the former 20 MB
    status, headers, text = browser.request("POST", f"/activities/{event.pk}/photos/", body, content_type)
    assert status == 302 and headers["Location"] == f"/activities/{event.pk}/", (status, text[:300])
    assert EventPhoto.objects.filter(activity=event).count() == MAX_PHOTOS
    status, _headers, page = browser.request("GET", f"/activities/{event.pk}/")
    assert status == 200 and f"已上传 {MAX_PHOTOS} 张照片" in page
    answer = _too_large(https_port, f"/activities/{event.pk}/photos/")
    assert answer.startswith("HTTP/1.1 413") and too_large_text(settings.GONGHUI_MAX_REQUEST_BYTES) in answer
    assert EventPhoto.objects.filter(activity=event).count() == MAX_PHOTOS
