"""Middleware of our own: the probes answered before anything reads the session, response headers
beyond Django's SecurityMiddleware (a content security policy that allows only our own origin, every
asset being served locally, and a permissions policy), and NUL characters refused at the door."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class ProbeMiddleware:
    """``/healthz`` and ``/readyz`` answered before the session, user, log and lockout middleware.

    A probe from a browser carries the session cookie, and everything after this point may read the
    session row (the request log binds the user id, the session middleware checks the expiry): with
    the database down, the liveness probe would answer 500 and the load balancer would restart healthy
    web workers. Probes are not logged per request either (a monitor asks every few seconds).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from core.views import healthz, readyz

        self.get_response = get_response
        self.probes = {"/healthz": healthz, "/readyz": readyz}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.probes.get(request.path_info)
        return probe(request) if probe is not None else self.get_response(request)


def too_large_text(limit: int) -> str:
    """The refusal of a request body over the limit (the same words as nginx's 413 page)."""
    return (
        f"上传内容超过 {limit // (1024 * 1024)} MB，未被接收，也没有保存任何内容。"
        "请压缩后分批上传（每张活动照片不超过 5 MB，每个附件不超过 10 MB，会员名单不超过 60 MB）。"
    )


class RequestSizeMiddleware:
    """A request whose declared body exceeds ``GONGHUI_MAX_REQUEST_BYTES`` is answered 413 with a
    Chinese page (JSON under /api/) before the body is read: Django's own limits bound only the form
    fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``), never the files. nginx refuses the same bodies first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.limit = settings.GONGHUI_MAX_REQUEST_BYTES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and len(declared) < 20 and int(declared) > self.limit:
            from django.http import JsonResponse

            text = too_large_text(self.limit)
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": text}, status=413)
            page = f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>上传内容过大</title><p>{text}</p></html>'
            response = HttpResponse(page, status=413, content_type="text/html; charset=utf-8")
            response["Connection"] = "close"  # the unread body is not taken for the next request
            return response
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class RefuseNulMiddleware:
    """A NUL character in a query or form value is never meaningful input, and PostgreSQL refuses
    it in text (a 500 wherever a view passes ``request.GET[...]`` to a query). Answer 400 at the
    door, JSON under /api/, so every view, ad-hoc parameter or not, is covered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest, JsonResponse

        data = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            data.append(request.POST)
        if any("\x00" in k or any("\x00" in v for v in values) for q in data for k, values in q.lists()):
            message = "请求参数含有非法字符（NUL），已拒绝"
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
