"""The read-replica router (issue 16 item 8): heavy reads to the replica, read-your-writes, the rest
on the primary — decided without a database, then proved against a real PostgreSQL streaming standby
(``scripts/standby.sh``: a ``pg_basebackup`` copy on port 5433), whose replay is paused to make the
lag certain.
"""

from __future__ import annotations

import os
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from core.replica import COOKIE, ReplicaRouter, ReplicaStickinessMiddleware, heavy_read_view, heavy_reads
from members.models import Person
from members.tests.factories import PersonFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
STANDBY_PORT = int(os.environ.get("GONGHUI_TEST_STANDBY_PORT", "5433"))

router = ReplicaRouter()


@pytest.fixture
def replica_configured(settings):
    settings.GONGHUI_READ_REPLICA = "replica"
    settings.GONGHUI_REPLICA_STICKY_SECONDS = 10


def _through_middleware(view, cookies: dict[str, str] | None = None) -> HttpResponse:
    request = RequestFactory().get("/members/")
    request.COOKIES.update(cookies or {})
    return ReplicaStickinessMiddleware(heavy_read_view(view))(request)


def test_only_heavy_reads_of_domain_models_go_to_the_replica(replica_configured):
    assert router.db_for_read(Person) is None
    with heavy_reads():
        assert router.db_for_read(Person) == "replica"
        assert router.db_for_read(Session) is None  # who is signed in: always the primary
    assert router.db_for_write(Person) == "default"
    assert router.allow_migrate("replica", "members") is False and router.allow_migrate("default", "members")


def test_without_a_replica_everything_reads_the_primary(settings):
    settings.GONGHUI_READ_REPLICA = ""
    with heavy_reads():
        assert router.db_for_read(Person) is None


def test_a_write_pins_the_rest_of_the_request_and_the_next_seconds(replica_configured, settings):
    decisions: list[str | None] = []

    def writes(request):
        decisions.append(router.db_for_read(Person))
        router.db_for_write(Person)
        decisions.append(router.db_for_read(Person))
        return HttpResponse("ok")

    router.db_for_write(Person)  # outside a request (a command): pins nothing
    response = _through_middleware(writes)
    assert decisions == ["replica", None]
    wrote_at = response.cookies[COOKIE].value
    assert response.cookies[COOKIE]["httponly"] and response.cookies[COOKIE]["max-age"] == 11

    def reads(request):
        decisions.append(router.db_for_read(Person))
        return HttpResponse("ok")

    _through_middleware(reads, {COOKIE: wrote_at})
    assert decisions[-1] is None  # within the window: the primary
    _through_middleware(reads, {COOKIE: f"{time.time() - 11:.3f}"})
    assert decisions[-1] == "replica"  # the window has passed
    _through_middleware(reads, {COOKIE: "not-a-number"})
    assert decisions[-1] == "replica"


def test_session_and_audit_writes_do_not_pin(replica_configured):
    def touches_session(request):
        router.db_for_write(Session)
        router.db_for_write(AuditEvent)
        return HttpResponse("ok")

    assert COOKIE not in _through_middleware(touches_session).cookies


# --- against the real standby -------------------------------------------------------------------


@pytest.fixture
def standby(transactional_db, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the standby test runs in the PostgreSQL pass (DATABASE_URL=postgres://…)")
    connections.settings["replica"] = {**connection.settings_dict, "PORT": STANDBY_PORT, "TEST": {"MIRROR": None}}
    replica = connections["replica"]
    try:
        # connect() itself: the test case's guard lets an open connection of an alias added after it was set up
        replica.connect()
    except Exception as exc:
        del connections.settings["replica"]
        message = f"no PostgreSQL standby on port {STANDBY_PORT} ({type(exc).__name__}: {exc}): run scripts/standby.sh"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    settings.GONGHUI_READ_REPLICA = "replica"
    settings.GONGHUI_REPLICA_STICKY_SECONDS = 10
    try:
        yield replica
    finally:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
        replica.close()
        del connections.settings["replica"]
        delattr(connections._connections, "replica")


def _replica_sees(replica, pk: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with replica.cursor() as cursor:
            cursor.execute("SELECT 1 FROM members_person WHERE id = %s", [pk])
            if cursor.fetchone():
                return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_heavy_reads_hit_the_standby_and_writers_read_their_writes(standby, district):
    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a real standby, read-only
    first = PersonFactory(organisation=district.union_a)
    assert _replica_sees(standby, first.pk), "the standby did not replay the write within 15 s"

    with CaptureQueriesContext(standby) as on_replica, heavy_reads():
        assert Person.objects.filter(pk=first.pk).exists()
    assert len(on_replica) == 1

    # freeze the standby's replay: from now on it lags for certain
    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    seen: dict[str, bool] = {}

    def writes(request):
        seen["new"] = PersonFactory(organisation=district.union_a).pk
        return HttpResponse("ok")

    response = _through_middleware(writes)

    def lists(request):
        seen["found"] = Person.objects.filter(pk=seen["new"]).exists()
        return HttpResponse("ok")

    # the writer, within the window: the primary, and the new person is there
    with CaptureQueriesContext(standby) as on_replica:
        _through_middleware(lists, {COOKIE: response.cookies[COOKIE].value})
    assert seen["found"] is True and len(on_replica) == 0
    # someone else (no cookie): the lagging standby, which does not have the person yet
    with CaptureQueriesContext(standby) as on_replica:
        _through_middleware(lists)
    assert seen["found"] is False and len(on_replica) == 1

    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    assert _replica_sees(standby, seen["new"])
