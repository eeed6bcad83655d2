"""Social workers after hiring: pay grade, the unions they serve (and so the liaison of the closed
loop, through ``appeals``), and the cycle 选聘 → 考核 → 使用 → 评价."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from appeals.models import LiaisonAssignment
from appeals.services import liaison_assign, liaison_end
from cadres.models import Assignment, Evaluation, PayGrade, SocialWorker
from cadres.services.common import create_or_refuse, refuse, require
from orgs.models import Organisation
from orgs.roles import Perm


def _locked(worker: SocialWorker, actor: Any, what: str) -> SocialWorker:
    locked = SocialWorker.objects.select_for_update().select_related("organisation").get(pk=worker.pk)
    require(actor, Perm.SOCIAL_WORKER_MANAGE, locked.organisation, what)
    return locked


@transaction.atomic
def social_worker_update(
    *, actor: Any, worker: SocialWorker, user: Any = None, pay_grade: PayGrade | None = None
) -> SocialWorker:
    """Link the worker's platform account and set their pay grade (a grade of the employer or above)."""
    worker = _locked(worker, actor, f"变更社工“{worker.name}”")
    if worker.stage == SocialWorker.Stage.DISMISSED:
        refuse(f"“{worker.name}”已解聘")
    if pay_grade is not None and not worker.organisation.path.startswith(pay_grade.organisation.path):
        refuse({"pay_grade": "薪酬等级须由聘用单位或其上级制定"})
    if user is not None:
        taken = SocialWorker.objects.filter(user=user).exclude(pk=worker.pk).first()
        if taken is not None:
            refuse({"user": f"该账号已关联社工“{taken.name}”"})
        worker.user = user
    worker.pay_grade = pay_grade
    worker.save(update_fields=["user", "pay_grade"])
    return worker


def pay_grade_define(
    *,
    actor: Any,
    organisation: Organisation,
    code: str,
    name: str,
    monthly_pay: Decimal,
    valid_from: date,
    social_insurance: bool = True,
    housing_fund: bool = True,
    annual_leave_days: int = 5,
) -> PayGrade:
    """A pay grade of the 保障办法 (parameters, not payments: pay goes through the employer's payroll)."""
    require(actor, Perm.SOCIAL_WORKER_MANAGE, organisation, "制定社工薪酬等级")
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        refuse({"code": "请填写等级代码和名称"})
    if not monthly_pay.is_finite() or monthly_pay <= 0 or monthly_pay >= Decimal("100000000"):
        refuse({"monthly_pay": "月薪酬标准须为正数"})
    if not 0 <= annual_leave_days <= 60:
        refuse({"annual_leave_days": "年休假天数须在 0 到 60 之间"})
    values = {
        "code": code[:20], "name": name[:50], "monthly_pay": monthly_pay.quantize(Decimal("0.01")),
        "valid_from": valid_from, "social_insurance": social_insurance, "housing_fund": housing_fund,
        "annual_leave_days": annual_leave_days,
    }  # fmt: skip
    return create_or_refuse(
        lambda: PayGrade.objects.create(organisation=organisation, **values), {"code": f"等级代码“{code}”已存在"}
    )


@transaction.atomic
def assignment_start(
    *, actor: Any, worker: SocialWorker, organisation: Organisation, started_on: date | None = None, request: Any = None
) -> Assignment:
    """The worker serves a grassroots union from ``started_on`` and becomes its liaison (点对点) through
    ``appeals.services.liaison_assign``, which checks the liaison rules (the actor manages liaisons
    there, the worker's account handles requests there). A union has one serving worker at a time:
    the previous one's assignment ends that day."""
    worker = _locked(worker, actor, f"指派社工“{worker.name}”")
    require(actor, Perm.SOCIAL_WORKER_MANAGE, organisation, f"向“{organisation.name}”指派社工")
    if worker.stage == SocialWorker.Stage.DISMISSED:
        refuse(f"“{worker.name}”已解聘，不能指派")
    if worker.user is None:
        refuse(f"请先为“{worker.name}”关联平台账号（并授予工会社会工作者角色），才能成为联络人")
    started_on = started_on or timezone.localdate()
    if started_on < worker.hired_on:
        refuse({"started_on": "指派日期不能早于聘用日期"})
    previous = Assignment.objects.select_for_update().filter(organisation=organisation, ended_on__isnull=True).first()
    if previous is not None and previous.social_worker_id == worker.pk:
        refuse(f"“{worker.name}”已在服务“{organisation.name}”")
    liaison_assign(
        actor=actor,
        organisation=organisation,
        liaison=worker.user,
        started_on=started_on,
        request=request,
        note=f"社工服务指派：{worker.name}",
    )
    if previous is not None:
        previous.ended_on = started_on
        previous.save(update_fields=["ended_on"])
    return Assignment.objects.create(
        social_worker=worker, organisation=organisation, started_on=started_on, assigned_by=actor
    )


