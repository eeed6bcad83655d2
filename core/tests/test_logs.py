"""Structured logs (issue 16 item 3): a line per request, task and security event; no personal data."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from django.test import override_settings
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from core.logs import RequestLogMiddleware
from core.models import AuditEvent, TaskLogContext
from members.tests.factories import member

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def log_something() -> None:
    structlog.get_logger("gonghui.test").info("inside_the_task")


def _lines(caplog) -> list[dict]:
    return [dict(r.msg) for r in caplog.records if isinstance(r.msg, dict)]


def _one(lines: list[dict], event: str) -> dict:
    found = [line for line in lines if line.get("event") == event]
    assert len(found) == 1, (event, lines)
    return found[0]


def test_request_line_has_the_facts_and_no_id_number(client, district, caplog):
    caplog.set_level(logging.INFO)
    person = member(district.union_a).person
    client.force_login(district.user("admin"))
    response = client.get("/members/", {"q": person.id_number})
    assert response.status_code == 200
    lines = _lines(caplog)
    done = _one(lines, "request_finished")
    assert done["method"] == "GET" and done["status"] == 200 and done["code"] == 200
    assert done["path"].startswith("/members/?q=") and "********" in done["path"]
    assert done["user_id"] == district.user("admin").pk
    assert len(done["request_id"]) == 36 and done["duration_ms"] >= 0 and done["queries"] > 0
    assert _one(lines, "request_started")["request_id"] == done["request_id"]
    everything = json.dumps(lines, ensure_ascii=False, default=str)
    assert person.id_number not in everything and person.mobile not in everything
    assert person.id_number[:6] + "********" + person.id_number[-4:] in everything


def test_audit_entry_and_security_line_share_the_request_id(client, district, caplog):
    caplog.set_level(logging.INFO)
    person = member(district.union_a).person
    client.force_login(district.user("admin"))
    client.post(f"/members/{person.pk}/reveal/", {"field": "id_number"})
    event = AuditEvent.objects.filter(kind="pii_view").get()
    lines = _lines(caplog)
    line = _one([x for x in lines if x.get("kind") == "pii_view"], "security_event")
    assert line["actor_id"] == district.user("admin").pk
    assert event.detail["request_id"] == line["request_id"] == _one(lines, "request_finished")["request_id"]
    assert person.id_number not in json.dumps(lines, ensure_ascii=False, default=str)


def test_task_lines_carry_the_request_id_across_the_queue(caplog):
    """Queued in the web process (the id saved beside the task), run by the worker (another
    context): the worker's lines carry the request's id, and the bookkeeping row is removed."""
    caplog.set_level(logging.INFO)
    with override_settings(TASKS=QUEUED):
        structlog.contextvars.bind_contextvars(request_id="req-1234", user_id=7)
        result = log_something.enqueue()
        structlog.contextvars.clear_contextvars()
        assert TaskLogContext.objects.filter(task_id=str(result.id), request_id="req-1234", user_id=7).exists()
        # what db_worker does with the task (its loop closes the test's database connection)
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=1,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        worker.run_task(DBTaskResult.objects.get(pk=result.id))
    lines = _lines(caplog)
    inside = _one(lines, "inside_the_task")
    assert inside["request_id"] == "req-1234" and inside["task_id"] == str(result.id) and inside["user_id"] == 7
    finished = _one(lines, "task_finished")
    assert finished["status"] == "SUCCESSFUL" and finished["duration_ms"] >= 0
    assert not TaskLogContext.objects.exists()


def test_an_immediate_task_leaves_the_requests_context_as_it_was(caplog):
    caplog.set_level(logging.INFO)
    with override_settings(TASKS=IMMEDIATE):
        structlog.contextvars.bind_contextvars(request_id="req-outer")
        log_something.enqueue()
        assert structlog.contextvars.get_contextvars()["request_id"] == "req-outer"
        structlog.contextvars.clear_contextvars()
    assert _one(_lines(caplog), "inside_the_task")["request_id"] == "req-outer"


def test_the_formatter_writes_one_json_object_per_line(settings):
    from logging.config import dictConfig

    dictConfig(settings.LOGGING)
    handler = next(
        h for h in logging.getLogger().handlers if isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)
    )
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/members/9/",), None)
    line = handler.formatter.format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["event"] == "Not Found: /members/9/" and parsed["level"] == "warning"


def test_masking_of_the_path():
    from django.test import RequestFactory

    request = RequestFactory().get("/members/", {"q": "13812345678", "page": "2"})
    assert RequestLogMiddleware.format_request(request) == "GET /members/?q=138****5678&page=2"
