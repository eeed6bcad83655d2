"""协调 and 处理: the lead and co-handlers of a request, and what the handlers do with their referral."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from appeals.models import Appeal, HandlerKind, Referral
from appeals.services.common import (
    RS,
    S,
    _local_date,
    _lock,
    _lock_referral,
    _log,
    _notify_many,
    _now,
    _refuse,
    _require_handle,
    _state_name,
    deadline_label,
    officers_of,
)
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at


def suggest_handler(appeal: Appeal) -> Organisation | None:
    """The default lead handler for the request's category (a suggestion shown in the form)."""
    kind = appeal.category.default_handler_kind
    org = appeal.organisation
    root_path = org.path[: org.steplen]
    if kind == HandlerKind.UNION_DEPT:
        return Organisation.objects.filter(path=root_path).first()
    if kind == HandlerKind.SUB_UNION:
        return Organisation.objects.filter(path=org.path[: 2 * org.steplen]).first() if org.depth >= 2 else None
    partner_kind = {
        HandlerKind.YOUTH_LEAGUE: Organisation.Kind.YOUTH_LEAGUE,
        HandlerKind.WOMENS_FEDERATION: Organisation.Kind.WOMENS_FEDERATION,
        HandlerKind.GOVERNMENT: Organisation.Kind.GOVERNMENT,
    }[kind]
    return (
        Organisation.objects.filter(kind=partner_kind, status=Organisation.Status.ACTIVE, path__startswith=root_path)
        .order_by("path")
        .first()
    )


def _current_round(appeal: Appeal) -> int:
    return appeal.reopen_count + 1


