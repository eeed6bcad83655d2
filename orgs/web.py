"""Page helpers that need the role model: permission gates and audited exports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.http import urlencode

from core.audit import audit_log
from core.crypto import mask_pii_in_text
from core.excel import xlsx_response
from core.models import AuditEvent
from core.views import require
from orgs.scope import has_perm, perms_of


def perm_required(perm: str, *, own_records: bool = False):
    """The page is for users who hold ``perm`` somewhere; rows are still scoped inside the view.

    A back-office page counts only grants over an organisation: a worker's own-records grant carries
    ``members.view`` for their own record, yet the member list is refused to them (403). Pages a worker
    uses (the portal, their own attachments) say ``own_records=True``."""
    if own_records:
        return require(lambda user: has_perm(user, perm))
    return require(lambda user: perm in perms_of(user, office=True))


def audited_export(
    request: HttpRequest,
    *,
    what: str,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    count: int,
) -> FileResponse:
    # The filters are recorded, but an ID number or phone typed into a search box is stored masked:
    # the audit trail is read by more people than may see personal data.
    query = urlencode({k: [mask_pii_in_text(v) for v in vs] for k, vs in request.GET.lists()}, doseq=True)
    audit_log(
        AuditEvent.Kind.EXPORT,
        user=request.user,
        request=request,
        summary=f"导出{what} {count} 行",
        detail={"path": request.path, "query": query, "rows": count},
    )
    return xlsx_response(filename, what, headers, rows)
