"""API errors: Django's ValidationError and PermissionDenied from services become 400 and 403 with
field-level Chinese messages; nothing a caller sends turns into a 500."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

from core.db import DATABASE_UNAVAILABLE, database_unavailable


def exception_handler(exc: Exception, context: dict[str, Any]):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(
                {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
            )
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "无权执行此操作")
    request = context.get("request")
    if request is not None:  # errors are JSON whatever the view renders otherwise (e.g. the docs page)
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return drf_exception_handler(exc, context)


API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def json_or_page_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": "未找到。"}, status=404)
    return defaults.page_not_found(request, exception)


def json_or_page_500(request: HttpRequest) -> HttpResponse:
    """handler500: JSON under /api/ (never an HTML traceback page to an API client), Django's page
    elsewhere; 503 with its own page when the database cannot be reached (an outage, a restart)."""
    if database_unavailable(sys.exc_info()[1]):
        headers = {"Retry-After": "30"}
        if _is_api(request):
            return JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503, headers=headers)
        return HttpResponse(loader.render_to_string("503.html"), status=503, headers=headers)
    if _is_api(request):
        return JsonResponse({"detail": "服务器内部错误，请稍后再试或联系管理员。"}, status=500)
    return defaults.server_error(request)


def json_or_page_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "请求无效。"}, status=400)
    return defaults.bad_request(request, exception)


def json_or_page_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": str(exception or "") or "无权执行此操作"}, status=403)
    return defaults.permission_denied(request, exception)
