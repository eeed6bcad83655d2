"""View helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from core.health import readiness

PAGE_SIZES = (20, 50, 100)


def paginate(request: HttpRequest, queryset: Any, default_size: int = 20) -> Any:
    try:
        size = int(request.GET.get("per_page", default_size))
    except ValueError:
        size = default_size
    if size not in PAGE_SIZES:
        size = default_size
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def require(check: Callable[[Any], bool]) -> Callable:
    """Decorator: signed in, and ``check(user)`` true, else 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied("您没有使用此功能的权限")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def query_without(request: HttpRequest, *keys: str) -> str:
    """The current query string minus some keys, for pagination and export links."""
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


Refusal = ValidationError | PermissionDenied


def refusal_messages(exc: Refusal) -> list[str]:
    """The Chinese messages of a service's refusal (a ValidationError or a PermissionDenied)."""
    return list(exc.messages) if isinstance(exc, ValidationError) else [str(exc)]


def add_validation_errors(form: Any, exc: Refusal) -> None:
    """Show a service's refusal on the form: each message beside its field, or at the top when the
    field is not on this form (or the refusal names no field)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    form.add_error(field if field in form.fields else None, message)
    else:
        for message in refusal_messages(exc):
            form.add_error(None, message)


def add_refusal_message(request: HttpRequest, exc: Refusal) -> None:
    """Show a service's refusal of an action that has no form (a button) as one error message."""
    messages.error(request, "；".join(refusal_messages(exc)))


def form_submit(
    request: HttpRequest, form: Any, act: Callable[[dict[str, Any]], Any], *, done: str, to: Callable[[Any], Any]
) -> HttpResponse | None:
    """A posted form run through its service: ``act(cleaned_data)``; on success the message ``done``
    and the redirect to ``to(result)`` (a URL, or a model with ``get_absolute_url``). None when the page
    must be shown again: the form is unbound or invalid, or the service refused (its messages are then
    on the form, beside their fields)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = act(form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        add_validation_errors(form, exc)
        return None
    messages.success(request, done)
    return redirect(to(result))


# --- probes for the load balancer and the monitor (public, nothing personal) -------------------


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. No database, so a database outage does not restart workers."""
    return JsonResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: database, migrations, cache, task queue and calendar; 503 when any fails."""
    ok, checks = readiness()
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": checks},
        status=200 if ok else 503,
        headers={"Cache-Control": "no-store"},
    )
