"""Recruiting social workers: every step a transition of ``Recruitment``; a step taken out of order
is refused by the state machine (``can_proceed``), and each step checks the data the next one needs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from cadres import formulas
from cadres.models import Application, InterviewScore, Recruitment, SocialWorker
from cadres.services.common import create_or_refuse, refuse, require
from orgs.models import Organisation
from orgs.roles import Perm

MOBILE_RE = re.compile(r"^1\d{10}$")
RECRUITING_KINDS = frozenset({Organisation.Kind.DISTRICT} | Organisation.SUB_FEDERATION_KINDS)


def _step(recruitment: Recruitment, transition: Any, what: str) -> None:
    if not can_proceed(transition):
        refuse(f"招聘当前处于“{recruitment.get_state_display()}”阶段，不能{what}")


def _locked(recruitment: Recruitment, actor: Any) -> Recruitment:
    locked = Recruitment.objects.select_for_update().select_related("organisation").get(pk=recruitment.pk)
    require(actor, Perm.SOCIAL_WORKER_MANAGE, locked.organisation, "管理该招聘")
    return locked


def _score(value: Any, field: str, label: str) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        refuse({field: f"{label}须为数字"})
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        refuse({field: f"{label}须在 0 到 100 之间"})
    return score.quantize(formulas.CENT)


@transaction.atomic
def recruitment_open(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    positions: int,
    opened_on: date | None = None,
    interviewers: Iterable[Any] = (),
    written_pass_mark: Decimal = Decimal("60"),
    written_weight: Decimal = Decimal("0.40"),
    notice_days: int = 5,
) -> Recruitment:
    """发布招聘公告: the opening, with its interviewers and the stated scoring parameters."""
    require(actor, Perm.SOCIAL_WORKER_MANAGE, organisation, f"以“{organisation.name}”名义招聘社工")
    if organisation.kind not in RECRUITING_KINDS:
        refuse({"organisation": "社工由区总工会或镇街、功能区工会招聘"})
    title = (title or "").strip()
    if not title:
        refuse({"title": "请填写招聘名称"})
    if not 1 <= positions <= 500:
        refuse({"positions": "招聘人数须在 1 到 500 之间"})
    if not Decimal(0) <= written_weight <= Decimal(1):
        refuse({"written_weight": "笔试权重须在 0 到 1 之间"})
    if not 1 <= notice_days <= 60:
        refuse({"notice_days": "公示天数须在 1 到 60 之间"})
    recruitment = Recruitment.objects.create(
        organisation=organisation,
        title=title[:120],
        positions=positions,
        opened_on=opened_on or timezone.localdate(),
        written_pass_mark=_score(written_pass_mark, "written_pass_mark", "笔试合格线"),
        written_weight=written_weight,
        notice_days=notice_days,
        created_by=actor,
    )
    recruitment.interviewers.set(list(interviewers))
    return recruitment


@transaction.atomic
def interviewers_set(*, actor: Any, recruitment: Recruitment, interviewers: Iterable[Any]) -> Recruitment:
    """The interviewers, fixed once the interview has started (scores are then being entered)."""
    recruitment = _locked(recruitment, actor)
    if recruitment.state not in (Recruitment.State.OPEN, Recruitment.State.REVIEW, Recruitment.State.WRITTEN):
        refuse("面试已开始，不能再更换面试官")
    people = list(interviewers)
    if any(not getattr(u, "is_active", False) for u in people):
        refuse({"interviewers": "面试官须为有效账号"})
    recruitment.interviewers.set(people)
    return recruitment


@transaction.atomic
def application_add(
    *, actor: Any, recruitment: Recruitment, name: str, mobile: str, applied_on: date | None = None
) -> Application:
    """报名: only while applications are open."""
    recruitment = _locked(recruitment, actor)
    if recruitment.state != Recruitment.State.OPEN:
        refuse(f"招聘当前处于“{recruitment.get_state_display()}”阶段，报名已截止")
    name = (name or "").strip()
    mobile = (mobile or "").strip()
    if not name or len(name) > 50:
        refuse({"name": "请填写姓名（不超过 50 个字）"})
    if not MOBILE_RE.match(mobile):
        refuse({"mobile": "手机号须为 11 位数字、以 1 开头"})
    return Application.objects.create(
        recruitment=recruitment, name=name, mobile=mobile, applied_on=applied_on or timezone.localdate()
    )


@transaction.atomic
def applications_close(*, actor: Any, recruitment: Recruitment) -> Recruitment:
    """报名截止 → 资格审查."""
    recruitment = _locked(recruitment, actor)
    _step(recruitment, recruitment.close_applications, "截止报名")
    if not recruitment.applications.exists():
        refuse("还没有报名人，不能截止报名")
    recruitment.close_applications()
    recruitment.save()
    return recruitment


@transaction.atomic
def eligibility_review(*, actor: Any, application: Application, eligible: bool, note: str = "") -> Application:
    """资格审查 of one applicant (a refusal needs its reason)."""
    recruitment = _locked(application.recruitment, actor)
    if recruitment.state != Recruitment.State.REVIEW:
        refuse(f"招聘当前处于“{recruitment.get_state_display()}”阶段，不能进行资格审查")
    note = (note or "").strip()
    if not eligible and not note:
        refuse({"note": f"请填写“{application.name}”资格审查不通过的原因"})
    application.eligible = eligible
    application.review_note = note[:200]
    application.save(update_fields=["eligible", "review_note"])
    return application


@transaction.atomic
def written_test_start(*, actor: Any, recruitment: Recruitment) -> Recruitment:
    """资格审查完成 → 笔试: every applicant reviewed, at least one eligible."""
    recruitment = _locked(recruitment, actor)
    _step(recruitment, recruitment.start_written, "进入笔试")
    pending = list(recruitment.applications.filter(eligible__isnull=True).values_list("name", flat=True)[:5])
    if pending:
        refuse(f"还有报名人未完成资格审查：{'、'.join(pending)}")
    if not recruitment.applications.filter(eligible=True).exists():
        refuse("没有通过资格审查的报名人")
    recruitment.start_written()
    recruitment.save()
    return recruitment


@transaction.atomic
def written_score_record(*, actor: Any, application: Application, score: Any) -> Application:
    recruitment = _locked(application.recruitment, actor)
    if recruitment.state != Recruitment.State.WRITTEN:
        refuse(f"招聘当前处于“{recruitment.get_state_display()}”阶段，不能录入笔试成绩")
    if application.eligible is not True:
        refuse(f"“{application.name}”未通过资格审查，没有笔试成绩")
    application.written_score = _score(score, "score", f"“{application.name}”的笔试成绩")
    application.save(update_fields=["written_score"])
    return application


@transaction.atomic
def interview_start(*, actor: Any, recruitment: Recruitment) -> Recruitment:
    """笔试完成 → 面试: every eligible applicant has a written score, someone passed, interviewers named."""
    recruitment = _locked(recruitment, actor)
    _step(recruitment, recruitment.start_interview, "进入面试")
    missing = list(
        recruitment.applications.filter(eligible=True, written_score__isnull=True).values_list("name", flat=True)[:5]
    )
    if missing:
        refuse(f"还有考生没有笔试成绩：{'、'.join(missing)}")
    if not recruitment.applications.filter(eligible=True, written_score__gte=recruitment.written_pass_mark).exists():
        refuse("没有考生达到笔试合格线")
    if not recruitment.interviewers.exists():
        refuse("请先指定面试官")
    recruitment.start_interview()
    recruitment.save()
    return recruitment


def interview_score_submit(*, actor: Any, application: Application, score: Any) -> InterviewScore:
    """One interviewer's own score of one candidate: entered once, not changed, not seen by the other
    interviewers until they have submitted theirs (``selectors.scores_visible_to``)."""
    with transaction.atomic():
        recruitment = Recruitment.objects.select_for_update().get(pk=application.recruitment_id)
        if not recruitment.interviewers.filter(pk=actor.pk).exists():
            refuse("您不是本次招聘的面试官")
        if recruitment.state != Recruitment.State.INTERVIEW:
            refuse(f"招聘当前处于“{recruitment.get_state_display()}”阶段，不能评分")
        application = Application.objects.select_related("recruitment").get(pk=application.pk)
        if not application.in_interview:
            refuse(f"“{application.name}”未进入面试")
        value = _score(score, "score", f"“{application.name}”的面试评分")
    return create_or_refuse(
        lambda: InterviewScore.objects.create(application=application, interviewer=actor, score=value),
        f"您已为“{application.name}”评分，评分提交后不能修改",
    )


@transaction.atomic
def ranking_publish(*, actor: Any, recruitment: Recruitment) -> Recruitment:
    """面试结束 → 排名: every interviewer scored every candidate; the scores are combined by the stated
    rule (``cadres.formulas``) and the first ``positions`` become the proposed hires."""
    recruitment = _locked(recruitment, actor)
    _step(recruitment, recruitment.rank, "公布排名")
    candidates = [a for a in recruitment.applications.select_related("recruitment") if a.in_interview]
    interviewers = set(recruitment.interviewers.values_list("pk", flat=True))
    scores: dict[int, list[InterviewScore]] = {a.pk: [] for a in candidates}
    for s in InterviewScore.objects.filter(application__in=candidates):
        scores[s.application_id].append(s)
    for a in candidates:
        done = {s.interviewer_id for s in scores[a.pk]}
        if not interviewers <= done:
            refuse(f"面试官尚未全部为“{a.name}”评分（已评 {len(done & interviewers)} / {len(interviewers)}）")
    for a in candidates:
        a.interview_score = formulas.interview_score(
            [s.score for s in scores[a.pk] if s.interviewer_id in interviewers]
        )
        a.total_score = formulas.total_score(a.written_score, a.interview_score, recruitment.written_weight)
    ordered = sorted(
        candidates, key=lambda a: formulas.ranking_key(a.total_score, a.interview_score, a.written_score, a.pk)
    )
    for place, a in enumerate(ordered, start=1):
        a.rank = place
        a.hired = place <= recruitment.positions
        a.save(update_fields=["interview_score", "total_score", "rank", "hired"])
    recruitment.rank()
    recruitment.save()
    return recruitment


@transaction.atomic
def notice_publish(*, actor: Any, recruitment: Recruitment, starts_on: date | None = None) -> Recruitment:
    """公示 the proposed hires for ``notice_days`` days."""
    recruitment = _locked(recruitment, actor)
    _step(recruitment, recruitment.publish_notice, "发布公示")
    recruitment.notice_start = starts_on or timezone.localdate()
    recruitment.notice_end = recruitment.notice_start + timedelta(days=recruitment.notice_days - 1)
    recruitment.publish_notice()
    recruitment.save()
    return recruitment


@transaction.atomic
def hiring_confirm(*, actor: Any, recruitment: Recruitment, hired_on: date | None = None) -> list[SocialWorker]:
    """聘用 after the notice period: each proposed hire becomes a social worker (on probation)."""
    recruitment = _locked(recruitment, actor)
    _step(recruitment, recruitment.hire, "确认聘用")
    hired_on = hired_on or timezone.localdate()
    if recruitment.notice_end is None or hired_on <= recruitment.notice_end:
        refuse(f"公示期至 {recruitment.notice_end:%Y-%m-%d} 结束，公示期满后才能确认聘用")
    workers = [
        SocialWorker.objects.create(
            organisation=recruitment.organisation, name=a.name, application=a, hired_on=hired_on
        )
        for a in recruitment.applications.filter(hired=True).order_by("rank")
    ]
    recruitment.hire()
    recruitment.save()
    return workers