@transaction.atomic
def appeal_refer(
    *,
    actor: Any,
    appeal: Appeal,
    lead: Organisation | None = None,
    co_handlers: Sequence[Organisation] = (),
    deadline: date | None = None,
    instructions: str = "",
    at: datetime | None = None,
) -> list[Referral]:
    """协调: assign one lead handler and optional co-handlers (partner organisations, sub-unions)."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal.organisation, "转办诉求")
    if appeal.state not in (S.CONTACTED, S.COORDINATING, S.HANDLING):
        if appeal.state == S.REGISTERED:
            _refuse("请先联系职工（沟通）后再转办")
        _refuse(f"诉求当前为“{_state_name(appeal.state)}”，不能转办")
    at = _now(at)
    today = _local_date(at)
    rnd = _current_round(appeal)
    open_refs = list(appeal.referrals.filter(round=rnd, state__in=Referral.OPEN_STATES))
    has_lead = (
        any(r.role == Referral.Role.LEAD for r in open_refs)
        or appeal.referrals.filter(round=rnd, role=Referral.Role.LEAD, state=RS.DONE).exists()
    )
    if lead is None and not has_lead:
        _refuse("请指定一个主办单位")
    if lead is not None and has_lead:
        _refuse("本轮已有主办单位；如主办单位退回，才能重新指定")
    handlers = ([lead] if lead else []) + list(co_handlers)
    if not handlers:
        _refuse("请至少选择一个承办单位")
    ids = [h.pk for h in handlers]
    if len(set(ids)) != len(ids):
        _refuse("同一单位不能重复选择")
    busy = {r.handler_org_id for r in open_refs}
    for h in handlers:
        if not h.is_active:
            _refuse(f"“{h.name}”已撤销，不能作为承办单位")
        if h.pk in busy:
            _refuse(f"“{h.name}”已在办理本诉求")
        if h.is_grassroots and h.pk != appeal.organisation_id:
            _refuse(f"“{h.name}”是其他基层工会，不能承办本诉求")
        if not h.is_partner and not appeal.organisation.path.startswith(h.path):
            _refuse(f"“{h.name}”不是本诉求所属工会的上级组织，也不是团委、妇联或政府部门")
    due = deadline or appeal.handling_deadline
    # The request's own deadline passed on to the handlers stays 暂定 (and is recomputed) with it.
    due_provisional = appeal.handling_deadline_provisional and due == appeal.handling_deadline
    if due < today:
        _refuse(f"办理时限 {due:%Y-%m-%d} 早于今天")
    made: list[Referral] = []
    for h in handlers:
        role = Referral.Role.LEAD if (lead is not None and h.pk == lead.pk) else Referral.Role.CO
        ref = Referral.objects.create(
            appeal=appeal,
            handler_org=h,
            role=role,
            round=rnd,
            deadline=due,
            deadline_provisional=due_provisional,
            assigned_at=at,
            assigned_by=actor,
            instructions=instructions.strip()[:500],
        )
        made.append(ref)
    before = appeal.state
    if appeal.state == S.CONTACTED:
        appeal.t_coordinate()
    if lead is not None:
        appeal.lead_handler_org = lead
    appeal.save()
    names = "；".join(f"{r.get_role_display()}：{r.handler_org.name}" for r in made)
    _log(
        appeal,
        actor=actor,
        action="转办",
        note=f"{names}（时限 {deadline_label(due, due_provisional)}）{instructions.strip()}",
        before=before if before != appeal.state else "",
        at=at,
    )
    for r in made:
        _notify_many(
            officers_of(r.handler_org),
            kind="appeal_assigned",
            title=f"新转办诉求（{r.get_role_display()}）：{appeal.title}",
            body=f"办理时限 {deadline_label(due, due_provisional)}",
            appeal=appeal,
        )
    return made


def _require_handler(actor: Any, referral: Referral, what: str) -> None:
    if not can_at(actor, Perm.APPEAL_HANDLE, referral.handler_org):
        raise PermissionDenied(f"您无权{what}：只有承办单位“{referral.handler_org.name}”的干部可以操作")


@transaction.atomic
def referral_accept(*, actor: Any, referral: Referral, at: datetime | None = None) -> Referral:
    referral = _lock_referral(referral)
    _require_handler(actor, referral, "受理")
    if referral.state != RS.ASSIGNED:
        _refuse(f"该转办当前为“{referral.get_state_display()}”，不能受理")
    appeal = _lock(referral.appeal)
    referral.t_accept()
    referral.save()
    before = appeal.state
    if referral.role == Referral.Role.LEAD and appeal.state == S.COORDINATING:
        appeal.t_handle()
        appeal.save()
    _log(
        appeal,
        actor=actor,
        action="受理",
        note=f"{referral.handler_org.name}（{referral.get_role_display()}）已受理",
        before=before if before != appeal.state else "",
        at=at,
    )
    return referral


@transaction.atomic
def referral_return(*, actor: Any, referral: Referral, reason: str, at: datetime | None = None) -> Referral:
    """A handler returns a misrouted referral with a reason; a returned lead sends the request back to 协调."""
    referral = _lock_referral(referral)
    _require_handler(actor, referral, "退回")
    if referral.state not in Referral.OPEN_STATES:
        _refuse(f"该转办当前为“{referral.get_state_display()}”，不能退回")
    if not (reason or "").strip():
        _refuse("退回必须说明原因")
    at = _now(at)
    appeal = _lock(referral.appeal)
    referral.t_return()
    referral.return_reason = reason.strip()[:300]
    referral.finished_at = at
    referral.save()
    before = appeal.state
    if referral.role == Referral.Role.LEAD:
        if appeal.state == S.HANDLING:
            appeal.t_coordinate()
        appeal.lead_handler_org = None
        appeal.save()
    _log(
        appeal,
        actor=actor,
        action="退回",
        note=f"{referral.handler_org.name}退回：{reason.strip()}",
        before=before if before != appeal.state else "",
        at=at,
    )
    recipients = {u.pk: u for u in officers_of(appeal.organisation)}
    if appeal.liaison_id:
        recipients[appeal.liaison_id] = appeal.liaison
    _notify_many(
        recipients.values(),
        kind="appeal_returned",
        title=f"转办被退回：{appeal.title}",
        body=reason.strip(),
        appeal=appeal,
    )
    return referral


@transaction.atomic
def referral_complete(*, actor: Any, referral: Referral, result: str, at: datetime | None = None) -> Referral:
    """处理: the handler records what was done."""
    referral = _lock_referral(referral)
    _require_handler(actor, referral, "办结")
    if referral.state == RS.ASSIGNED:
        _refuse("请先受理，再填写办理情况")
    if referral.state != RS.ACCEPTED:
        _refuse(f"该转办当前为“{referral.get_state_display()}”，不能办结")
    if not (result or "").strip():
        _refuse("请填写办理情况")
    at = _now(at)
    appeal = _lock(referral.appeal)
    referral.t_done()
    referral.result = result.strip()
    referral.finished_at = at
    referral.save()
    _log(
        appeal,
        actor=actor,
        action="办理",
        note=f"{referral.handler_org.name}（{referral.get_role_display()}）：{result.strip()}",
        at=at,
    )
    return referral
