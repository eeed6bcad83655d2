"""The steps on the request itself: 沟通 (first contact, notes), 反馈, 评价 and marking it invalid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from appeals.models import Appeal, Referral
from appeals.services.common import (
    S,
    _local_date,
    _lock,
    _log,
    _notify_many,
    _notify_worker,
    _now,
    _refuse,
    _require_handle,
    _state_name,
    _url,
    deadline_compute,
    officers_of,
)
from core.notify import notify


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
