"""Leases of long background jobs, so that a job whose worker died is seen as interrupted.

A worker holds the job's lease while it runs it, and the lease ends with the worker's process — killed
(``SIGKILL``, the OOM killer), the machine switched off — without anyone releasing it:

- on PostgreSQL it is a session advisory lock, which the server drops when the worker's connection
  closes (workers on several machines see the same locks);
- elsewhere (SQLite, one machine) an exclusive ``flock`` on a file under ``MEDIA_ROOT/.leases``,
  which the kernel drops when the process dies.

A page that shows a running job asks ``lease_held``: a job that says it runs but whose lease is free
has lost its worker. ``task_results`` finds the django-tasks rows such a worker left ``RUNNING``
(a restarted worker never takes them again) so that they can be marked failed (``WorkerLost``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

__all__ = ["CLAIM_GRACE", "WorkerLost", "job_lease", "lease_held", "task_results", "task_results_fail"]

# A claimed task takes its lease within milliseconds; a task claimed longer ago than this whose lease
# is free has lost its worker (the margin covers the moment between the claim and the lease).
CLAIM_GRACE = timedelta(seconds=30)


class WorkerLost(Exception):
    """The worker running a task stopped (killed, crashed, switched off) before the task finished."""


def _advisory_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _lock_file(name: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / ".leases"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (hashlib.sha256(name.encode()).hexdigest()[:32] + ".lock")


@contextmanager
def job_lease(name: str) -> Iterator[None]:
    """Hold the lease ``name`` while the block runs (blocking while another process holds it)."""
    if connection.vendor == "postgresql":
        key = _advisory_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            yield
        finally:
            if connection.connection is not None:  # a lost connection has released it already
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    fd = os.open(_lock_file(name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def lease_held(name: str) -> bool:
    """Whether a live process holds the lease ``name`` (it is taken for a moment to find out)."""
    if connection.vendor == "postgresql":
        # Asked of pg_locks rather than by trying the lock: a session's advisory locks are re-entrant,
        # so the holder's own session would get it and take its own job for lost. A bigint key is
        # stored as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
        key = _advisory_key(name) & 0xFFFFFFFFFFFFFFFF
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 1)",
                [key >> 32, key & 0xFFFFFFFF],
            )
            (held,) = cursor.fetchone()
        return held
    fd = os.open(_lock_file(name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        return False
    finally:
        os.close(fd)


def task_results(task: Any, *args: Any, status: str = "RUNNING", claimed_before: Any = None) -> list[Any]:
    """The database queue's rows of ``task(*args)`` in ``status`` (RUNNING: claimed by a worker and not
    finished; READY: waiting), claimed before ``claimed_before`` when given. Empty on another backend
    (the immediate one runs a task inside the request, so it never outlives its process)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return []
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=task.module_path, status=status)
    if claimed_before is not None:
        rows = rows.filter(started_at__lt=claimed_before)
    return [r for r in rows if list(r.args_kwargs.get("args", [])) == list(args)]


def task_results_fail(results: list[Any]) -> None:
    """Mark the rows of a lost worker failed: the queue then tells the truth, and they are not taken
    for running any more."""
    for result in results:
        result.set_failed(WorkerLost("后台任务进程意外停止，任务未完成"))
