"""联系: a request enters the loop (portal or officer), with its attachments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from appeals import defaults
from appeals.models import Appeal, Attachment, Category
from appeals.services.common import (
    S,
    _lock,
    _log,
    _notify_many,
    _now,
    _refuse,
    _require_handle,
    current_liaison,
    deadline_compute,
    deadline_label,
    officers_of,
)
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import has_perm

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
ALLOWED_EXTENSIONS = {".jpg", ".jpeg", ".png", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".heic"}


def _check_files(files: Sequence[UploadedFile], existing: int = 0) -> None:
    if len(files) + existing > MAX_FILES:
        _refuse(f"附件最多 {MAX_FILES} 个")
    for f in files:
        ext = PurePath(f.name or "").suffix.lower()
        if ext not in ALLOWED_EXTENSIONS:
            _refuse(f"附件“{f.name}”的类型不允许（可上传图片、PDF、Word、Excel、文本）")
        if f.size and f.size > MAX_FILE_BYTES:
            _refuse(f"附件“{f.name}”超过 10 MB")


def _save_files(appeal: Appeal, files: Sequence[UploadedFile], actor: Any) -> None:
    for f in files:
        Attachment.objects.create(
            appeal=appeal, file=f, name=PurePath(f.name or "附件").name[:200], size=f.size or 0, uploaded_by=actor
        )


@transaction.atomic
def appeal_register(
    *,
    actor: Any,
    organisation: Organisation | None = None,
    category: Category,
    channel: str,
    title: str,
    description: str,
    worker: Any = None,
    anonymous: bool = False,
    third_party: bool = False,
    reporter_name: str = "",
    contact_phone: str = "",
    preferred_contact: str = Appeal.Contact.PHONE,
    files: Sequence[UploadedFile] = (),
    at: datetime | None = None,
) -> Appeal:
    """联系: a request enters the loop, from the portal (the worker) or registered by an officer."""
    at = _now(at)
    title, description = (title or "").strip(), (description or "").strip()
    if channel not in Appeal.Channel.values:
        _refuse("来源渠道无效")
    if channel == Appeal.Channel.PORTAL:
        person = getattr(actor, "person", None) if actor is not None else None
        if person is None or not has_perm(actor, Perm.APPEAL_SUBMIT):
            raise PermissionDenied("只有已登记为会员的职工可以在职工端提交诉求")
        if person.organisation_id is None:
            _refuse("您的会员档案没有所属工会，请联系工会干部")
        worker, organisation = person, person.organisation
    else:
        if organisation is None:
            _refuse("请选择诉求所属工会")
        _require_handle(actor, organisation, "登记诉求")
        if worker is not None and worker.organisation_id != organisation.pk:
            _refuse(f"职工“{worker.name}”不属于“{organisation.name}”")
    if organisation.is_partner:
        _refuse("诉求的所属单位应为工会组织，不能是团委、妇联或政府部门")
    if not organisation.is_active:
        _refuse(f"“{organisation.name}”已撤销，不能登记诉求")
    if not title:
        _refuse("请填写标题")
    if len(description) < 5:
        _refuse("请把诉求内容写清楚（至少 5 个字）")
    if worker is None and not anonymous and not reporter_name.strip():
        _refuse("非匿名诉求请填写反映人姓名")
    _check_files(files)
    contact_due = deadline_compute(at, defaults.CONTACT_DEADLINE_DAYS)
    handling_due = deadline_compute(at, category.handling_days)
    appeal = Appeal(
        organisation=organisation,
        worker=worker,
        anonymous=anonymous,
        third_party=third_party,
        reporter_name=reporter_name.strip()[:50],
        contact_phone=contact_phone.strip(),
        preferred_contact=preferred_contact,
        channel=channel,
        category=category,
        title=title[:100],
        description=description,
        liaison=current_liaison(organisation),
        registered_at=at,
        registered_by=actor,
        contact_deadline=contact_due.due,
        contact_deadline_provisional=contact_due.provisional,
        handling_deadline=handling_due.due,
        handling_deadline_provisional=handling_due.provisional,
    )
    appeal.save()
    _save_files(appeal, files, actor)
    _log(appeal, actor=actor, action="登记", note=f"{appeal.get_channel_display()}：{title}", at=at)
    recipients = [appeal.liaison] if appeal.liaison else officers_of(organisation)
    _notify_many(
        recipients,
        kind="appeal_new",
        title=f"新诉求待联系：{appeal.title}",
        body=f"{organisation.name} · {category.name} · 请于 {deadline_label(appeal.contact_deadline, contact_due.provisional)} 前联系职工",
        appeal=appeal,
    )
    return appeal


@transaction.atomic
def attachment_add(*, actor: Any, appeal: Appeal, files: Sequence[UploadedFile]) -> None:
    appeal = _lock(appeal)
    own = appeal.worker_id and appeal.worker.user_id == getattr(actor, "pk", None)
    if not own:
        _require_handle(actor, appeal.organisation, "上传附件")
    if appeal.state == S.CLOSED:
        _refuse("诉求已办结，不能再上传附件")
    _check_files(files, appeal.attachments.count())
    _save_files(appeal, files, actor)
    _log(appeal, actor=actor, action="上传附件", note="、".join(f.name or "" for f in files))
