"""Downloads of uploaded documents (hardship files, relief and scholarship applications): the caller
has found the owner through ``orgs.scope`` (out of scope: 404); every download is audited."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest

from assistance.services.documents import document_download_audit


def document_response(request: HttpRequest, owner: Any, doc: int, what: str) -> FileResponse:
    """The document ``doc`` of ``owner`` (a file or an application the user may see whole)."""
    document = owner.documents.filter(pk=doc).first()
    if document is None:
        raise Http404("未找到该材料")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("材料文件已丢失") from exc
    document_download_audit(actor=request.user, document=document, owner=owner, what=what, request=request)
    response = FileResponse(handle, as_attachment=True, filename=document.name)
    response["Cache-Control"] = "no-store"
    return response
