"""What every step shares: working-day deadlines, the timeline, refusals, locks and notifications."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, LiaisonAssignment, Referral, TimelineEntry
from core.models import User
from core.notify import notify
from core.workdays import CalendarYearMissing, WorkingDeadline, working_deadline
from orgs.models import Organisation, RoleAssignment
from orgs.roles import ROLE_PERMS, Perm
from orgs.scope import can_at

S = Appeal.State
RS = Referral.State


def deadline_compute(start: date | datetime, n: int) -> WorkingDeadline:
    """Working-day deadline and whether it is provisional (暂定: counted over a year not entered yet).

    A year not entered is computed provisionally by the calendar, so this refuses only for a hole in
    an entered year, with the calendar's own message.
    """
    try:
        return working_deadline(start, n)
    except CalendarYearMissing as exc:
        raise ValidationError(str(exc)) from exc


def add_working_days(start: date | datetime, n: int) -> date:
    """The date of :func:`deadline_compute`."""
    return deadline_compute(start, n).due


def deadline_label(due: date, provisional: bool) -> str:
    """``2027-01-19`` or ``2027-01-19（暂定）`` for messages and notes."""
    return f"{due:%Y-%m-%d}（暂定）" if provisional else f"{due:%Y-%m-%d}"


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _local_date(at: datetime) -> date:
    return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()


def _label(user: Any) -> str:
    if user is None:
        return "系统"
    return str(user)


def _log(
    appeal: Appeal,
    *,
    actor: Any,
    action: str,
    note: str = "",
    before: str = "",
    at: datetime | None = None,
    public: bool = True,
    referral: Referral | None = None,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        appeal=appeal,
        at=_now(at),
        actor=actor,
        actor_label=_label(actor),
        action=action,
        state_from=before,
        state_to=appeal.state if before else "",
        note=note,
        public=public,
        referral=referral,
    )


def _state_name(state: str) -> str:
    return S(state).label


def _refuse(message: str) -> None:
    raise ValidationError(message)


def _require_handle(actor: Any, organisation: Organisation, what: str) -> None:
    if not can_at(actor, Perm.APPEAL_HANDLE, organisation):
        raise PermissionDenied(f"您无权{what}：该诉求不在您的办理范围内")


def _lock(appeal: Appeal) -> Appeal:
    """A fresh, locked copy of the row (the protected state field cannot be refreshed in place)."""
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("category", "organisation", "worker")
        .get(pk=appeal.pk)
    )


def _lock_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("handler_org", "appeal").get(pk=referral.pk)


HANDLE_ROLES = [r for r, perms in ROLE_PERMS.items() if Perm.APPEAL_HANDLE in perms]


def officers_of(organisation: Organisation) -> list[User]:
    """Users who handle requests at this organisation itself (not its ancestors)."""
    rows = RoleAssignment.objects.filter(organisation=organisation, role__in=HANDLE_ROLES).select_related("user")
    seen: dict[int, User] = {}
    for ra in rows:
        if ra.user.is_active:
            seen.setdefault(ra.user_id, ra.user)
    return list(seen.values())


def _url(appeal: Appeal) -> str:
    return reverse("appeals:detail", args=[appeal.pk])


def _notify_many(
    users: Iterable[User], *, kind: str, title: str, appeal: Appeal, body: str = "", dedupe: str = ""
) -> None:
    for user in users:
        notify(
            user,
            kind=kind,
            title=title,
            body=body,
            url=_url(appeal),
            dedupe_key=f"{dedupe}:{user.pk}" if dedupe else "",
        )


def _notify_worker(appeal: Appeal, *, title: str, entry: TimelineEntry) -> None:
    """Tell the worker about a step. The body is the step's timeline entry, and only when it is
    worker-visible (an internal note never reaches the worker); the link is the portal page."""
    user = appeal.worker.user if appeal.worker_id and appeal.worker.user_id else None
    if user is not None:
        body = entry.note if entry.public else ""
        notify(user, kind="appeal_worker", title=title, body=body, url=reverse("portal:detail", args=[appeal.pk]))


def current_liaison(organisation: Organisation) -> User | None:
    row = (
        LiaisonAssignment.objects.filter(organisation=organisation, ended_on__isnull=True)
        .select_related("liaison")
        .first()
    )
    return row.liaison if row else None
