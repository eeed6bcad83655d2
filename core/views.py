"""View helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
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
