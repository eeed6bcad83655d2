"""Scheduled work (cron: manage.py appeals_tick) and deadlines recomputed when a calendar year is entered."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from appeals import defaults
from appeals.models import Appeal, Referral, TimelineEntry
from appeals.services.common import (
    S,
    _local_date,
    _log,
    _notify_many,
    _now,
    add_working_days,
    deadline_label,
    officers_of,
)
from core.models import User
from core.workdays import working_days_between, working_deadline
from orgs.models import Organisation


def appeals_autoclose(*, now: datetime | None = None, days: int = defaults.AUTOCLOSE_DAYS) -> int:
    """Closes requests fed back ``days`` calendar days ago and never rated."""
    now = _now(now)
    cutoff = now - timedelta(days=days)
    closed = 0
    for pk in Appeal.objects.filter(state=S.FED_BACK, fed_back_at__lte=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            appeal = Appeal.objects.select_for_update().get(pk=pk)
            if appeal.state != S.FED_BACK:
                continue
            before = appeal.state
            appeal.t_close()
            appeal.auto_closed = True
            appeal.closed_at = now
            appeal.save()
            _log(
                appeal,
                actor=None,
                action="自动办结",
                note=f"反馈后 {days} 天未评价，系统自动办结",
                before=before,
                at=now,
            )
            closed += 1
    return closed


def _escalate_to(org: Organisation) -> list[User]:
    parent = Organisation.objects.filter(path=org.parent_path).first() if org.depth > 1 else org
    return officers_of(parent) if parent else []


def appeals_tick(*, now: datetime | None = None, autoclose_days: int = defaults.AUTOCLOSE_DAYS) -> dict[str, int]:
    """Deadline reminders one working day ahead and overdue escalations; idempotent (dedupe keys)."""
    now = _now(now)
    today = _local_date(now)
    tomorrow = add_working_days(today, 1)
    out = {"near": 0, "overdue": 0, "escalated": 0, "auto_closed": 0}
    # Contact deadline (沟通) near / passed.
    for appeal in Appeal.objects.filter(state=S.REGISTERED, contact_deadline__lte=tomorrow).select_related(
        "organisation", "liaison"
    ):
        if appeal.contact_deadline == tomorrow and today < tomorrow:
            users = [appeal.liaison] if appeal.liaison else officers_of(appeal.organisation)
            _notify_many(
                users,
                kind="appeal_due",
                title=f"明日到期（联系）：{appeal.title}",
                appeal=appeal,
                dedupe=f"appeal-contact-near-{appeal.pk}",
            )
            out["near"] += 1
        elif appeal.contact_deadline < today:
            out["overdue"] += _mark_overdue(appeal, appeal.organisation, "联系", now)
    # Handling deadline of open referrals.
    for ref in Referral.objects.filter(state__in=Referral.OPEN_STATES, deadline__lte=tomorrow).select_related(
        "appeal", "handler_org"
    ):
        if ref.deadline == tomorrow and today < tomorrow:
            _notify_many(
                officers_of(ref.handler_org),
                kind="appeal_due",
                title=f"明日到期（办理）：{ref.appeal.title}",
                appeal=ref.appeal,
                dedupe=f"referral-near-{ref.pk}",
            )
            out["near"] += 1
        elif ref.deadline < today:
            if not ref.overdue:
                Referral.objects.filter(pk=ref.pk).update(overdue=True)
            out["overdue"] += _mark_overdue(ref.appeal, ref.handler_org, f"办理（{ref.handler_org.name}）", now, ref)
    # Requests past their handling deadline with no open referral (waiting for 协调).
    for appeal in (
        Appeal.objects.filter(state__in=[S.CONTACTED, S.COORDINATING, S.HANDLING], handling_deadline__lt=today)
        .exclude(referrals__state__in=Referral.OPEN_STATES)
        .select_related("organisation")
    ):
        out["overdue"] += _mark_overdue(appeal, appeal.organisation, "协调", now)
    out["auto_closed"] = appeals_autoclose(now=now, days=autoclose_days)
    return out


def _mark_overdue(
    appeal: Appeal, responsible: Organisation, step: str, now: datetime, referral: Referral | None = None
) -> int:
    """Flag the request overdue and escalate; the timeline says so once per request (its own steps)
    and once per referral, the entry linked to the referral it is about."""
    updates: dict[str, Any] = {"overdue": True}
    if appeal.escalated_at is None:
        updates["escalated_at"] = now
    Appeal.objects.filter(pk=appeal.pk).update(**updates)
    dedupe = f"appeal-overdue-{f'referral-{referral.pk}' if referral else appeal.pk}"
    first = not TimelineEntry.objects.filter(appeal=appeal, action="超时督办", referral=referral).exists()
    if first:
        _log(
            appeal,
            actor=None,
            action="超时督办",
            note=f"{step}已超时，已督办至上级组织",
            at=now,
            public=False,
            referral=referral,
        )
    _notify_many(
        _escalate_to(responsible),
        kind="appeal_overdue",
        title=f"超时督办（{step}）：{appeal.title}",
        body=f"{responsible.name} 办理超时",
        appeal=appeal,
        dedupe=dedupe,
    )
    return 1


# --- the working calendar: provisional deadlines ------------------------------------------------


def _handling_base(appeal: Appeal) -> datetime:
    """When the running handling deadline was counted from: registration, or the last 不满意 reopening."""
    return appeal.rated_at if appeal.reopen_count and appeal.rated_at else appeal.registered_at


def appeal_deadlines_replan(
    *, years: Sequence[int], actor: Any = None, **kwargs: Any
) -> Callable[[], dict[str, int]] | None:
    """Calendar listener (core.workdays): recompute the open deadlines counted over provisional days.

    Called inside the calendar write's transaction before the days of ``years`` are replaced: it
    keeps, for every open provisional deadline from 1 January of the first year on, how many working
    days it counted (under the provisional calendar), and after the write counts as many again from
    the same start under the entered calendar. A deadline that moves gets an internal timeline note
    and the history row; the people responsible are told once per request (one notification for the
    request and its referrals, never repeated for the same new dates). Closed requests keep theirs.
    """
    if not years:
        return None
    first = date(min(years), 1, 1)
    handling_open = list(Appeal.OPEN_STATES)
    appeals = list(
        Appeal.objects.select_for_update(of=("self",))
        .filter(
            Q(contact_deadline_provisional=True, contact_deadline__gte=first, state__in=[*handling_open, S.FED_BACK])
            | Q(handling_deadline_provisional=True, handling_deadline__gte=first, state__in=handling_open)
        )
        .select_related("organisation", "liaison")
        .order_by("pk")
    )
    referrals = list(
        Referral.objects.select_for_update(of=("self",))
        .filter(state__in=Referral.OPEN_STATES, deadline_provisional=True, deadline__gte=first)
        .select_related("appeal__organisation", "appeal__liaison", "handler_org")
        .order_by("pk")
    )
    if not appeals and not referrals:
        return None
    plans: list[tuple[Appeal, int | None, int | None]] = []
    for appeal in appeals:
        contact_n = (
            working_days_between(appeal.registered_at, appeal.contact_deadline)
            if appeal.contact_deadline_provisional and appeal.contact_deadline >= first
            else None
        )
        handling_n = (
            working_days_between(_handling_base(appeal), appeal.handling_deadline)
            if appeal.handling_deadline_provisional and appeal.handling_deadline >= first and appeal.is_open
            else None
        )
        plans.append((appeal, contact_n, handling_n))
    referral_plans = [(ref, working_days_between(ref.assigned_at, ref.deadline)) for ref in referrals]

    def finish() -> dict[str, int]:
        changes: dict[int, list[str]] = {}
        owners: dict[int, Appeal] = {}
        recipients: dict[int, dict[int, User]] = {}
        recomputed = 0
        for appeal, contact_n, handling_n in plans:
            notes = changes.setdefault(appeal.pk, [])
            owners[appeal.pk] = appeal
            if contact_n is not None:
                new = working_deadline(appeal.registered_at, contact_n)
                if new.due != appeal.contact_deadline:
                    notes.append(f"联系时限 {appeal.contact_deadline:%Y-%m-%d}（暂定）→ {deadline_label(*new)}")
                appeal.contact_deadline, appeal.contact_deadline_provisional = new
                if appeal.contacted_at is not None:
                    appeal.contacted_in_time = _local_date(appeal.contacted_at) <= appeal.contact_deadline
            if handling_n is not None:
                new = working_deadline(_handling_base(appeal), handling_n)
                if new.due != appeal.handling_deadline:
                    notes.append(f"办理时限 {appeal.handling_deadline:%Y-%m-%d}（暂定）→ {deadline_label(*new)}")
                appeal.handling_deadline, appeal.handling_deadline_provisional = new
            appeal.save()
            recomputed += 1
            if notes:
                users = [appeal.liaison] if appeal.liaison_id else officers_of(appeal.organisation)
                recipients.setdefault(appeal.pk, {}).update({u.pk: u for u in users})
        for ref, n in referral_plans:
            new = working_deadline(ref.assigned_at, n)
            if new.due != ref.deadline:
                changes.setdefault(ref.appeal_id, []).append(
                    f"{ref.handler_org.name}（{ref.get_role_display()}）办理时限 {ref.deadline:%Y-%m-%d}（暂定）→ "
                    f"{deadline_label(*new)}"
                )
                owners.setdefault(ref.appeal_id, ref.appeal)
                recipients.setdefault(ref.appeal_id, {}).update({u.pk: u for u in officers_of(ref.handler_org)})
            ref.deadline, ref.deadline_provisional = new
            ref.save()
            recomputed += 1
        moved = 0
        entered = "、".join(str(y) for y in years)
        for pk, notes in changes.items():
            if not notes:
                continue
            moved += len(notes)
            appeal = owners[pk]
            text = "；".join(notes)
            _log(appeal, actor=actor, action="期限重算", note=f"录入 {entered} 年工作日历：{text}", public=False)
            _notify_many(
                recipients.get(pk, {}).values(),
                kind="appeal_deadline_moved",
                title=f"办理期限已按 {entered} 年工作日历调整：{appeal.title}",
                body=text,
                appeal=appeal,
                dedupe=f"appeal-deadline-moved-{pk}-{hashlib.sha1(text.encode()).hexdigest()[:16]}",
            )
        return {"deadlines_recomputed": recomputed, "deadlines_moved": moved}

    return finish
