"""Heavy reads on a read replica, with read-your-writes (docs/scale-out.md).

When ``DATABASE_REPLICA_URL`` is set, ``settings.GONGHUI_READ_REPLICA`` names the replica's alias and
``ReplicaRouter`` sends reads to it — but only inside ``heavy_reads()`` (list pages, their exports'
first queries, the workbench, the rates), never for the sessions, the login lockout or the task
queue, and never for a user who wrote in the last ``GONGHUI_REPLICA_STICKY_SECONDS``: a replica lags
its primary by a moment, and an officer who has just saved a request must see it in the list.

"Wrote" is remembered in a cookie (``gonghui_wrote``, the time of the last write) set by
``ReplicaStickinessMiddleware`` after any request that wrote a row of a domain model (a session or an
audit entry does not count), so every web worker knows it without shared state. Inside one request,
a read after a write goes to the primary too. Writes always go to the primary; migrations run there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse

__all__ = ["ReplicaRouter", "ReplicaStickinessMiddleware", "heavy_read_view", "heavy_reads"]

COOKIE = "gonghui_wrote"
# Reads of these stay on the primary: they decide who is signed in, locked out, or what runs next.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "django_tasks_db", "authtoken", "contenttypes"})
# Writes of these do not pin the user to the primary (they happen on reads too).
UNPINNING_WRITES = frozenset({"sessions.session", "core.auditevent", "core.tasklogcontext", "axes.accessattempt"})

_heavy: ContextVar[bool] = ContextVar("gonghui_heavy_reads", default=False)
_pinned: ContextVar[bool] = ContextVar("gonghui_pinned_to_primary", default=False)
# None outside a request (a command, a task): there, nothing reads from the replica anyway.
_wrote: ContextVar[bool | None] = ContextVar("gonghui_wrote_in_request", default=None)


def replica_alias() -> str:
    return getattr(settings, "GONGHUI_READ_REPLICA", "") or ""


@contextmanager
def heavy_reads() -> Iterator[None]:
    """Reads inside may be served by the replica (when one is configured and the user is not pinned)."""
    token = _heavy.set(True)
    try:
        yield
    finally:
        _heavy.reset(token)


def heavy_read_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A GET of ``view`` reads from the replica; any other method from the primary."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with heavy_reads():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model: type[models.Model], **hints: Any) -> str | None:
        alias = replica_alias()
        if (
            alias
            and _heavy.get()
            and not _pinned.get()
            and not _wrote.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
        ):
            return alias
        return None  # the default database

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str:
        if _wrote.get() is not None and model._meta.label_lower not in UNPINNING_WRITES:
            _wrote.set(True)
        return "default"

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary: every row exists on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


class ReplicaStickinessMiddleware:
    """Pins a user's reads to the primary for a short time after they wrote."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        window = float(settings.GONGHUI_REPLICA_STICKY_SECONDS)
        try:
            wrote_at = float(request.COOKIES.get(COOKIE, "0"))
        except ValueError:
            wrote_at = 0.0
        # the cookie keeps milliseconds: a read in the same millisecond may look a little "before" it
        pinned = _pinned.set(-1 < time.time() - wrote_at < window)
        wrote = _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get() and replica_alias():
                response.set_cookie(
                    COOKIE,
                    f"{time.time():.3f}",
                    max_age=max(1, int(window) + 1),
                    httponly=True,
                    secure=settings.SESSION_COOKIE_SECURE,
                    samesite="Lax",
                )
            return response
        finally:
            _pinned.reset(pinned)
            _wrote.reset(wrote)