@transaction.atomic
def assignment_end(
    *, actor: Any, assignment: Assignment, reason: str, ended_on: date | None = None, request: Any = None
) -> Assignment:
    """The worker stops serving the union; if they are still its liaison, that ends too."""
    assignment = (
        Assignment.objects.select_for_update().select_related("organisation", "social_worker").get(pk=assignment.pk)
    )
    require(actor, Perm.SOCIAL_WORKER_MANAGE, assignment.organisation, "结束该社工服务指派")
    if assignment.ended_on is not None:
        refuse("该指派已结束")
    if not (reason or "").strip():
        refuse({"reason": "请填写结束原因"})
    ended_on = ended_on or timezone.localdate()
    if ended_on < assignment.started_on:
        refuse({"ended_on": "结束日期不能早于开始日期"})
    worker = assignment.social_worker
    is_liaison = LiaisonAssignment.objects.filter(
        organisation=assignment.organisation, liaison_id=worker.user_id, ended_on__isnull=True
    ).exists()
    if is_liaison:
        liaison_end(
            actor=actor, organisation=assignment.organisation, reason=reason, ended_on=ended_on, request=request
        )
    assignment.ended_on = ended_on
    assignment.save(update_fields=["ended_on"])
    return assignment


@transaction.atomic
def probation_conclude(*, actor: Any, worker: SocialWorker, passed: bool, reason: str = "") -> SocialWorker:
    """考核 at the end of probation: passed → 使用; failed → 解聘 (with the reason)."""
    worker = _locked(worker, actor, f"考核社工“{worker.name}”")
    transition = worker.confirm if passed else worker.dismiss
    if worker.stage != SocialWorker.Stage.PROBATION or not can_proceed(transition):
        refuse(f"“{worker.name}”当前为“{worker.get_stage_display()}”，不在试用期")
    if not passed:
        return _dismiss(actor, worker, reason)
    worker.confirm()
    worker.save()
    return worker


def _dismiss(actor: Any, worker: SocialWorker, reason: str, on: date | None = None) -> SocialWorker:
    if not (reason or "").strip():
        refuse({"reason": "请填写解聘原因"})
    on = on or timezone.localdate()
    for current in worker.assignments.filter(ended_on__isnull=True):
        assignment_end(actor=actor, assignment=current, reason=f"解聘：{reason.strip()}", ended_on=on)
    worker.dismiss()
    worker.left_on = on
    worker.left_reason = reason.strip()[:200]
    worker.save()
    return worker


@transaction.atomic
def social_worker_dismiss(*, actor: Any, worker: SocialWorker, reason: str) -> SocialWorker:
    """解聘: ends every current assignment (and so the liaison) on the same day."""
    worker = _locked(worker, actor, f"解聘社工“{worker.name}”")
    if not can_proceed(worker.dismiss):
        refuse(f"“{worker.name}”已解聘")
    return _dismiss(actor, worker, reason)


@transaction.atomic
def evaluation_record(
    *,
    actor: Any,
    worker: SocialWorker,
    year: int,
    result: str,
    score: Decimal | None = None,
    note: str = "",
    source: str = Evaluation.Source.REVIEWER,
) -> Evaluation:
    """The yearly evaluation (评价) of a social worker, closing the cycle: entered by reviewers, or
    written by the assessment app (``source="assessment"``) when it publishes a social workers'
    assessment. One evaluation per worker and year; 不称职 is recorded and then needs a decision
    (解聘) by a person.

    A published assessment replaces the year's evaluation (the assessment app keeps what it said
    before); a reviewer's hand entry is refused for a year whose evaluation came from a published
    assessment — it cannot override it silently."""
    worker = _locked(worker, actor, f"评价社工“{worker.name}”")
    if worker.stage == SocialWorker.Stage.PROBATION:
        refuse(f"“{worker.name}”尚在试用期，请先完成试用期考核")
    if not worker.hired_on.year <= year <= timezone.localdate().year:
        refuse({"year": f"年度须在 {worker.hired_on.year} 到 {timezone.localdate().year} 之间"})
    if result not in Evaluation.Result.values:
        refuse({"result": "评价结果无效"})
    if source not in Evaluation.Source.values:
        refuse({"source": "来源无效"})
    if score is not None and (not score.is_finite() or not Decimal(0) <= score <= Decimal(100)):
        refuse({"score": "得分须在 0 到 100 之间"})
    note = (note or "").strip()[:300]
    existing = Evaluation.objects.select_for_update().filter(social_worker=worker, year=year).first()
    if existing is not None and existing.source == Evaluation.Source.ASSESSMENT and source != existing.source:
        refuse(
            {
                "year": f"“{worker.name}”{year} 年度的评价来自已发布的绩效考核，不能手工录入覆盖；"
                "如需更改，请重新计算并发布考核"
            }
        )
    if existing is not None and source == Evaluation.Source.ASSESSMENT:
        values = {"result": result, "score": score, "note": note, "source": source, "recorded_by": actor}
        for name, value in values.items():
            setattr(existing, name, value)
        existing.recorded_at = timezone.now()
        existing.save(update_fields=[*values, "recorded_at"])
        return existing
    return create_or_refuse(
        lambda: Evaluation.objects.create(
            social_worker=worker, year=year, result=result, score=score, note=note, source=source, recorded_by=actor
        ),
        {"year": f"“{worker.name}”{year} 年度已有评价结果"},
    )
