"""大病救助: apply, verify (grassroots union), approve (district assistance centre), reject, and
release to payment as the warmth fund allows.

Four eyes: the verifier is not the worker; the approver is neither the verifier nor whoever entered
the application. The amount is fixed at approval (``plugins.relief.relief_amount``, the programme's
parameters in force that day, the cap counted over the person's relief approved that year).

Paying never exceeds the fund: ``relief_release`` locks the fund account, takes the balance less
what is already released and not yet paid, and releases approved applications oldest approval
first while each fits; the first that does not fit stops the queue (FIFO: a smaller later
application does not overtake it). Released means a funds cycle of its own was opened for it by
the system actor; finance reviews and approves that cycle as any other (four eyes on the money), and
the ledger refuses it if the fund were short by then. ``relief_release`` runs after each approval
and after each donation to the fund (``funds.services.register_after_donation``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from assistance.models import HardshipFile, ReliefApplication, ReliefDocument, ReliefStep
from assistance.models.applications import StepKind
from assistance.plugins.relief import KEY, relief_amount, relief_explanation
from assistance.services.applications import (
    approve_check,
    check_date,
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
from core.money import format_yuan, to_yuan
from core.system import system_actor
from funds import services as funds_services
from funds.models import Account, Cycle, Donation, Programme
from funds.selectors import account_balance
from members.models import Person

S = ReliefApplication.State
ZERO = Decimal("0.00")
PREFIX = "DB"
LABEL = "职工大病救助"

COST_FIELDS = {
    "total_cost": "医疗费用总额",
    "basic_insurance": "基本医疗保险报销",
    "serious_illness_insurance": "大病保险报销",
    "supplementary_insurance": "补充医疗保险报销",
}


def costs_clean(costs: dict[str, Any]) -> dict[str, Decimal]:
    """The four cost figures as yuan, and the out-of-pocket cost; refuses NaN, negatives and parts
    that exceed the total, naming the field."""
    out: dict[str, Decimal] = {}
    for name, label in COST_FIELDS.items():
        raw = costs.get(name)
        if raw in (None, ""):
            if name == "total_cost":
                raise ValidationError({name: f"请填写“{label}”"})
            raw = "0"
        try:
            value = to_yuan(raw if isinstance(raw, Decimal | int) else str(raw))
        except ValidationError as exc:
            raise ValidationError({name: f"“{label}”填写有误：{exc.messages[0]}"}) from None
        except TypeError:
            raise ValidationError({name: f"“{label}”应为金额，实际为“{raw}”"}) from None
        if value < 0:
            raise ValidationError({name: f"“{label}”不能为负数"})
        if value > Decimal("100000000"):
            raise ValidationError({name: f"“{label}”金额过大"})
        out[name] = value
    if out["total_cost"] <= 0:
        raise ValidationError({"total_cost": "“医疗费用总额”须大于零"})
    reimbursed = out["basic_insurance"] + out["serious_illness_insurance"] + out["supplementary_insurance"]
    if reimbursed > out["total_cost"]:
        raise ValidationError(
            {
                "total_cost": f"三项报销合计 {format_yuan(reimbursed)} 元超过医疗费用总额 "
                f"{format_yuan(out['total_cost'])} 元，请核对"
            }
        )
    out["out_of_pocket"] = out["total_cost"] - reimbursed
    return out


@transaction.atomic
def relief_apply(
    *,
    actor: Any,
    person: Person,
    illness: str,
    hospital: str,
    treatment_start: date,
    treatment_end: date | None = None,
    costs: dict[str, Any],
    situation: str = "",
    documents: Sequence[UploadedFile] = (),
    applied_on: date | None = None,
) -> ReliefApplication:
    if not may_apply_for(actor, person):
        raise PermissionDenied("您不能为该职工申请大病救助")
    if person.organisation is None:
        raise ValidationError("该职工没有所属工会，不能申请大病救助")
    illness, hospital = (illness or "").strip(), (hospital or "").strip()
    if not illness:
        raise ValidationError({"illness": "请填写所患疾病"})
    if not hospital:
        raise ValidationError({"hospital": "请填写就诊医院"})
    check_date(treatment_start, "治疗开始日期", field="treatment_start")
    if treatment_end is not None:
        check_date(treatment_end, "治疗结束日期", field="treatment_end")
        if treatment_end < treatment_start:
            raise ValidationError({"treatment_end": "“治疗结束日期”不能早于“治疗开始日期”"})
    figures = costs_clean(costs)
    documents_check(documents)
    programme_of(KEY, LABEL)  # refuse early when the centre has not set the programme up
    applied_on = applied_on or today()
    own = person.user_id is not None and person.user_id == actor.pk
    file = HardshipFile.objects.filter(person=person, state=HardshipFile.State.ACTIVE).first()
    try:
        with transaction.atomic():
            application = ReliefApplication.objects.create(
                number=next_number(ReliefApplication, PREFIX, applied_on.year),
                person=person,
                organisation=person.organisation,
                hardship_file=file,
                illness=illness[:120],
                hospital=hospital[:120],
                treatment_start=treatment_start,
                treatment_end=treatment_end,
                situation=(situation or "").strip(),
                applied_on=applied_on,
                applied_by=actor,
                applied_in_portal=own,
                **figures,
            )
    except IntegrityError:
        raise ValidationError("申请编号冲突，请重新提交") from None
    documents_save(ReliefDocument, application, documents, actor)
    step_log(ReliefStep, application, kind=StepKind.APPLY, from_state="", actor=actor, organisation=None)
    return application


def _lock(application: ReliefApplication) -> ReliefApplication:
    return ReliefApplication.objects.select_for_update().select_related("organisation", "person").get(pk=application.pk)


@transaction.atomic
def relief_verify(*, actor: Any, application: ReliefApplication, opinion: str) -> ReliefApplication:
    return verify_locked(_lock(application), actor=actor, opinion=opinion, step_model=ReliefStep, noun="大病救助申请")


def granted_in_year(person: Person, year: int, *, excluding: int | None = None) -> Decimal:
    """Relief approved for the person in the year (what the yearly cap is counted against)."""
    rows = ReliefApplication.objects.filter(person=person, state=S.APPROVED, approved_at__year=year)
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    return rows.aggregate(s=Sum("amount"))["s"] or ZERO


def relief_quote(application: ReliefApplication, on: date) -> tuple[Decimal, str]:
    """The amount (and its explanation) the application would be approved for on ``on``."""
    programme = programme_of(KEY, LABEL)
    version = params_on(programme, on)
    params = version.params
    granted = granted_in_year(application.person, on.year, excluding=application.pk)
    figures = {
        "threshold": Decimal(params["threshold"]),
        "share": Decimal(params["share"]),
        "cap": Decimal(params["cap"]),
        "granted_this_year": granted,
    }
    amount = relief_amount(application.out_of_pocket, **figures)
    text = relief_explanation(application.out_of_pocket, **figures)
    return amount, f"{text}（{version.effective_from:%Y-%m-%d} 起参数）"


@transaction.atomic
def relief_approve(*, actor: Any, application: ReliefApplication, opinion: str) -> ReliefApplication:
    programme = programme_of(KEY, LABEL)
    application = _lock(application)
    approve_check(application, actor=actor, district=programme.organisation, noun="大病救助申请")
    opinion = opinion_required(opinion, "审批")
    # The yearly cap counts every approval of the person's year: lock their rows so two approvals
    # at once cannot both fit under it.
    list(ReliefApplication.objects.select_for_update().filter(person=application.person).values_list("pk"))
    now = timezone.now()
    amount, explanation = relief_quote(application, timezone.localdate(now))
    application.approve()
    application.approved_by = actor
    application.approved_at = now
    application.amount = amount
    application.amount_explanation = explanation
    application.save()
    step_log(
        ReliefStep,
        application,
        kind=StepKind.APPROVE,
        from_state=S.VERIFIED,
        actor=actor,
        organisation=programme.organisation,
        opinion=f"{opinion}（核定救助 {format_yuan(amount)} 元）",
    )
    relief_release()
    application.refresh_from_db()
    return application


@transaction.atomic
def relief_reject(*, actor: Any, application: ReliefApplication, opinion: str) -> ReliefApplication:
    return reject_locked(
        _lock(application),
        actor=actor,
        opinion=opinion,
        step_model=ReliefStep,
        district=lambda: programme_of(KEY, LABEL).organisation,
        noun="大病救助申请",
    )


def reserved(programme: Programme) -> Decimal:
    """Released to payment and not yet paid: already promised out of the fund."""
    return (
        ReliefApplication.objects.filter(cycle__programme=programme, state=S.APPROVED)
        .exclude(cycle__state=Cycle.State.PAID)
        .aggregate(s=Sum("amount"))["s"]
        or ZERO
    )


def waiting_queue():
    """Approved applications waiting for funds, oldest approval first."""
    return ReliefApplication.objects.filter(state=S.APPROVED, cycle__isnull=True, amount__gt=0).order_by(
        "approved_at", "id"
    )


@dataclass(frozen=True)
class FundPosition:
    balance: Decimal
    reserved: Decimal
    available: Decimal
    waiting: int
    waiting_total: Decimal
    shortfall: Decimal


def fund_position() -> FundPosition | None:
    """The warmth fund as relief sees it: balance, promised, free, and what the queue lacks."""
    programme = Programme.objects.filter(plugin_key=KEY, active=True).select_related("fund").first()
    if programme is None:
        return None
    balance = account_balance(programme.fund)
    held = reserved(programme)
    available = balance - held
    agg = waiting_queue().aggregate(s=Sum("amount"))
    waiting_total = agg["s"] or ZERO
    return FundPosition(
        balance=balance,
        reserved=held,
        available=available,
        waiting=waiting_queue().count(),
        waiting_total=waiting_total,
        shortfall=max(ZERO, waiting_total - max(ZERO, available)),
    )


def shortfalls() -> dict[int, Decimal]:
    """For each waiting application: what the fund lacks to pay it and everything ahead of it."""
    position = fund_position()
    if position is None:
        return {}
    out, needed = {}, ZERO
    for pk, amount in waiting_queue().values_list("pk", "amount"):
        needed += amount
        out[pk] = max(ZERO, needed - max(ZERO, position.available))
    return out


@transaction.atomic
def relief_release() -> list[ReliefApplication]:
    """Release waiting applications to payment, oldest approval first, while the fund covers them."""
    programme = Programme.objects.filter(plugin_key=KEY, active=True).first()
    if programme is None:
        return []
    Account.objects.select_for_update().get(pk=programme.fund_id)  # one release at a time per fund
    available = account_balance(programme.fund) - reserved(programme)
    released = []
    system = system_actor()
    # Only what was approved by now waits now (the demo's 2017 history is entered after later years).
    for application in waiting_queue().filter(approved_at__lte=timezone.now()).select_for_update():
        if application.amount > available:
            break
        cycle = funds_services.cycle_create(actor=system, programme=programme, period_key=application.number)
        application.cycle = cycle
        application.released_at = timezone.now()
        application.save(update_fields=["cycle", "released_at"])
        step_log(
            ReliefStep,
            application,
            kind=StepKind.RELEASE,
            from_state=S.APPROVED,
            actor=system,
            organisation=programme.organisation,
            opinion=f"温暖基金可用余额 {format_yuan(available)} 元，支付 {format_yuan(application.amount)} 元",
        )
        available -= application.amount
        released.append(application)
    return released


def after_donation(donation: Donation) -> None:
    """A donation reached the relief programme's fund: pay what waited for it."""
    if Programme.objects.filter(plugin_key=KEY, active=True, fund_id=donation.fund_id).exists():
        relief_release()
