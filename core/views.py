"""View helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

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


def add_validation_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message beside its field, or at the top
    when the field is not on this form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
