"""Faults (issue 16 item 7): the database goes away while gunicorn (production profile) serves pages.

While the application's database is unreachable — every connection gunicorn holds is cut, as a
PostgreSQL restart cuts them, and no new one is admitted — a signed-in officer's page is the plain
Chinese "service unavailable" page (503, no stack trace, no SQL), ``/readyz`` answers 503 naming the
failed check, ``/healthz`` still 200 (both carry the session cookie, as a browser's request would). When the database is back, the next requests are served again without restarting gunicorn, the
session is still valid, and the rows committed before the outage are all there.

The outage is made on this test's own database (``ALLOW_CONNECTIONS false`` + terminating its
backends, from a connection to ``postgres``) rather than by restarting the whole server: the
PostgreSQL pass of the suite runs in parallel on the same server, and a restart would cut its
connections too. For the client, both look the same: a dropped connection, then refused ones.

It runs in the PostgreSQL pass (on SQLite it is skipped by the ``gunicorn`` fixture, with that reason;
in CI the PostgreSQL pass is compulsory, so it cannot be skipped there).
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from core.models import User
from core.tests.production import PASSWORD, Browser, database_url
from members.tests.factories import member
from orgs.roles import Role
from orgs.services import role_grant

pytestmark = pytest.mark.django_db(transaction=True)

SEARCH = "/members/?q=" + quote("断库前会员")


def _admin_connection() -> psycopg.Connection:
    url = database_url()
    return psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def _database_down(name: str) -> None:
    with _admin_connection() as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )


def _database_up(name: str) -> None:
    with _admin_connection() as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def test_database_outage_while_serving(gunicorn, district, settings):
    port, _log = gunicorn
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = User(username="outage", display_name="断库测试")
    user.set_password(PASSWORD)
    user.save()
    role_grant(actor=None, user=user, role=Role.DISTRICT_ADMIN, organisation=district.root)
    committed = [member(district.union_a, name=f"断库前会员{i}").person.name for i in range(3)]

    browser = Browser(port)
    csrf = (browser.request("GET", "/accounts/login/"), browser.cookies["csrftoken"])[1]
    signed_in = browser.request(
        "POST", "/accounts/login/", f"username=outage&password={PASSWORD}&csrfmiddlewaretoken={csrf}"
    )
    assert signed_in.status == 302, signed_in.text[:300]
    before = browser.request("GET", SEARCH)
    assert before.status == 200 and all(name in before.text for name in committed)

    name = connection.settings_dict["NAME"]
    connection.close()  # this test's own connection goes too; Django reopens it afterwards
    _database_down(name)
    try:
        for path in ("/members/", SEARCH, "/"):
            page = browser.request("GET", path)
            assert page.status == 503, (path, page.status, page.text[:300])
            assert "服务暂时不可用" in page.text and "数据库暂时无法访问" in page.text
            assert "Traceback" not in page.text and "OperationalError" not in page.text
            assert "psycopg" not in page.text and name not in page.text
        api = browser.request("GET", "/api/v1/me/")
        assert api.status == 503 and "数据库暂时无法访问" in json.loads(api.text)["detail"]
        # not ready, so the load balancer takes this server out, and the monitor reads which check failed
        ready = browser.request("GET", "/readyz", https=False)
        assert ready.status == 503, ready.text[:300]
        body = json.loads(ready.text)
        assert body["status"] == "fail"
        assert body["checks"]["database"] == {"ok": False, "error": "database_error"}
        assert body["checks"]["cache"]["ok"] is True  # the cache is not the database
        assert name not in ready.text and "Traceback" not in ready.text
        # the process is alive: the load balancer must not restart it
        live = browser.request("GET", "/healthz", https=False)
        assert live.status == 200 and json.loads(live.text) == {"status": "ok"}
    finally:
        _database_up(name)

    deadline = time.monotonic() + 20
    while True:
        after = browser.request("GET", SEARCH)
        if after.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert after.status == 200, after.text[:300]  # the same session: it lived in the database
    assert all(name in after.text for name in committed)
    ready = browser.request("GET", "/readyz", https=False)  # other checks (calendar, queue) may fail here
    assert json.loads(ready.text)["checks"]["database"]["ok"] is True
    assert set(User.objects.filter(username="outage").values_list("username", flat=True)) == {"outage"}
