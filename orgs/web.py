"""Page helpers that need the role model: permission gates and audited exports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import FileResponse, HttpRequest

from core.audit import audit_log
from core.excel import xlsx_response
from core.models import AuditEvent
from core.views import require
from orgs.scope import has_perm


def perm_required(perm: str):
    """The page is for users who hold ``perm`` somewhere; rows are still scoped inside the view."""
    return require(lambda user: has_perm(user, perm))


def audited_export(
    request: HttpRequest,
    *,
    what: str,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    count: int,
) -> FileResponse:
    audit_log(
        AuditEvent.Kind.EXPORT,
        user=request.user,
        request=request,
        summary=f"导出{what} {count} 行",
        detail={"path": request.path, "query": request.GET.urlencode(), "rows": count},
    )
    return xlsx_response(filename, what, headers, rows)
