"""Uploaded documents of hardship files and of relief and scholarship applications: one check, one
save, one audit line for every kind (``assistance.models.documents.DocumentBase``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from assistance.models.documents import DocumentBase
from core.audit import audit_log
from core.models import AuditEvent

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
# The first bytes each allowed type starts with: a renamed .exe is refused, not only a wrong suffix.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
ALLOWED = "PDF、JPG、PNG"
MISSING = "请上传证明材料（如诊断证明、费用清单或录取通知书）"


def documents_check(
    files: Sequence[UploadedFile],
    *,
    existing: int = 0,
    required: bool = True,
    max_files: int = MAX_FILES,
) -> None:
    """Refuse (naming the file) anything but PDF/JPG/PNG up to 10 MB, at most ``max_files`` in all."""
    if required and not files and not existing:
        raise ValidationError({"documents": MISSING})
    if len(files) + existing > max_files:
        raise ValidationError({"documents": f"证明材料最多 {max_files} 个"})
    for f in files:
        name = f.name or ""
        ext = PurePath(name).suffix.lower()
        if ext not in _SIGNATURES:
            raise ValidationError({"documents": f"材料“{name}”的类型不允许（可上传 {ALLOWED}）"})
        if not f.size:
            raise ValidationError({"documents": f"材料“{name}”是空文件"})
        if f.size > MAX_FILE_BYTES:
            raise ValidationError({"documents": f"材料“{name}”超过 10 MB"})
        f.seek(0)
        head = f.read(8)
        f.seek(0)
        if not any(head.startswith(sig) for sig in _SIGNATURES[ext]):
            raise ValidationError({"documents": f"材料“{name}”的内容与其类型（{ext}）不符"})


def documents_save(
    model: type[DocumentBase], owner: Any, files: Sequence[UploadedFile], actor: Any, **fields: Any
) -> list[DocumentBase]:
    """One row per file, under ``owner`` (the model's ``owner_field``); ``fields``: e.g. the kind."""
    return [
        model.objects.create(
            **{model.owner_field: owner},
            file=f,
            name=PurePath(f.name or "材料").name[:200],
            size=f.size or 0,
            uploaded_by=actor,
            **fields,
        )
        for f in files
    ]


def document_download_audit(*, actor: Any, document: DocumentBase, owner: Any, what: str, request: Any = None) -> None:
    """A document is a whole piece of the file or application: its download is in the audit trail."""
    number = getattr(owner, "number", None) or getattr(owner, "file_no", "")
    audit_log(
        AuditEvent.Kind.PII_VIEW,
        user=actor,
        request=request,
        obj=owner,
        summary=f"下载了{what} {number}（{owner.person.name}）的材料“{document.name}”",
        detail={"document_id": document.pk, "owner": number},
    )
