"""金秋助学: apply for a child of a worker with an active, verified file; verify (grassroots union);
approve (district assistance centre), the amount from the level table in force; the programme's
yearly cycle pays the year's approved applications (one payment per worker, for all their children).

One per child per year: refused here by the child's ID blind index (the same child entered on two
files is the same child), and by the database constraint behind it. An application for a year whose
cycle has been paid is refused: that year's scholarships are closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from assistance.models import (
    HardshipFile,
    HouseholdMember,
    ScholarshipApplication,
    ScholarshipDocument,
    ScholarshipStep,
    SchoolLevel,
    Verification,
)
from assistance.models.applications import StepKind
from assistance.plugins.scholarship import KEY, scholarship_amount
from assistance.services.applications import (
    approve_check,
    may_apply_for,
    next_number,
    opinion_required,
    params_on,
    programme_of,
    reject_locked,
    step_log,
    today,
    verify_locked,
)
from assistance.services.documents import documents_check, documents_save
from core.money import format_yuan
from funds.models import Cycle, Programme
from members.models import Person

S = ScholarshipApplication.State
PREFIX = "JQ"
LABEL = "金秋助学"


def verified_on(file: HardshipFile, on: date) -> bool:
    return Verification.objects.filter(file=file, done_on__lte=on, valid_until__gte=on).exists()


def year_closed(programme: Programme, year: int) -> bool:
    return Cycle.objects.filter(programme=programme, period_key=str(year), state=Cycle.State.PAID).exists()


def level_amount(programme: Programme, file: HardshipFile, level: str, on: date) -> tuple:
    version = params_on(programme, on)
    amount = scholarship_amount(
        version.params["levels"],
        level,
        single_parent=file.single_parent,
        woman=file.person.sex == Person.Sex.FEMALE,
    )
    return amount, version


@transaction.atomic
def scholarship_apply(
    *,
    actor: Any,
    child: HouseholdMember,
    year: int,
    level: str,
    school: str,
    grade: str = "",
    documents: Sequence[UploadedFile] = (),
    applied_on: date | None = None,
) -> ScholarshipApplication:
    file = HardshipFile.objects.select_related("person", "organisation").get(pk=child.file_id)
    if not may_apply_for(actor, file.person):
        raise PermissionDenied("您不能为该职工申请金秋助学")
    applied_on = applied_on or today()
    if child.relation != HouseholdMember.Relation.CHILD:
        raise ValidationError(
            {"child": f"“{child.name}”不是困难职工的子女（家庭成员关系为{child.get_relation_display()}）"}
        )
    if file.state != HardshipFile.State.ACTIVE:
        raise ValidationError(
            {"child": f"困难职工档案 {file.file_no} 当前为“{file.get_state_display()}”，在档职工的子女才能申请"}
        )
    if not verified_on(file, applied_on):
        raise ValidationError({"child": f"困难职工档案 {file.file_no} 年度复核已逾期，复核后才能申请"})
    if not isinstance(year, int) or isinstance(year, bool) or not applied_on.year - 1 <= year <= applied_on.year:
        raise ValidationError({"year": f"年度无效：“{year}”，只能申请本年度（{applied_on.year}）的金秋助学"})
    if level not in SchoolLevel.values:
        raise ValidationError({"level": f"就读阶段无效：“{level}”"})
    school = (school or "").strip()
    if not school:
        raise ValidationError({"school": "请填写学校名称"})
    programme = programme_of(KEY, LABEL)
    if year_closed(programme, year):
        raise ValidationError({"year": f"{year} 年度金秋助学已发放完毕，不再受理申请"})
    level_amount(programme, file, level, applied_on)  # refuse a level this family is not eligible for, now
    earlier = (
        ScholarshipApplication.objects.filter(child_id_index=child.id_number_index, year=year)
        .exclude(state=S.REJECTED)
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            {"child": f"“{child.name}”{year} 年度已申请金秋助学（编号 {earlier.number}），每名子女每年限一次"}
        )
    documents_check(documents)
    own = file.person.user_id is not None and file.person.user_id == actor.pk
    try:
        with transaction.atomic():
            application = ScholarshipApplication.objects.create(
                number=next_number(ScholarshipApplication, PREFIX, year),
                year=year,
                hardship_file=file,
                person=file.person,
                organisation=file.organisation,
                child=child,
                child_id_index=child.id_number_index,
                child_name=child.name,
                level=level,
                school=school[:120],
                grade=(grade or "").strip()[:40],
                applied_on=applied_on,
                applied_by=actor,
                applied_in_portal=own,
            )
    except IntegrityError:
        raise ValidationError({"child": f"“{child.name}”{year} 年度已申请金秋助学，每名子女每年限一次"}) from None
    documents_save(ScholarshipDocument, application, documents, actor)
    step_log(ScholarshipStep, application, kind=StepKind.APPLY, from_state="", actor=actor, organisation=None)
    return application


def _lock(application: ScholarshipApplication) -> ScholarshipApplication:
    return (
        ScholarshipApplication.objects.select_for_update()
        .select_related("organisation", "person", "hardship_file__person")
        .get(pk=application.pk)
    )


@transaction.atomic
def scholarship_verify(*, actor: Any, application: ScholarshipApplication, opinion: str) -> ScholarshipApplication:
    return verify_locked(
        _lock(application), actor=actor, opinion=opinion, step_model=ScholarshipStep, noun="金秋助学申请"
    )


@transaction.atomic
def scholarship_approve(*, actor: Any, application: ScholarshipApplication, opinion: str) -> ScholarshipApplication:
    programme = programme_of(KEY, LABEL)
    application = _lock(application)
    approve_check(application, actor=actor, district=programme.organisation, noun="金秋助学申请")
    if year_closed(programme, application.year):
        raise ValidationError(f"{application.year} 年度金秋助学已发放完毕，不能再审批")
    opinion = opinion_required(opinion, "审批")
    now = timezone.now()
    amount, version = level_amount(programme, application.hardship_file, application.level, timezone.localdate(now))
    application.approve()
    application.approved_by = actor
    application.approved_at = now
    application.amount = amount
    application.amount_explanation = (
        f"{application.get_level_display()} {format_yuan(amount)} 元（{version.effective_from:%Y-%m-%d} 起资助标准）"
    )
    application.save()
    step_log(
        ScholarshipStep,
        application,
        kind=StepKind.APPROVE,
        from_state=S.VERIFIED,
        actor=actor,
        organisation=programme.organisation,
        opinion=f"{opinion}（核定 {format_yuan(amount)} 元）",
    )
    return application


@transaction.atomic
def scholarship_reject(*, actor: Any, application: ScholarshipApplication, opinion: str) -> ScholarshipApplication:
    return reject_locked(
        _lock(application),
        actor=actor,
        opinion=opinion,
        step_model=ScholarshipStep,
        district=lambda: programme_of(KEY, LABEL).organisation,
        noun="金秋助学申请",
    )
