"""Structured logs: one JSON line per request, per background task and per security event.

Built on django-structlog. Each request gets a ``request_id`` (a UUID, or the proxy's
``X-Request-ID``) bound for every line it logs; the request's line carries user id, method, path,
status, duration and query count. A task enqueued by a request logs its lines with that request's
id: the id travels in ``TaskLogContext``, a row written beside the queued task, because the worker is
another process. Every ``core.audit.audit_log`` call also writes a ``security_event`` line and keeps
the request id in the audit entry's detail.

Personal data never reaches a line: the query string is passed through ``mask_pii_in_text`` (a
search for an ID number logs ``110113********1234``), the address is ``core.audit.client_ip`` (the
trusted-proxy rule), and no form body, name or ID is logged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack, suppress
from contextvars import ContextVar
from typing import Any

import structlog
from django.db import DatabaseError, connections
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django_structlog import signals as request_signals
from django_structlog.middlewares import RequestMiddleware
from django_tasks.signals import task_enqueued, task_finished, task_started

from core.crypto import mask_pii_in_text

__all__ = ["RequestLogMiddleware", "current_request_id", "security_event"]

logger = structlog.get_logger("gonghui")


def safe_path(request: HttpRequest) -> str:
    """The path with the query string's ID-number- and phone-like runs masked."""
    query = request.META.get("QUERY_STRING", "")
    return request.path + ("?" + mask_pii_in_text(query) if query else "")


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class RequestLogMiddleware(RequestMiddleware):
    """django-structlog's request middleware, with duration, query count and masked paths."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        request._gonghui_log = (time.monotonic(), counter)  # type: ignore[attr-defined]
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            return super().__call__(request)  # type: ignore[return-value]

    @staticmethod
    def format_request(request: HttpRequest) -> str:
        return f"{request.method} {safe_path(request)}"

    @staticmethod
    def bind_user_id(request: HttpRequest) -> None:
        """The user id needs the session row: with the database down the line is still written, with no
        user id, and the request goes on to the 503 page instead of failing inside the logger."""
        try:
            RequestMiddleware.bind_user_id(request)
        except DatabaseError:
            structlog.contextvars.bind_contextvars(user_id=None)


@receiver(request_signals.bind_extra_request_metadata)
def _bind_request(request: HttpRequest, logger: Any, log_kwargs: dict[str, Any], **kwargs: Any) -> None:
    from core.audit import client_ip

    structlog.contextvars.bind_contextvars(ip=client_ip(request))


def _finished_fields(request: HttpRequest, status: int) -> dict[str, Any]:
    started, counter = getattr(request, "_gonghui_log", (time.monotonic(), None))
    return {
        "method": request.method,
        "path": safe_path(request),
        "status": status,
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
        "queries": counter.count if counter is not None else None,
    }


@receiver(request_signals.bind_extra_request_finished_metadata)
def _bind_finished(
    request: HttpRequest, logger: Any, response: HttpResponse, log_kwargs: dict[str, Any], **kwargs: Any
) -> None:
    log_kwargs.update(_finished_fields(request, response.status_code))


@receiver(request_signals.bind_extra_request_failed_metadata)
def _bind_failed(
    request: HttpRequest, logger: Any, exception: Exception, log_kwargs: dict[str, Any], **kwargs: Any
) -> None:
    log_kwargs.update(_finished_fields(request, 500))


def current_request_id() -> str | None:
    return structlog.contextvars.get_contextvars().get("request_id")


def security_event(kind: str, *, user_id: Any, object_type: str = "", object_id: str = "") -> None:
    """The log line of an audit entry: what happened, by whom, to which object — never its summary,
    which may name a person."""
    logger.info("security_event", kind=str(kind), actor_id=user_id, object_type=object_type, object_id=object_id)


# --- background tasks: the request id crosses into the worker -----------------------------------


# (start time, the context bound before the task): the immediate backend runs a task inside the
# request that enqueued it, whose lines must keep their own context afterwards.
_task_frame: ContextVar[tuple[float, dict[str, Any]] | None] = ContextVar("gonghui_task_frame", default=None)


@receiver(task_enqueued)
def _task_enqueued(sender: Any, task_result: Any, **kwargs: Any) -> None:
    from core.models import TaskLogContext

    context = structlog.contextvars.get_contextvars()
    logger.info("task_enqueued", task_id=str(task_result.id), task=task_result.task.module_path)
    if context.get("request_id") or context.get("user_id") is not None:
        try:
            TaskLogContext.objects.update_or_create(
                task_id=str(task_result.id),
                defaults={"request_id": context.get("request_id") or "", "user_id": context.get("user_id")},
            )
        except DatabaseError:  # a log's bookkeeping never stops the work it describes
            logger.warning("task_context_not_saved", task_id=str(task_result.id))


@receiver(task_started)
def _task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    from core.models import TaskLogContext

    _task_frame.set((time.monotonic(), structlog.contextvars.get_contextvars()))
    structlog.contextvars.clear_contextvars()
    bound: dict[str, Any] = {"task_id": str(task_result.id)}
    try:
        saved = TaskLogContext.objects.filter(task_id=str(task_result.id)).first()
    except DatabaseError:
        saved = None
    if saved is not None:
        bound.update(request_id=saved.request_id or None, user_id=saved.user_id)
    structlog.contextvars.bind_contextvars(**bound)
    logger.info("task_started", task=task_result.task.module_path)


@receiver(task_finished)
def _task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    from core.models import TaskLogContext

    frame = _task_frame.get()
    _task_frame.set(None)
    status = str(getattr(task_result.status, "value", task_result.status))
    fields: dict[str, Any] = {"task": task_result.task.module_path, "status": status}
    if frame is not None:
        fields["duration_ms"] = round((time.monotonic() - frame[0]) * 1000, 1)
    if task_result.errors:
        # the exception's class only: its message may quote a row of an imported file
        fields["exception_class"] = task_result.errors[-1].exception_class_path
    (logger.error if status == "FAILED" else logger.info)("task_finished", **fields)
    with suppress(DatabaseError):
        TaskLogContext.objects.filter(task_id=str(task_result.id)).delete()
    structlog.contextvars.clear_contextvars()
    if frame is not None and frame[1]:
        structlog.contextvars.bind_contextvars(**frame[1])
