"""State changes of the closed loop. Every step checks who may take it and whether it is in order,
and refuses with a clear Chinese message (ValidationError / PermissionDenied) that changes nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from appeals import defaults
from appeals.models import Appeal, Attachment, Category, HandlerKind, LiaisonAssignment, Referral, TimelineEntry
from core.audit import audit_log
from core.models import AuditEvent, User
from core.notify import notify
from core.workdays import CalendarYearMissing, WorkingDeadline, working_days_between, working_deadline
from orgs.models import Organisation, RoleAssignment
from orgs.roles import ROLE_PERMS, Perm
from orgs.scope import can_at, has_perm

S = Appeal.State
RS = Referral.State

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
ALLOWED_EXTENSIONS = {".jpg", ".jpeg", ".png", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".heic"}


# --- helpers ----------------------------------------------------------------------------------


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


# --- intake -----------------------------------------------------------------------------------


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


# --- the six steps ----------------------------------------------------------------------------


@transaction.atomic
def appeal_contact(*, actor: Any, appeal: Appeal, note: str, at: datetime | None = None) -> Appeal:
    """沟通: the liaison has contacted the worker."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal.organisation, "联系职工")
    if appeal.state != S.REGISTERED:
        _refuse(f"诉求当前为“{_state_name(appeal.state)}”，只有刚登记的诉求才能记录首次联系")
    if not (note or "").strip():
        _refuse("请记录与职工沟通的内容")
    at = _now(at)
    before = appeal.state
    appeal.t_contact()
    appeal.contacted_at = at
    appeal.contacted_in_time = _local_date(at) <= appeal.contact_deadline
    appeal.save()
    entry = _log(appeal, actor=actor, action="联系职工", note=note.strip(), before=before, at=at)
    _notify_worker(appeal, title=f"您的诉求“{appeal.title}”已有联络人联系", entry=entry)
    return appeal


@transaction.atomic
def appeal_note(*, actor: Any, appeal: Appeal, note: str, public: bool = True) -> Appeal:
    """A communication record at any open step (who said what)."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal.organisation, "记录沟通情况")
    if appeal.state == S.CLOSED:
        _refuse("诉求已办结，不能再添加记录")
    if not (note or "").strip():
        _refuse("请填写记录内容")
    _log(appeal, actor=actor, action="沟通记录", note=note.strip(), public=public)
    return appeal


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


@transaction.atomic
def appeal_feedback(*, actor: Any, appeal: Appeal, result: str, resolved: bool, at: datetime | None = None) -> Appeal:
    """反馈: the result is told to the worker. Refused while any referral is still open."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal.organisation, "反馈结果")
    if appeal.state != S.HANDLING:
        _refuse(f"诉求当前为“{_state_name(appeal.state)}”，只有办理中的诉求才能反馈结果")
    open_refs = list(appeal.referrals.filter(state__in=Referral.OPEN_STATES).select_related("handler_org"))
    if open_refs:
        names = "、".join(r.handler_org.name for r in open_refs)
        _refuse(f"尚有 {len(open_refs)} 个转办未办结（{names}），不能反馈")
    if not (result or "").strip():
        _refuse("请填写反馈给职工的办理结果")
    at = _now(at)
    before = appeal.state
    appeal.t_feedback()
    appeal.result = result.strip()
    appeal.resolved = bool(resolved)
    appeal.fed_back_at = at
    appeal.save()
    entry = _log(
        appeal,
        actor=actor,
        action="反馈",
        note=f"{'已解决' if resolved else '未能解决'}：{result.strip()}",
        before=before,
        at=at,
    )
    _notify_worker(appeal, title=f"您的诉求“{appeal.title}”已有办理结果，请评价", entry=entry)
    return appeal


