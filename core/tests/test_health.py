"""/healthz and /readyz: public, JSON, nothing personal, 503 with the failing check named."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import health
from core.models import CalendarDay
from core.workdays import enter_year_manually, missing_years

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar_ready():
    today = timezone.localdate()
    for year in missing_years((today.year, today.year + 1)):
        enter_year_manually(year, [], [])


def _get(path: str) -> tuple[int, dict]:
    response = Client().get(path)
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        status, body = _get("/healthz")
    assert (status, body) == (200, {"status": "ok"})


def test_readyz_all_checks_pass(calendar_ready):
    status, body = _get("/readyz")
    assert status == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "cache", "task_queue", "calendar"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_fails_on_a_stuck_queue(calendar_ready, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.GONGHUI_READYZ_MAX_QUEUE_AGE = 600
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="members.tasks.run_import",
        backend_name="default",
        run_after=timezone.now() - timedelta(hours=2),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - timedelta(hours=2))
    status, body = _get("/readyz")
    assert status == 503
    queue = body["checks"]["task_queue"]
    assert queue["ok"] is False and queue["oldest_ready_age_s"] >= 7200
    assert body["checks"]["database"]["ok"] is True
    # a task already running or finished does not count as waiting
    DBTaskResult.objects.filter(pk=task.pk).update(status="RUNNING")
    assert _get("/readyz")[0] == 200


def test_readyz_fails_without_this_years_calendar(calendar_ready):
    year = timezone.localdate().year
    CalendarDay.objects.filter(date__year=year).delete()
    status, body = _get("/readyz")
    assert status == 503
    assert body["checks"]["calendar"]["ok"] is False
    assert year in body["checks"]["calendar"]["missing_years"]


def test_calendar_check_wants_next_year_60_days_ahead(calendar_ready):
    CalendarDay.objects.filter(date__year=2031).delete()
    enter_year_manually(2030, [], [])
    assert health.check_calendar(date(2030, 10, 1)) == {"ok": True, "missing_years": []}
    assert health.check_calendar(date(2030, 11, 2)) == {"ok": False, "missing_years": [2031]}


def test_readyz_database_failure_says_no_more_than_its_kind(calendar_ready, monkeypatch):
    def broken() -> dict:
        raise DatabaseError("connection to server at 10.0.0.5 failed: password for gonghui wrong")

    monkeypatch.setitem(health.READINESS_CHECKS, "database", broken)
    response = Client().get("/readyz")
    assert response.status_code == 503
    text = response.content.decode()
    assert "10.0.0.5" not in text and "password" not in text and "Traceback" not in text
    body = json.loads(text)
    assert body["checks"]["database"] == {"ok": False, "error": "database_error"}
    # the checks that need the database are not attempted; the cache still is
    assert body["checks"]["migrations"] == {"ok": False, "error": "database_unavailable"}
    assert body["checks"]["cache"]["ok"] is True


def test_readyz_reports_pending_migrations(calendar_ready, monkeypatch):
    monkeypatch.setattr(health, "_migrations_seen_applied", False)

    class Plan:
        def __init__(self, connection):
            self.loader = type("L", (), {"graph": type("G", (), {"leaf_nodes": lambda self: []})()})()

        def migration_plan(self, targets):
            return [("members", "0099_future")]

    monkeypatch.setattr(health, "MigrationExecutor", Plan)
    status, body = _get("/readyz")
    assert status == 503 and body["checks"]["migrations"] == {"ok": False, "pending": 1}


def test_probes_refuse_writes():
    assert Client().post("/healthz").status_code in (403, 405)
    assert Client().post("/readyz").status_code in (403, 405)


def test_a_database_outage_is_a_chinese_503_and_the_liveness_probe_stays_up(monkeypatch, client, django_user_model):
    """With the database gone, a signed-in browser's request cannot read its session: the probes
    answer without it, and every page (or API call) is the 503 page, not a traceback. The PostgreSQL
    outage itself is in test_faults.py."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    client.force_login(django_user_model.objects.create_user(username="outage-sqlite", password="x"))

    def unreachable(self):
        raise OperationalError('connection to server at "db.internal" failed')

    monkeypatch.setattr(SessionStore, "load", unreachable)
    client.raise_request_exception = False
    live = client.get("/healthz")
    assert (live.status_code, json.loads(live.content)) == (200, {"status": "ok"})
    page = client.get("/members/")
    text = page.content.decode()
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "服务暂时不可用" in text and "db.internal" not in text and "Traceback" not in text
    api = client.get("/api/v1/me/")
    assert api.status_code == 503 and "数据库暂时无法访问" in json.loads(api.content)["detail"]
