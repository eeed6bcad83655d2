from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_PREFIXES = ("/accounts/", "/static/")


class ForcePasswordChangeMiddleware:
    """An account created or reset by an administrator must choose its own password first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(ALLOWED_PREFIXES)
            # The API refuses such an account itself, with a JSON error (api.authentication).
            and not request.path.startswith("/api/")
        ):
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)