@transaction.atomic
def appeal_rate(*, actor: Any, appeal: Appeal, rating: str, comment: str = "", at: datetime | None = None) -> Appeal:
    """评价: the worker (or an officer recording a call-back 回访) rates. 不满意 reopens to 协调."""
    appeal = _lock(appeal)
    own = bool(appeal.worker_id and appeal.worker.user_id and appeal.worker.user_id == getattr(actor, "pk", None))
    if not own:
        _require_handle(actor, appeal.organisation, "评价")
    if appeal.state != S.FED_BACK:
        _refuse(f"诉求当前为“{_state_name(appeal.state)}”，只有已反馈结果的诉求才能评价")
    if rating not in Appeal.Rating.values:
        _refuse("请选择满意、基本满意或不满意")
    comment = (comment or "").strip()
    if rating == Appeal.Rating.UNSATISFIED and not comment:
        _refuse("选择不满意时请说明原因，便于重新办理")
    at = _now(at)
    before = appeal.state
    label = Appeal.Rating(rating).label
    who = "职工评价" if own else "回访评价"
    if rating == Appeal.Rating.UNSATISFIED:
        appeal.t_reopen()
        appeal.reopen_count += 1
        appeal.resolved = False
        # The 不满意 stays the request's latest rating (and counts in 满意率) until it is rated again.
        appeal.rating = rating
        appeal.rating_comment = comment[:500]
        appeal.rated_at = at
        appeal.lead_handler_org = None
        appeal.handling_deadline, appeal.handling_deadline_provisional = deadline_compute(
            at, appeal.category.handling_days
        )
        appeal.save()
        _log(
            appeal,
            actor=actor,
            action=who,
            note=f"{label}：{comment}（第 {appeal.reopen_count} 次重办）",
            before=before,
            at=at,
        )
        recipients = {u.pk: u for u in officers_of(appeal.organisation)}
        if appeal.liaison_id:
            recipients[appeal.liaison_id] = appeal.liaison
        _notify_many(
            recipients.values(),
            kind="appeal_reopened",
            title=f"职工不满意，诉求重办：{appeal.title}",
            body=comment,
            appeal=appeal,
        )
        return appeal
    appeal.t_close()
    appeal.rating = rating
    appeal.rating_comment = comment[:500]
    appeal.rated_at = at
    appeal.closed_at = at
    appeal.save()
    _log(appeal, actor=actor, action=who, note=f"{label}{('：' + comment) if comment else ''}", before=before, at=at)
    if appeal.liaison_id:
        notify(appeal.liaison, kind="appeal_rated", title=f"诉求已评价（{label}）：{appeal.title}", url=_url(appeal))
    return appeal


@transaction.atomic
def appeal_mark_invalid(*, actor: Any, appeal: Appeal, reason: str, at: datetime | None = None) -> Appeal:
    """Closes a request that is not a real one (重复、恶意、非工会职责) with a reason; excluded from 解决率."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal.organisation, "标记无效")
    if appeal.state not in (S.REGISTERED, S.CONTACTED, S.COORDINATING):
        _refuse(f"诉求当前为“{_state_name(appeal.state)}”，不能标记无效")
    if appeal.referrals.filter(state__in=Referral.OPEN_STATES).exists():
        _refuse("尚有未办结的转办，请先由承办单位退回或办结")
    if not (reason or "").strip():
        _refuse("标记无效必须填写原因")
    at = _now(at)
    before = appeal.state
    appeal.t_invalidate()
    appeal.invalid = True
    appeal.invalid_reason = reason.strip()[:200]
    appeal.closed_at = at
    appeal.save()
    _log(appeal, actor=actor, action="标记无效", note=reason.strip(), before=before, at=at)
    return appeal


# --- scheduled work (cron: manage.py appeals_tick) ------------------------------------------------


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
            out["overdue"] += _mark_overdue(
                ref.appeal, ref.handler_org, f"办理（{ref.handler_org.name}）", now, key=f"referral-{ref.pk}"
            )
    # Requests past their handling deadline with no open referral (waiting for 协调).
    for appeal in (
        Appeal.objects.filter(state__in=[S.CONTACTED, S.COORDINATING, S.HANDLING], handling_deadline__lt=today)
        .exclude(referrals__state__in=Referral.OPEN_STATES)
        .select_related("organisation")
    ):
        out["overdue"] += _mark_overdue(appeal, appeal.organisation, "协调", now)
    out["auto_closed"] = appeals_autoclose(now=now, days=autoclose_days)
    return out


def _mark_overdue(appeal: Appeal, responsible: Organisation, step: str, now: datetime, key: str = "") -> int:
    updates: dict[str, Any] = {"overdue": True}
    if appeal.escalated_at is None:
        updates["escalated_at"] = now
    Appeal.objects.filter(pk=appeal.pk).update(**updates)
    dedupe = f"appeal-overdue-{key or appeal.pk}"
    first = not TimelineEntry.objects.filter(
        appeal=appeal, action="超时督办", note__startswith=f"[{key or 'appeal'}]"
    ).exists()
    if first:
        _log(
            appeal,
            actor=None,
            action="超时督办",
            note=f"[{key or 'appeal'}] {step}已超时，已督办至上级组织",
            at=now,
            public=False,
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


# --- liaisons (点对点) ------------------------------------------------------------------------


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


def open_appeals_guard(organisation: Organisation) -> str | None:
    """Close guard: an organisation with open requests (or open referrals to it) cannot be closed."""
    n = Appeal.objects.filter(organisation=organisation).exclude(state=S.CLOSED).count()
    m = Referral.objects.filter(handler_org=organisation, state__in=Referral.OPEN_STATES).count()
    if n or m:
        return f"尚有 {n} 件未办结诉求、{m} 件待办转办"
    return None


__all__ = [
    "appeal_contact",
    "appeal_deadlines_replan",
    "appeal_feedback",
    "appeal_mark_invalid",
    "appeal_note",
    "appeal_rate",
    "appeal_refer",
    "appeal_register",
    "appeals_autoclose",
    "appeals_tick",
    "attachment_add",
    "liaison_assign",
    "liaison_end",
    "referral_accept",
    "referral_complete",
    "referral_return",
]
