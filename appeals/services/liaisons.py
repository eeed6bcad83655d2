"""点对点 liaisons of grassroots unions: named, changed and ended, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from appeals.models import LiaisonAssignment
from appeals.services.common import _refuse
from core.audit import audit_log
from core.models import AuditEvent, User
from core.notify import notify
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at


@transaction.atomic
def liaison_assign(
    *,
    actor: Any,
    organisation: Organisation,
    liaison: User,
    started_on: date | None = None,
    note: str = "",
    request: Any = None,
) -> LiaisonAssignment:
    """Names (or changes) the liaison of a grassroots union; the change is audited."""
    if not can_at(actor, Perm.LIAISON_MANAGE, organisation):
        raise PermissionDenied("您无权为该工会指派联络人")
    if not organisation.is_grassroots:
        _refuse(f"“{organisation.name}”不是基层工会，联络人只指派到基层工会")
    if not organisation.is_active:
        _refuse(f"“{organisation.name}”已撤销")
    if not liaison.is_active or not can_at(liaison, Perm.APPEAL_HANDLE, organisation):
        _refuse(f"“{liaison}”没有覆盖“{organisation.name}”的社工或干部角色，请先在“用户与角色”中授权")
    started_on = started_on or timezone.localdate()
    current = (
        LiaisonAssignment.objects.select_for_update().filter(organisation=organisation, ended_on__isnull=True).first()
    )
    if current is not None:
        if current.liaison_id == liaison.pk:
            _refuse(f"“{liaison}”已是“{organisation.name}”的联络人")
        if started_on < current.started_on:
            _refuse("新联络人的开始日期不能早于现任联络人的开始日期")
        current.ended_on = started_on
        current.save(update_fields=["ended_on"])
    row = LiaisonAssignment.objects.create(
        organisation=organisation, liaison=liaison, started_on=started_on, assigned_by=actor, note=note.strip()[:200]
    )
    audit_log(
        AuditEvent.Kind.LIAISON_CHANGED,
        user=actor,
        request=request,
        obj=row,
        summary=f"{organisation.name} 联络人：{current.liaison if current else '无'} → {liaison}",
        detail={"organisation": organisation.code, "from": current.liaison_id if current else None, "to": liaison.pk},
    )
    notify(
        liaison,
        kind="liaison_assigned",
        title=f"您已被指派为“{organisation.name}”的联络人",
        url=reverse("appeals:liaisons"),
    )
    return row


@transaction.atomic
def liaison_end(
    *, actor: Any, organisation: Organisation, reason: str, ended_on: date | None = None, request: Any = None
) -> None:
    if not can_at(actor, Perm.LIAISON_MANAGE, organisation):
        raise PermissionDenied("您无权变更该工会的联络人")
    current = (
        LiaisonAssignment.objects.select_for_update().filter(organisation=organisation, ended_on__isnull=True).first()
    )
    if current is None:
        _refuse(f"“{organisation.name}”目前没有联络人")
    if not (reason or "").strip():
        _refuse("请填写解除原因")
    current.ended_on = ended_on or timezone.localdate()
    current.note = (current.note + " 解除：" + reason.strip())[:200]
    current.save(update_fields=["ended_on", "note"])
    audit_log(
        AuditEvent.Kind.LIAISON_CHANGED,
        user=actor,
        request=request,
        obj=current,
        summary=f"{organisation.name} 联络人：{current.liaison} → 无（{reason.strip()}）",
        detail={"organisation": organisation.code, "from": current.liaison_id, "to": None},
    )
