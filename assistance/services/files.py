"""The hardship file's lifecycle (建档立卡): application, household, verification, review, approval,
yearly re-verification, exit, and the dated local standards (低保标准) that classify files.

Every function checks the actor over the organisation the step belongs to (``HardshipFile.
step_organisation``) and raises ``ValidationError`` (Chinese, naming the field) or
``PermissionDenied``; it changes nothing when it refuses. ``actor=None`` is the system (demo, commands).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from assistance.models import (
    Cause,
    FileStep,
    HardshipDocument,
    HardshipFile,
    HouseholdMember,
    LocalStandard,
    Verification,
)
from assistance.services.documents import documents_check, documents_save
from core.audit import audit_log
from core.models import AuditEvent
from core.validators import parse_id_number
from members.models import Membership, Person
from members.services import id_index
from orgs.roles import Perm
from orgs.scope import can_at

S = HardshipFile.State
K = FileStep.Kind
CENT = Decimal("0.01")
MAX_MONTHLY_YUAN = Decimal("10000000")  # no household earns or spends ten million a month: a typo
EARLIEST_DATE = date(2000, 1, 1)
MAX_FILE_DOCUMENTS = 10  # a file gathers more than an application: income, medical, 低保, disability
# The decisions of one application round: nobody takes two of them on one file (四眼原则).
DECISION_KINDS = (K.APPLY, K.VERIFY, K.REVIEW, K.APPROVE)
# 意外致困 rests on the accident, illness or disaster itself, not on the income figures.
ACCIDENT_CAUSES = frozenset({Cause.ACCIDENT, Cause.ILLNESS, Cause.DISASTER})
FILE_FIELDS = (
    "category",
    "main_cause",
    "secondary_causes",
    "health",
    "disability",
    "housing",
    "single_parent",
    "zero_employment",
    "model_worker",
    "monthly_rigid_expenses",
    "situation",
    "bank_name",
    "bank_account_holder",
    "bank_account",
)
HOUSEHOLD_FIELDS = (
    "relation",
    "name",
    "id_number",
    "health",
    "occupation",
    "workplace_or_school",
    "monthly_income",
    "medical_insurance",
)


def _refuse(field: str | None, message: str) -> None:
    raise ValidationError({field: [message]} if field else message)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


# --- pure formulas (tested with hypothesis) --------------------------------------------------------


def income_per_head(incomes: Iterable[Decimal], rigid_expenses: Decimal, household_size: int) -> Decimal:
    """家庭月人均收入（扣除刚性支出）= (Σ monthly incomes − monthly rigid expenses) ÷ household size,
    rounded half up to the fen, and never below zero (expenses beyond income leave nothing per head)."""
    if household_size < 1:
        raise ValueError("household_size must be at least 1")
    net = sum(incomes, Decimal("0")) - rigid_expenses
    if net <= 0:
        return Decimal("0.00")
    return (net / household_size).quantize(CENT, rounding=ROUND_HALF_UP)


def category_for_income(per_head: Decimal, dibao: Decimal, multiple: Decimal) -> str | None:
    """The category the figures support: 深度困难 below the 低保 standard, 相对困难 below
    ``multiple`` × the standard, none (not eligible on income) otherwise."""
    if per_head < dibao:
        return HardshipFile.Category.DEEP
    if per_head < (dibao * multiple).quantize(CENT, rounding=ROUND_HALF_UP):
        return HardshipFile.Category.RELATIVE
    return None


def span_end(start: date) -> date:
    """A verification holds one year: from ``start`` through the day before its anniversary
    (29 February's anniversary in a common year is 1 March)."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:
        anniversary = date(start.year + 1, 3, 1)
    return anniversary - timedelta(days=1)


# --- checks ---------------------------------------------------------------------------------------


def clean_yuan(value: Any, *, field: str, label: str) -> Decimal:
    """A non-negative amount of yuan to the fen, or a refusal naming the field."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        _refuse(field, f"{label}不是有效的金额：{value!r:.40}")
    if not amount.is_finite():
        _refuse(field, f"{label}不是有效的金额：{value!r:.40}")
    if amount < 0:
        _refuse(field, f"{label}不能为负数")
    if amount >= MAX_MONTHLY_YUAN:
        _refuse(field, f"{label}{amount} 元超出合理范围，请核对")
    if amount != amount.quantize(CENT):
        _refuse(field, f"{label}最多保留两位小数（分）")
    return amount.quantize(CENT)


def clean_date(value: Any, *, field: str, label: str, today: date, not_before: date | None = None) -> date:
    if not isinstance(value, date):
        _refuse(field, f"{label}不是有效的日期")
    if value < EARLIEST_DATE:
        _refuse(field, f"{label}{value} 早于 {EARLIEST_DATE:%Y年}，请核对")
    if value > today:
        _refuse(field, f"{label}{value} 晚于今天，不能预先登记")
    if not_before is not None and value < not_before:
        _refuse(field, f"{label}{value} 早于 {not_before}，请核对")
    return value


def standard_on(on: date) -> LocalStandard:
    """The local standard in force on ``on`` (the latest that took effect on or before it)."""
    standard = LocalStandard.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if standard is None:
        _refuse(None, f"尚未录入 {on} 适用的低保标准，请先由区总工会帮扶中心录入")
    return standard


def category_contradiction(file: HardshipFile, on: date) -> str | None:
    """Why the figures contradict the file's category on ``on`` (None when they agree)."""
    if file.category == HardshipFile.Category.ACCIDENT:
        if file.main_cause not in ACCIDENT_CAUSES:
            return "意外致困须以“意外”“因病”或“因灾”为主要致困原因"
        return None
    standard = standard_on(on)
    supported = category_for_income(file.income_per_head, standard.dibao_monthly, standard.relative_multiple)
    relative_line = (standard.dibao_monthly * standard.relative_multiple).quantize(CENT)
    if supported is None:
        return (
            f"家庭月人均收入 {file.income_per_head} 元不低于相对困难标准 {relative_line} 元"
            f"（低保标准 {standard.dibao_monthly} 元 × {standard.relative_multiple}），不符合建档条件"
        )
    if supported != file.category:
        return (
            f"按家庭月人均收入 {file.income_per_head} 元（低保标准 {standard.dibao_monthly} 元，"
            f"相对困难标准 {relative_line} 元），应认定为“{HardshipFile.Category(supported).label}”，"
            f"而非“{file.get_category_display()}”"
        )
    return None


def _require_category(file: HardshipFile, on: date) -> None:
    reason = category_contradiction(file, on)
    if reason:
        _refuse("category", reason)


def _lock(file: HardshipFile) -> HardshipFile:
    """A fresh, locked copy (the protected state field cannot be refreshed in place)."""
    return HardshipFile.objects.select_for_update().select_related("organisation", "person").get(pk=file.pk)


def _step(
    file: HardshipFile, *, kind: str, before: str, actor: Any, opinion: str = "", organisation: Any = None
) -> FileStep:
    return FileStep.objects.create(
        file=file,
        kind=kind,
        from_state=before,
        to_state=file.state,
        actor=actor,
        acting_organisation=organisation or file.step_organisation(kind),
        opinion=opinion,
    )


def _opinion(opinion: str, what: str) -> str:
    text = (opinion or "").strip()
    if not text:
        _refuse("opinion", f"请填写{what}意见")
    if len(text) > 2000:
        _refuse("opinion", "意见不能超过 2000 字")
    return text


def _require_step(file: HardshipFile, step: Any, actor: Any, *, kind: str, what: str) -> None:
    """The actor holds assistance.process at the step's organisation, is not the file's own worker,
    has taken no other decision on this application, and the file is in a state the step leaves."""
    organisation = file.step_organisation(kind)
    if actor is not None:
        if file.is_own(actor):
            raise PermissionDenied(f"不能{what}本人的困难职工档案")
        if not can_at(actor, Perm.ASSISTANCE_PROCESS, organisation):
            raise PermissionDenied(f"您无权{what}：此环节由“{organisation.name}”办理")
    if not can_proceed(step):
        _refuse(None, f"档案当前为“{file.get_state_display()}”，不能{what}")
    if actor is not None and kind in DECISION_KINDS:
        taken = _round_steps(file).filter(actor=actor).first()
        if taken is not None:
            _refuse(
                None,
                f"您已在本档案办理过“{taken.get_kind_display()}”，{what}须由另一位工作人员办理（同一人不能办理两个环节）",
            )


def _round_steps(file: HardshipFile):
    """The decision steps of the file's current application round (since its latest application)."""
    last_apply = file.steps.filter(kind=K.APPLY).order_by("-at", "-id").first()
    rows = file.steps.filter(kind__in=DECISION_KINDS)
    if last_apply is not None:
        rows = rows.filter(id__gte=last_apply.id)
    return rows


# --- application ----------------------------------------------------------------------------------


def _active_membership(person: Person) -> Membership:
    membership = Membership.objects.active_on().select_related("organisation").filter(person=person).first()
    if membership is None:
        _refuse("person", f"“{person.name}”当前没有在册会籍，不能申请建档")
    return membership


def _next_file_no(year: int) -> str:
    prefix = f"KN{year}"
    last = (
        HardshipFile.objects.filter(file_no__startswith=prefix).order_by("-file_no").values_list("file_no", flat=True)
    ).first()
    n = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{n:05d}"


def open_file_of(person: Person) -> HardshipFile | None:
    return HardshipFile.objects.filter(person=person, state__in=HardshipFile.OPEN_STATES).first()


def _clean_file_data(data: dict[str, Any]) -> dict[str, Any]:
    """The file's own fields, checked; unknown keys refused."""
    unknown = set(data) - set(FILE_FIELDS)
    if unknown:
        _refuse(None, f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    out = dict(data)
    choices = {
        "category": HardshipFile.Category,
        "main_cause": Cause,
        "health": HardshipFile.Health,
        "disability": HardshipFile.Disability,
        "housing": HardshipFile.Housing,
        "model_worker": HardshipFile.ModelWorker,
    }
    labels = {f.name: f.verbose_name for f in HardshipFile._meta.fields}
    for field, enum in choices.items():
        if field in out and out[field] not in enum.values:
            _refuse(field, f"{labels[field]}“{out[field]!s:.20}”不是可选的值")
    if "secondary_causes" in out:
        causes = list(dict.fromkeys(out["secondary_causes"] or []))
        bad = [c for c in causes if c not in Cause.values]
        if bad:
            _refuse("secondary_causes", f"次要致困原因“{bad[0]!s:.20}”不是可选的值")
        main = out.get("main_cause")
        out["secondary_causes"] = [c for c in causes if c != main]
    if "monthly_rigid_expenses" in out:
        out["monthly_rigid_expenses"] = clean_yuan(
            out["monthly_rigid_expenses"], field="monthly_rigid_expenses", label="家庭月刚性支出"
        )
    for field in ("situation", "bank_name", "bank_account_holder"):
        if field in out:
            out[field] = (out[field] or "").strip()
            limit = HardshipFile._meta.get_field(field).max_length
            if limit and len(out[field]) > limit:
                _refuse(field, f"{labels[field]}不能超过 {limit} 字")
    if "bank_account" in out:
        account = "".join((out["bank_account"] or "").split())
        if account and not (account.isascii() and account.isdigit() and 12 <= len(account) <= 30):
            _refuse("bank_account", "银行账号应为 12–30 位数字")
        out["bank_account"] = account
    for field in ("single_parent", "zero_employment"):
        if field in out:
            out[field] = bool(out[field])
    return out


@dataclass(frozen=True)
class SelfDetails:
    """The worker's own line of the household (本人), entered with the application."""

    health: str = HardshipFile.Health.HEALTHY
    occupation: str = HouseholdMember.Occupation.EMPLOYED
    workplace_or_school: str = ""
    monthly_income: Any = Decimal("0.00")
    medical_insurance: str = HouseholdMember.Insurance.EMPLOYEE


@transaction.atomic
def file_apply(
    *,
    actor: Any,
    person: Person,
    data: dict[str, Any],
    own: SelfDetails | None = None,
    documents: Sequence[UploadedFile] = (),
    document_kind: str = HardshipDocument.Kind.OTHER,
    today: date | None = None,
) -> HardshipFile:
    """申请建档: by the worker for themself (portal) or by an officer for a member of their scope.
    The file lies at the union of the person's active membership; the worker is its first household
    line (本人). The category must agree with the figures (unless 意外致困). ``documents``
    (optional) are checked first and saved last, under ``document_kind``."""
    today = _today(today)
    _documents_check(documents, document_kind, existing=0)
    person = Person.objects.select_for_update().get(pk=person.pk)
    membership = _active_membership(person)
    organisation = membership.organisation
    in_portal = actor is not None and person.user_id == actor.pk
    allowed = (
        actor is None
        or can_at(actor, Perm.ASSISTANCE_APPLY, organisation)
        or (in_portal and Perm.ASSISTANCE_APPLY in _own_perms(actor))
    )
    if not allowed:
        raise PermissionDenied(f"您无权为“{organisation.name}”的会员申请建档")
    existing = open_file_of(person)
    if existing is not None:
        _refuse(
            "person",
            f"“{person.name}”已有{existing.get_state_display()}的困难职工档案（{existing.file_no}），不能重复申请",
        )
    clean = _clean_file_data(data)
    for field in ("category", "main_cause", "housing"):
        if not clean.get(field):
            _refuse(field, f"请选择{HardshipFile._meta.get_field(field).verbose_name}")
    file = HardshipFile(
        file_no=_next_file_no(today.year),
        person=person,
        organisation=organisation,
        applied_on=today,
        applied_by=actor,
        applied_in_portal=in_portal,
        **clean,
    )
    try:
        with transaction.atomic():
            file.save()
    except IntegrityError:
        _refuse("person", f"“{person.name}”已有办理中或在档的困难职工档案，不能重复申请")
    own = own or SelfDetails()
    _household_write(
        file,
        HouseholdMember(file=file),
        {
            "relation": HouseholdMember.Relation.SELF,
            "name": person.name,
            "id_number": person.id_number,
            "health": own.health,
            "occupation": own.occupation,
            "workplace_or_school": own.workplace_or_school or person.employer,
            "monthly_income": own.monthly_income,
            "medical_insurance": own.medical_insurance,
        },
        today=today,
    )
    file.refresh_from_db()
    _require_category(file, today)
    _step(file, kind=K.APPLY, before="", actor=actor, opinion=(clean.get("situation") or "")[:500])
    documents_save(HardshipDocument, file, documents, actor, kind=document_kind)
    return file


def _own_perms(actor: Any) -> frozenset[str]:
    from orgs.roles import ScopeMode
    from orgs.scope import grants_for

    out: set[str] = set()
    for g in grants_for(actor):
        if g.mode == ScopeMode.SELF:
            out |= g.perms
    return frozenset(out)


def may_edit(actor: Any, file: HardshipFile) -> bool:
    """Officers of the file's union while the file is open; the worker while it awaits verification."""
    return can_proceed(file.t_amend) and (
        can_at(actor, Perm.ASSISTANCE_PROCESS, file.organisation) or (file.is_own(actor) and file.state == S.APPLIED)
    )


def _require_edit(actor: Any, file: HardshipFile) -> None:
    if actor is None:
        return
    if not can_proceed(file.t_amend):
        _refuse(None, f"档案当前为“{file.get_state_display()}”，不能修改")
    if not may_edit(actor, file):
        if file.is_own(actor):
            _refuse(None, "档案已进入审核，请联系所在工会修改")
        raise PermissionDenied("您无权修改此档案")


@transaction.atomic
def file_update(*, actor: Any, file: HardshipFile, data: dict[str, Any], today: date | None = None) -> HardshipFile:
    """修改档案: the file's own fields (the category must still agree with the figures)."""
    today = _today(today)
    file = _lock(file)
    _require_edit(actor, file)
    clean = _clean_file_data(data)
    if not clean:
        return file
    for field, value in clean.items():
        setattr(file, field, value)
    _require_category(file, today)
    file.save()
    if file.state != S.APPLIED or not file.is_own(actor):
        changed = "、".join(str(HardshipFile._meta.get_field(f).verbose_name) for f in clean)
        _step(file, kind=K.AMEND, before=file.state, actor=actor, opinion=f"修改了{changed}", organisation=None)
    return file


# --- the household ----------------------------------------------------------------------------------


def _clean_household(file: HardshipFile, member: HouseholdMember, data: dict[str, Any], today: date) -> dict[str, Any]:
    unknown = set(data) - set(HOUSEHOLD_FIELDS)
    if unknown:
        _refuse(None, f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    out = {**{f: getattr(member, f) for f in HOUSEHOLD_FIELDS if member.pk}, **data}
    name = (out.get("name") or "").strip()
    if not name:
        _refuse("name", "请填写家庭成员姓名")
    if len(name) > 50:
        _refuse("name", "姓名不能超过 50 字")
    out["name"] = name
    for field, enum in (
        ("relation", HouseholdMember.Relation),
        ("health", HardshipFile.Health),
        ("occupation", HouseholdMember.Occupation),
        ("medical_insurance", HouseholdMember.Insurance),
    ):
        if out.get(field) not in enum.values:
            label = HouseholdMember._meta.get_field(field).verbose_name
            _refuse(field, f"{name}的{label}“{out.get(field)!s:.20}”不是可选的值")
    try:
        info = parse_id_number(out.get("id_number"), today=today)
    except ValidationError as exc:
        _refuse("id_number", f"{name}的{exc.messages[0]}")
    out["id_number"] = info.number
    out["birth_date"] = info.birth_date
    out["monthly_income"] = clean_yuan(out.get("monthly_income", 0), field="monthly_income", label=f"{name}的月收入")
    out["workplace_or_school"] = (out.get("workplace_or_school") or "").strip()[:120]
    index = id_index(info.number)
    if file.household.filter(id_number_index=index).exclude(pk=member.pk).exists():
        _refuse("id_number", f"身份证号与本档案中另一位家庭成员相同（{name}）")
    if (
        out["relation"] == HouseholdMember.Relation.SELF
        and file.household.filter(relation=HouseholdMember.Relation.SELF).exclude(pk=member.pk).exists()
    ):
        _refuse("relation", "一户只能有一位“本人”")
    if member.pk and member.relation == HouseholdMember.Relation.SELF and out["relation"] != member.relation:
        _refuse("relation", "职工本人的关系不能修改")
    out["id_number_index"] = index
    return out


def _household_write(file: HardshipFile, member: HouseholdMember, data: dict[str, Any], *, today: date) -> None:
    clean = _clean_household(file, member, data, today)
    for field, value in clean.items():
        setattr(member, field, value)
    member.file = file
    member.save()
    household_recompute(file)


def household_recompute(file: HardshipFile) -> None:
    """家庭人口 and 人均收入 from the household lines (the worker's own line included)."""
    incomes = list(file.household.values_list("monthly_income", flat=True))
    size = max(len(incomes), 1)
    per_head = income_per_head(incomes, file.monthly_rigid_expenses, size)
    if (file.household_size, file.income_per_head) != (size, per_head):
        file.household_size, file.income_per_head = size, per_head
        file.save(update_fields=["household_size", "income_per_head", "updated_at"])  # kept in its history


@transaction.atomic
def household_save(
    *,
    actor: Any,
    file: HardshipFile,
    data: dict[str, Any],
    member: HouseholdMember | None = None,
    today: date | None = None,
) -> HouseholdMember:
    """Add (``member=None``) or edit a household line; income per head is recomputed."""
    today = _today(today)
    file = _lock(file)
    _require_edit(actor, file)
    if member is not None and member.file_id != file.pk:
        _refuse(None, "该家庭成员不属于此档案")
    row = member or HouseholdMember(file=file)
    _household_write(file, row, data, today=today)
    if file.state != S.APPLIED or not file.is_own(actor):
        what = "修改" if member is not None else "添加"
        _step(file, kind=K.AMEND, before=file.state, actor=actor, opinion=f"{what}家庭成员 {row.name}")
    return row


@transaction.atomic
def household_remove(*, actor: Any, member: HouseholdMember) -> None:
    file = _lock(member.file)
    _require_edit(actor, file)
    if member.relation == HouseholdMember.Relation.SELF:
        _refuse("relation", "职工本人不能从家庭成员中删除")
    name = member.name
    member.delete()
    household_recompute(file)
    if file.state != S.APPLIED or not file.is_own(actor):
        _step(file, kind=K.AMEND, before=file.state, actor=actor, opinion=f"删除家庭成员 {name}")


# --- documents (收入证明、病历、低保证、残疾证…) ------------------------------------------------------


def _documents_check(documents: Sequence[UploadedFile], kind: str, *, existing: int) -> None:
    if kind not in HardshipDocument.Kind.values:
        _refuse("document_kind", "请选择材料类别")
    documents_check(documents, existing=existing, required=False, max_files=MAX_FILE_DOCUMENTS)


@transaction.atomic
def file_documents_add(
    *, actor: Any, file: HardshipFile, documents: Sequence[UploadedFile], kind: str
) -> list[HardshipDocument]:
    """上传材料: whoever may edit the file (its union while it is open; the worker while it awaits
    verification); PDF/JPG/PNG up to 10 MB each, at most ten on a file."""
    file = _lock(file)
    _require_edit(actor, file)
    if not documents:
        _refuse("documents", "请选择要上传的材料")
    _documents_check(documents, kind, existing=file.documents.count())
    saved = documents_save(HardshipDocument, file, documents, actor, kind=kind)
    if file.state != S.APPLIED or not file.is_own(actor):
        names = "、".join(d.name for d in saved)
        _step(
            file,
            kind=K.AMEND,
            before=file.state,
            actor=actor,
            opinion=f"上传材料（{HardshipDocument.Kind(kind).label}）：{names}",
        )
    return saved


@transaction.atomic
def file_document_remove(*, actor: Any, file: HardshipFile, document_id: Any) -> HardshipDocument:
    """删除材料 (uploaded by mistake): whoever may upload on the file now (``may_edit``); the row and
    its stored file go, and, as for an upload, a step records it unless the worker amends their own
    application before verification."""
    file = _lock(file)
    _require_edit(actor, file)
    document = file.documents.filter(pk=document_id).first()
    if document is None:
        _refuse("documents", "未找到该材料，可能已被删除")
    document.file.delete(save=False)
    document.delete()
    if file.state != S.APPLIED or not file.is_own(actor):
        label = HardshipDocument.Kind(document.kind).label
        _step(file, kind=K.AMEND, before=file.state, actor=actor, opinion=f"删除材料（{label}）：{document.name}")
    return document


# --- the three decisions, rejection -----------------------------------------------------------------


def _forward(file: HardshipFile, actor: Any, opinion: str, today: date, *, kind: str, what: str) -> HardshipFile:
    """Verify or review: the step's checks, the transition, its record."""
    file = _lock(file)
    step = file.t_verify if kind == K.VERIFY else file.t_review
    _require_step(file, step, actor, kind=kind, what=what)
    text = _opinion(opinion, what)
    _require_category(file, today)
    before = file.state
    step()
    file.save()
    _step(file, kind=kind, before=before, actor=actor, opinion=text)
    return file


@transaction.atomic
def file_verify(*, actor: Any, file: HardshipFile, opinion: str, today: date | None = None) -> HardshipFile:
    """基层工会核实 at the file's grassroots union."""
    return _forward(file, actor, opinion, _today(today), kind=K.VERIFY, what="核实")


@transaction.atomic
def file_review(*, actor: Any, file: HardshipFile, opinion: str, today: date | None = None) -> HardshipFile:
    """镇街/功能区/系统工会审核 at the union above the file's."""
    return _forward(file, actor, opinion, _today(today), kind=K.REVIEW, what="审核")


@transaction.atomic
def file_approve(
    *, actor: Any, file: HardshipFile, opinion: str, on: date | None = None, today: date | None = None
) -> HardshipFile:
    """帮扶中心审批 at the district: the file becomes active (在档) on ``on`` with its first
    verification span (one year)."""
    today = _today(today)
    on = on or today
    file = _lock(file)
    _require_step(file, file.t_approve, actor, kind=K.APPROVE, what="审批")
    text = _opinion(opinion, "审批")
    clean_date(on, field="on", label="审批日期", today=today, not_before=file.applied_on)
    _require_category(file, on)
    file.t_approve()
    file.approved_on = on
    file.save()
    Verification.objects.create(
        file=file, kind=Verification.Kind.INITIAL, done_on=on, valid_until=span_end(on), by=actor, opinion=text
    )
    _step(file, kind=K.APPROVE, before=S.REVIEWED, actor=actor, opinion=text)
    return file


@transaction.atomic
def file_reject(*, actor: Any, file: HardshipFile, reason: str) -> HardshipFile:
    """不予通过 at whichever step the file waits for, with the reason (the worker sees it)."""
    file = _lock(file)
    kind = file._pending_kind()
    _require_step(file, file.t_reject, actor, kind=kind, what="作出不予通过的决定")
    text = _opinion(reason, "不予通过的理由及")
    before = file.state
    file.t_reject()
    file.save()
    _step(file, kind=K.REJECT, before=before, actor=actor, opinion=text, organisation=file.step_organisation(kind))
    return file


# --- yearly re-verification, lapse, exit -------------------------------------------------------------


@transaction.atomic
def file_reverify(
    *, actor: Any, file: HardshipFile, opinion: str, on: date | None = None, today: date | None = None
) -> Verification:
    """年度复核: a new one-year span from ``on``. A late one restores a lapsed file from its date
    (the months between stay unpaid). A file no longer eligible exits instead (``file_exit``)."""
    today = _today(today)
    on = on or today
    file = _lock(file)
    _require_step(file, file.t_reverify, actor, kind=K.REVERIFY, what="年度复核")
    text = _opinion(opinion, "复核")
    last = file.verifications.order_by("-done_on", "-id").first()
    clean_date(on, field="on", label="复核日期", today=today, not_before=last.done_on if last else file.approved_on)
    if last is not None and last.done_on == on:
        _refuse("on", f"本档案 {on} 已有认定或复核记录")
    _require_category(file, on)
    file.t_reverify()
    file.save()
    span = Verification.objects.create(
        file=file, kind=Verification.Kind.YEARLY, done_on=on, valid_until=span_end(on), by=actor, opinion=text
    )
    note = f"{text}（有效期至 {span.valid_until}）"
    if last is not None and last.valid_until < on - timedelta(days=1):
        note += f"；{last.valid_until + timedelta(days=1)} 至 {on - timedelta(days=1)} 复核逾期，不予发放"
    _step(file, kind=K.REVERIFY, before=S.ACTIVE, actor=actor, opinion=note)
    return span


@transaction.atomic
def file_exit(
    *,
    actor: Any,
    file: HardshipFile,
    reason: str,
    on: date | None = None,
    note: str = "",
    today: date | None = None,
) -> HardshipFile:
    """解困脱困 with its reason and date; the month of exit is still paid (docs/assistance.md)."""
    today = _today(today)
    on = on or today
    file = _lock(file)
    _require_step(file, file.t_exit, actor, kind=K.EXIT, what="办理解困脱困")
    if reason not in HardshipFile.ExitReason.values:
        _refuse("exit_reason", "请选择脱困原因")
    text = (note or "").strip()
    if reason == HardshipFile.ExitReason.OTHER and not text:
        _refuse("exit_note", "脱困原因为“其他”时请填写说明")
    if len(text) > 300:
        _refuse("exit_note", "脱困说明不能超过 300 字")
    clean_date(on, field="on", label="脱困日期", today=today, not_before=file.approved_on)
    file.t_exit()
    file.exited_on = on
    file.exit_reason = reason
    file.exit_note = text
    file.save()
    opinion = f"{HardshipFile.ExitReason(reason).label}，{on} 脱困" + (f"：{text}" if text else "")
    _step(file, kind=K.EXIT, before=S.ACTIVE, actor=actor, opinion=opinion)
    return file


# --- the local standards -----------------------------------------------------------------------------


@transaction.atomic
def standard_save(
    *,
    actor: Any,
    district: Any,
    effective_from: Any,
    dibao_monthly: Any,
    relative_multiple: Any,
    note: str = "",
    standard: LocalStandard | None = None,
) -> LocalStandard:
    """Enter (or correct) the 低保 standard and the 相对困难 multiple from a date (assistance.manage
    at the district)."""
    if actor is not None and not can_at(actor, Perm.ASSISTANCE_MANAGE, district):
        raise PermissionDenied("只有区总工会帮扶中心可以录入低保标准")
    if not isinstance(effective_from, date) or effective_from < EARLIEST_DATE or effective_from.year > 2100:
        _refuse("effective_from", "生效日期不是有效的日期（2000–2100 年）")
    dibao = clean_yuan(dibao_monthly, field="dibao_monthly", label="低保标准")
    if dibao <= 0:
        _refuse("dibao_monthly", "低保标准必须大于 0")
    try:
        multiple = Decimal(str(relative_multiple))
    except (InvalidOperation, ValueError):
        _refuse("relative_multiple", "相对困难倍数不是有效的数字")
    if not multiple.is_finite() or multiple <= 1 or multiple >= 10 or multiple != multiple.quantize(CENT):
        _refuse("relative_multiple", "相对困难倍数应大于 1、小于 10，最多两位小数")
    clash = LocalStandard.objects.filter(effective_from=effective_from)
    if standard is not None:
        clash = clash.exclude(pk=standard.pk)
    if clash.exists():
        _refuse("effective_from", f"{effective_from} 起的标准已录入，请修改那一条")
    row = standard or LocalStandard(created_by=actor)
    row.effective_from, row.dibao_monthly, row.relative_multiple = effective_from, dibao, multiple
    row.note = (note or "").strip()[:200]
    row.save()
    return row


# --- sensitive views (audited) ------------------------------------------------------------------------


def file_view_audit(*, actor: Any, file: HardshipFile, request: Any = None, via: str = "page") -> None:
    """Every full view of a file is in the security audit trail (who opened whose file)."""
    audit_log(
        AuditEvent.Kind.PII_VIEW,
        user=actor,
        request=request,
        obj=file,
        summary=f"查看了困难职工档案 {file.file_no}（{file.person.name}）",
        detail={"file_id": file.pk, "organisation": file.organisation.code, "via": via},
    )


def may_view_pii(actor: Any, file: HardshipFile) -> bool:
    return can_at(actor, Perm.ASSISTANCE_VIEW_PII, file.organisation)


def file_reveal(
    *, actor: Any, file: HardshipFile, field: str, member: HouseholdMember | None = None, request: Any = None
) -> str:
    """The whole bank account or a household member's whole ID number, for a holder of
    assistance.view_pii at the file's union (the worker for their own file); audited."""
    if not (may_view_pii(actor, file) or file.is_own(actor)):
        raise PermissionDenied("您没有查看完整身份证号或银行账号的权限")
    if field == "bank_account":
        value, what = file.bank_account, "银行账号"
    elif field == "id_number" and member is not None and member.file_id == file.pk:
        value, what = member.id_number, f"家庭成员{member.name}的身份证号"
    else:
        _refuse("field", "不能查看该字段")
    audit_log(
        AuditEvent.Kind.PII_VIEW,
        user=actor,
        request=request,
        obj=file,
        summary=f"查看了困难职工档案 {file.file_no}（{file.person.name}）的完整{what}",
        detail={"file_id": file.pk, "field": field, "member_id": member.pk if member else None},
    )
    return value or ""
