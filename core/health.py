"""Liveness and readiness probes for a load balancer and a monitor (``/healthz``, ``/readyz``).

Each readiness check returns a small dict of facts (``ok`` plus counts or ages): never a row, a
name, an exception message or a stack trace, because the endpoints are public.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

__all__ = ["READINESS_CHECKS", "readiness"]

Check = dict[str, Any]

# Once every migration is applied it stays so until the code changes, and a deploy restarts the
# process: the (costly) migration graph is then not loaded again on every probe.
_migrations_seen_applied = False


def check_database() -> Check:
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_migrations() -> Check:
    global _migrations_seen_applied
    if _migrations_seen_applied:
        return {"ok": True, "pending": 0}
    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrations_seen_applied = pending == 0
    return {"ok": pending == 0, "pending": pending}


def check_cache() -> Check:
    key = f"gonghui:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    found = cache.get(key) == "1"
    cache.delete(key)
    return {"ok": found}


def check_task_queue() -> Check:
    """The oldest task that is due and still waiting: a worker that died or hangs lets it age."""
    from django_tasks_db.models import DBTaskResult

    limit = settings.GONGHUI_READYZ_MAX_QUEUE_AGE
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return {"ok": True, "backend": "not-queued"}
    now = timezone.now()
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = 0 if oldest is None else max(0, int((now - oldest).total_seconds()))
    return {"ok": age <= limit, "oldest_ready_age_s": age, "limit_s": limit}


def check_calendar(today: date | None = None) -> Check:
    """This year, and next year from 60 days before it begins, are entered in the working calendar."""
    from core import workdays

    missing = workdays.missing_calendar_years(today)
    return {"ok": not missing, "missing_years": missing}


READINESS_CHECKS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "migrations": check_migrations,
    "cache": check_cache,
    "task_queue": check_task_queue,
    "calendar": check_calendar,
}


def readiness() -> tuple[bool, dict[str, Check]]:
    """Run every check; a check that raises is reported as failed with only its kind of error."""
    results: dict[str, Check] = {}
    database_ok = True
    for name, check in READINESS_CHECKS.items():
        if not database_ok and name != "cache":
            results[name] = {"ok": False, "error": "database_unavailable"}
            continue
        try:
            results[name] = check()
        except DatabaseError:
            results[name] = {"ok": False, "error": "database_error"}
            if name == "database":
                database_ok = False
        except Exception:  # a probe answers; it never raises into a 500
            results[name] = {"ok": False, "error": "check_failed"}
    return all(r["ok"] for r in results.values()), results
