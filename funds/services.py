"""Things that change money: posting and reversing entries, donations, budgets and programme cycles.

Every yuan moves through the ledger's one door, ``funds.ledger.entries_post`` (``entry_post`` is its
one-entry call; a cycle's payments are one call for all of them): balanced lines to the fen, one
side per line, a positive amount, an open period. Entries are never changed; ``entry_reverse``
posts the mirror image, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django_fsm import can_proceed

from core.money import allocate, format_yuan, to_yuan
from core.notify import notifications_settle, notify
from core.system import is_system_actor
from funds.chart import declared_accounts
from funds.engine import PeriodSpan, get_plugin, period_span, span_of
from funds.ledger import EntryDraft, Line, Payout, entries_post, lines_check, payout_post  # noqa: F401 (Line, lines_check: re-exported)
from funds.models import (
    DEFAULT_STEP,
    ZERO,
    Account,
    BudgetAllocation,
    Cycle,
    CycleApproval,
    CycleChange,
    Donation,
    Entitlement,
    JournalEntry,
    OnceBenefit,
    ParameterVersion,
    Payment,
    Period,
    Programme,
    ReceiptCounter,
)
from funds.selectors import account_balance, holds_role_at
from funds.tasks import cycle_compute_task
from orgs.models import Organisation, RoleAssignment
from orgs.roles import ROLE_PERMS, Perm, Role
from orgs.scope import can_at, has_perm

BATCH = 2000
logger = logging.getLogger(__name__)


# What scheduled jobs (the system actor, core.system) may do in funds: set up and compute, never
# approve, reverse or close a period — those are a person's signature.
SYSTEM_PERMS = frozenset({Perm.FUND_VIEW, Perm.FUND_PREPARE, Perm.DONATION_MANAGE})


def _require(actor: Any, perm: str, organisation: Organisation) -> None:
    """Every money action names who does it: a user holding ``perm`` over the organisation, or the
    system actor for the few actions jobs need. ``None`` is refused, never a way round the check."""
    if actor is None:
        raise PermissionDenied("未指明操作人：资金业务须由具体人员或系统任务办理")
    if is_system_actor(actor):
        if perm not in SYSTEM_PERMS:
            raise PermissionDenied("系统任务不能办理审批、冲销或结账：须由有权限的人员办理")
        return
    if not can_at(actor, perm, organisation):
        raise PermissionDenied("您没有在该组织办理此项资金业务的权限")


# --- periods and entries ----------------------------------------------------------------------


def period_for(day: date, *, lock: bool = False) -> Period:
    code = f"{day.year:04d}-{day.month:02d}"
    period, _ = Period.objects.get_or_create(code=code, defaults={"year": day.year, "month": day.month})
    if period.status == Period.Status.CLOSED:
        raise ValidationError(f"会计期间 {code} 已结账，不能再登记该期间的凭证")
    return period


def period_close(*, actor: Any, period: Period) -> Period:
    if actor is None or is_system_actor(actor) or not has_perm(actor, Perm.FUND_APPROVE):
        raise PermissionDenied("结账须由有审批权限的人员办理")
    if period.status == Period.Status.CLOSED:
        raise ValidationError(f"会计期间 {period.code} 已经结账")
    period.status = Period.Status.CLOSED
    period.closed_by = actor
    period.closed_at = timezone.now()
    period.save(update_fields=["status", "closed_by", "closed_at"])
    return period


def entry_post(
    *,
    date: date,
    description: str,
    lines: Sequence[Line],
    organisation: Organisation,
    prepared_by: Any,
    approved_by: Any = None,
    rule: str = "",
    source: str = "",
    reversal_of: JournalEntry | None = None,
) -> JournalEntry:
    """Post one balanced entry: a one-entry call of the ledger's one door, ``funds.ledger.entries_post``."""
    (entry_id,) = entries_post(
        [
            EntryDraft(
                date=date,
                description=description,
                lines=lines,
                organisation_id=organisation.pk,
                prepared_by_id=getattr(prepared_by, "pk", None),
                approved_by_id=getattr(approved_by, "pk", None),
                rule=rule,
                source=source,
                reversal_of_id=reversal_of.pk if reversal_of is not None else None,
            )
        ]
    )
    return JournalEntry.objects.get(pk=entry_id)


def entry_reverse(*, actor: Any, entry: JournalEntry, reason: str, on: date | None = None) -> JournalEntry:
    """Post the mirror image of ``entry`` (debits ↔ credits), linked to it. At most once."""
    if not reason.strip():
        raise ValidationError("冲销须填写理由")
    _require(actor, Perm.FUND_APPROVE, entry.organisation)
    if entry.reversal_of_id is not None:
        raise ValidationError("冲销凭证不能再被冲销；如需更正请登记新的凭证")
    if JournalEntry.objects.filter(reversal_of=entry).exists():
        raise ValidationError(f"凭证 {entry.number} 已被冲销，不能重复冲销")
    if Payment.objects.filter(settle_entry=entry).exists():
        raise ValidationError("银行结果凭证不能冲销：银行已支付的款项，如需追回请登记新的凭证")
    with transaction.atomic():
        # a payment's approval entry is reversed only while the payment is not in the bank's hands
        # (locked: a batch taking it at the same moment waits, then sees the reversal and refuses it)
        payment = Payment.objects.select_for_update().filter(entry=entry).first()
        if payment is not None and payment.status != Payment.Status.APPROVED:
            raise ValidationError(
                f"该笔支付当前为“{payment.get_status_display()}”：已编入银行批次的支付不能冲销，"
                "请等待银行结果（退回的支付会自动冲销）"
            )
        return _mirror_post(actor, entry, reason, on)


def _mirror_post(actor: Any, entry: JournalEntry, reason: str, on: date | None) -> JournalEntry:
    lines = [
        Line(account=ln.account, debit=ln.credit, credit=ln.debit, memo=ln.memo)
        for ln in entry.lines.select_related("account")
    ]
    return entry_post(
        date=on or timezone.localdate(),
        description=f"冲销 {entry.number}：{reason.strip()}",
        lines=lines,
        organisation=entry.organisation,
        prepared_by=actor,
        approved_by=actor,
        rule=f"冲销 {entry.number}",
        source=f"reversal:{entry.pk}",
        reversal_of=entry,
    )


# --- accounts, donations, budgets -------------------------------------------------------------


def standard_accounts_ensure(*, district: Organisation) -> dict[str, Account]:
    """The district's chart of accounts, as the installed apps declare it (funds/chart.py; idempotent)."""
    out = {}
    for account in declared_accounts():
        out[account.code], _ = Account.objects.get_or_create(
            code=account.code,
            defaults={"name": account.name, "type": account.type, "is_fund": account.is_fund, "organisation": district},
        )
    return out


PAYABLE_CODE = "2202"


def payable_account() -> Account:
    """The payable an approved payment is owed on until the bank pays it (2202, beside the bank 1002)."""
    payable = Account.objects.filter(code=PAYABLE_CODE).first()
    if payable is None:
        bank = _bank()
        payable, _ = Account.objects.get_or_create(
            code=PAYABLE_CODE,
            defaults={"name": "应付受益款", "type": Account.Type.LIABILITY, "organisation_id": bank.organisation_id},
        )
    return payable


def _bank() -> Account:
    bank = Account.objects.filter(type=Account.Type.ASSET, code="1002").first()
    if bank is None:
        raise ValidationError("尚未设置银行存款科目（1002）")
    return bank


def _next_receipt_no(year: int) -> str:
    ReceiptCounter.objects.get_or_create(year=year)
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:05d}"


# What other apps do once a donation is in its fund (the warmth fund's relief waiting for money is
# paid from it): ``callback(donation)``, registered from their AppConfig.ready(); funds imports none
# of them. Each runs after the donation is posted, in a savepoint of its own: a failing callback is
# logged and undone, never the donation.
_AFTER_DONATION: list[Callable[[Donation], None]] = []


def register_after_donation(callback: Callable[[Donation], None]) -> None:
    if callback not in _AFTER_DONATION:
        _AFTER_DONATION.append(callback)


def _after_donation(donation: Donation) -> None:
    for callback in _AFTER_DONATION:
        try:
            with transaction.atomic():
                callback(donation)
        except Exception:
            logger.exception("after-donation callback %r failed for donation %s", callback, donation.pk)


def donation_register(
    *,
    actor: Any,
    donor_kind: str,
    donor_name: str,
    amount: Decimal | str,
    received_on: date,
    fund: Account,
    anonymous: bool = False,
    note: str = "",
) -> Donation:
    _require(actor, Perm.DONATION_MANAGE, fund.organisation)
    amount = to_yuan(amount)
    if amount <= 0:
        raise ValidationError({"amount": "捐赠金额须大于零"})
    if donor_kind not in Donation.DonorKind.values:
        raise ValidationError({"donor_kind": f"捐赠方类型“{donor_kind}”无效"})
    if not donor_name.strip():
        raise ValidationError({"donor_name": "请填写捐赠方名称（匿名捐赠也须登记，收据和名单中隐去）"})
    if not fund.is_fund:
        raise ValidationError({"fund": "接收科目须为专项基金"})
    with transaction.atomic():
        receipt_no = _next_receipt_no(received_on.year)
        entry = entry_post(
            date=received_on,
            description=f"收到捐赠：{'匿名' if anonymous else donor_name.strip()}（收据 {receipt_no}）",
            lines=[Line(_bank(), debit=amount), Line(fund, credit=amount)],
            organisation=fund.organisation,
            prepared_by=actor,
            approved_by=actor,
            rule="捐赠收入",
            source=f"donation-receipt:{receipt_no}",
        )
        donation = Donation.objects.create(
            donor_kind=donor_kind,
            donor_name=donor_name.strip(),
            anonymous=anonymous,
            amount=amount,
            received_on=received_on,
            fund=fund,
            receipt_no=receipt_no,
            note=note,
            entry=entry,
            registered_by=actor,
        )
    _after_donation(donation)
    return donation


def allocation_register(*, actor: Any, fund: Account, amount: Decimal | str, on: date, note: str) -> BudgetAllocation:
    _require(actor, Perm.FUND_PREPARE, fund.organisation)
    amount = to_yuan(amount)
    if amount <= 0:
        raise ValidationError({"amount": "拨款金额须大于零"})
    if not fund.is_fund:
        raise ValidationError({"fund": "拨入科目须为专项基金"})
    with transaction.atomic():
        entry = entry_post(
            date=on,
            description=f"预算拨入{fund.name}：{note}",
            lines=[Line(_bank(), debit=amount), Line(fund, credit=amount)],
            organisation=fund.organisation,
            prepared_by=actor,
            approved_by=actor,
            rule="年度预算拨款",
            source="allocation",
        )
        return BudgetAllocation.objects.create(
            fund=fund, amount=amount, date=on, note=note, entry=entry, registered_by=actor
        )


# --- programmes -------------------------------------------------------------------------------


def programme_create(
    *,
    actor: Any,
    code: str,
    name: str,
    plugin_key: str,
    period_type: str,
    fund: Account,
    organisation: Organisation,
    approval_chain: Sequence[str | dict[str, str] | tuple[str, str]] | None = None,
    prorate: bool = False,
    description: str = "",
) -> Programme:
    _require(actor, Perm.FUND_PREPARE, organisation)
    plugin = get_plugin(plugin_key)
    chain = approval_chain_clean(approval_chain)
    return Programme.objects.create(
        code=code,
        name=name,
        plugin_key=plugin_key,
        beneficiary_type=plugin.beneficiary_type,
        period_type=period_type,
        fund=fund,
        bank=_bank(),
        approval_chain=chain,
        prorate=prorate,
        organisation=organisation,
        description=description,
    )


APPROVER_ROLES = [r for r in Role.values if Perm.FUND_APPROVE in ROLE_PERMS.get(r, frozenset())]


def approval_chain_clean(
    chain: Sequence[str | dict[str, str] | tuple[str, str]] | None,
) -> list[dict[str, str]]:
    """Normalise an approval chain to [{name, role}]; a bare name is signed by finance. Every role
    must be one that may approve (holds FUND_APPROVE)."""
    out: list[dict[str, str]] = []
    for i, step in enumerate(chain or [DEFAULT_STEP], start=1):
        if isinstance(step, str):
            name, role = step, DEFAULT_STEP["role"]
        elif isinstance(step, dict):
            name, role = str(step.get("name", "")), str(step.get("role", ""))
        else:
            name, role = (str(x) for x in step)
        if not name.strip():
            raise ValidationError({"approval_chain": f"第 {i} 个审批环节缺少名称"})
        if role not in APPROVER_ROLES:
            raise ValidationError(
                {
                    "approval_chain": f"第 {i} 个审批环节“{name}”的签批角色“{role}”无审批权限，"
                    f"可选：{'、'.join(Role(r).label for r in APPROVER_ROLES)}"
                }
            )
        out.append({"name": name.strip()[:60], "role": role})
    return out


def parameter_version_add(
    *, actor: Any, programme: Programme, effective_from: date, params: dict[str, Any], note: str = ""
) -> ParameterVersion:
    _require(actor, Perm.FUND_PREPARE, programme.organisation)
    normalised = get_plugin(programme.plugin_key).validate_parameters(params)
    if ParameterVersion.objects.filter(programme=programme, effective_from=effective_from).exists():
        raise ValidationError({"effective_from": "该项目在此生效日期已有参数版本"})
    return ParameterVersion.objects.create(
        programme=programme, effective_from=effective_from, params=normalised, note=note, created_by=actor
    )


def version_for(programme: Programme, period: PeriodSpan) -> ParameterVersion:
    """The parameters in force for the period: the latest version effective by the period's end."""
    version = programme.versions.filter(effective_from__lte=period.end).order_by("-effective_from").first()
    if version is None:
        raise ValidationError(f"{programme.name}在期间 {period.key} 内没有生效的参数版本")
    return version


def cycle_create(*, actor: Any, programme: Programme, period_key: str) -> Cycle:
    """Open a cycle for a period and start computing its entitlements (a background task)."""
    _require(actor, Perm.FUND_PREPARE, programme.organisation)
    if not programme.active:
        raise ValidationError("该项目已停用")
    period = period_span(programme.period_type, period_key)
    version = version_for(programme, period)
    if Cycle.objects.filter(programme=programme, period_key=period.key).exists():
        raise ValidationError(f"{programme.name}期间 {period.key} 已有发放周期；如需重算请在该周期页面操作")
    try:
        with transaction.atomic():
            cycle = Cycle.objects.create(
                programme=programme,
                period_key=period.key,
                period_start=period.start,
                period_end=period.end,
                version=version,
                prepared_by=actor,
                revision=1,
            )
            _change_record(cycle, actor, CycleChange.Kind.PREPARE)
    except IntegrityError:
        raise ValidationError(f"{programme.name}期间 {period.key} 已有发放周期") from None
    _enqueue_compute(cycle)
    cycle.refresh_from_db()
    return cycle


def _step_allowed(cycle: Cycle, transition: Any, what: str) -> None:
    """The cycle's state machine decides whether a step may be taken now (the one place the rule is written)."""
    if not can_proceed(transition):
        raise ValidationError(f"周期当前状态为“{cycle.get_state_display()}”，不能{what}")


def cycle_recompute(*, actor: Any, cycle: Cycle) -> Cycle:
    _require(actor, Perm.FUND_PREPARE, cycle.programme.organisation)
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        _step_allowed(locked, locked.start_compute, "重新计算")
        locked.version = version_for(locked.programme, span_of(locked))
        locked.start_compute()
        locked.reviewed_by = None
        locked.revision += 1
        locked.save()
        _change_record(locked, actor, CycleChange.Kind.RECOMPUTE)
        _approvals_void(locked, "重新计算")
    _enqueue_compute(locked)
    locked.refresh_from_db()
    return locked


def _change_record(cycle: Cycle, actor: Any, kind: str, note: str = "") -> None:
    """Remember who changed the figures: they may never approve this cycle."""
    CycleChange.objects.create(cycle=cycle, kind=kind, user=actor, revision=cycle.revision, note=note[:300])


def _approvals_void(cycle: Cycle, reason: str) -> None:
    """An approval is of figures: any change voids the approvals given before it (kept, marked void)."""
    CycleApproval.objects.filter(cycle=cycle, voided_at__isnull=True).update(
        voided_at=timezone.now(), void_reason=f"{reason}后作废"[:200]
    )


def cycle_signers_barred(cycle: Cycle) -> set[int]:
    """Ids of everyone who prepared, recomputed or adjusted the cycle (and so may not approve it)."""
    barred = set(CycleChange.objects.filter(cycle=cycle).values_list("user_id", flat=True))
    if cycle.prepared_by_id is not None:
        barred.add(cycle.prepared_by_id)
    return barred


def _enqueue_compute(cycle: Cycle) -> None:
    cycle_compute_task.enqueue(cycle.pk)


def entitlement_adjust(*, actor: Any, entitlement: Entitlement, amount: Decimal | str, reason: str) -> Entitlement:
    cycle = entitlement.cycle
    _require(actor, Perm.FUND_PREPARE, cycle.programme.organisation)
    if not reason or not reason.strip():
        raise ValidationError({"reason": "调整金额须填写理由"})
    amount = to_yuan(amount)
    if amount < 0:
        raise ValidationError({"amount": "调整后金额不能为负数"})
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if not locked.editable:
            raise ValidationError(f"周期当前状态为“{locked.get_state_display()}”，不能调整金额")
        entitlement = Entitlement.objects.get(pk=entitlement.pk, cycle=locked)
        old = entitlement.final_amount
        entitlement.adjusted_amount = amount
        entitlement.adjust_reason = reason.strip()[:300]
        entitlement.adjusted_by = actor
        entitlement.save(update_fields=["adjusted_amount", "adjust_reason", "adjusted_by"])
        locked.total = locked.total - old + amount
        if locked.state == Cycle.State.REVIEWED:  # a change after review needs a fresh review
            locked.reopen()
            locked.reviewed_by = None
        locked.revision += 1
        locked.save()
        _change_record(
            locked,
            actor,
            CycleChange.Kind.ADJUST,
            f"{entitlement.beneficiary_name}：{format_yuan(old)} → {format_yuan(amount)} 元（{entitlement.adjust_reason}）",
        )
        _approvals_void(locked, f"调整“{entitlement.beneficiary_name}”金额")
    return entitlement


def cycle_review(*, actor: Any, cycle: Cycle) -> Cycle:
    _require(actor, Perm.FUND_PREPARE, cycle.programme.organisation)
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        _step_allowed(locked, locked.review, "复核")
        locked.review()
        locked.reviewed_by = actor
        locked.save()
        _notify_step(locked, 0)
    return locked


def _notify_step(cycle: Cycle, step: int) -> None:
    """Tell everyone who may sign ``step`` now that the cycle waits for them (in the platform, and
    by e-mail when configured): the step's role over the programme's organisation, not barred from
    this cycle, not already a signer of it. Once per person, step and revision of the figures."""
    name, role = cycle.programme.chain[step]
    path = cycle.programme.organisation.path
    excluded = cycle_signers_barred(cycle) | set(
        cycle.approvals.filter(voided_at__isnull=True).values_list("user_id", flat=True)
    )
    candidates = RoleAssignment.objects.filter(role=role, user__is_active=True).select_related("user")
    users = {ra.user_id: ra.user for ra in candidates if ra.user_id not in excluded}
    for user in users.values():
        if not holds_role_at(user, role, path):
            continue
        notify(
            user,
            kind="cycle_step",
            title=f"待您审批：{cycle.programme.name} {cycle.period_key}（{name}）",
            body=f"合计 {format_yuan(cycle.total)} 元，{cycle.beneficiaries} 个受益对象",
            url=reverse("funds:cycle_detail", args=[cycle.pk]),
            dedupe_key=_step_key(cycle, step),
        )


def _step_key(cycle: Cycle, step: int) -> str:
    return f"cycle-step:{cycle.pk}:{cycle.revision}:{step}"


def cycle_approve(*, actor: Any, cycle: Cycle, on: date | None = None) -> Cycle:
    """Record one approval step; the last step approves the cycle and posts its payments.

    The signer holds FUND_APPROVE and the step's role, never prepared, recomputed or adjusted this
    cycle, and has not signed another live step of it; the system actor never signs. An approval is
    of the figures at the cycle's revision: a change voids it (``_approvals_void``).

    The cycle row is locked for the whole step, and a unique constraint on Payment (programme,
    period, beneficiary) stands behind it: two approvals at the same moment pay once. For a
    once-per-beneficiary rule, ``OnceBenefit``'s unique (rule, beneficiary) does the same across
    programmes.
    """
    if is_system_actor(actor):
        raise PermissionDenied("系统任务不能审批：审批须由有权限的人员签批")
    _require(actor, Perm.FUND_APPROVE, cycle.programme.organisation)
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().select_related("programme").get(pk=cycle.pk)
        _step_allowed(locked, locked.approve, "审批")
        if actor.pk in cycle_signers_barred(locked):
            raise ValidationError("审批人不能是制单人：编制、重新计算或调整过本周期金额的人员不能审批本周期")
        done = list(locked.approvals.filter(voided_at__isnull=True).order_by("step"))
        if any(a.user_id == actor.pk for a in done):
            raise ValidationError("您已审批过本周期的一个环节：每个环节须由不同人员审批")
        chain = locked.programme.chain
        step = len(done)
        step_name, step_role = chain[step]
        org_path = locked.programme.organisation.path
        if not holds_role_at(actor, step_role, org_path):
            raise ValidationError(f"审批环节“{step_name}”须由{Role(step_role).label}签批，您不持有该角色")
        CycleApproval.objects.create(
            cycle=locked,
            step=step,
            step_name=step_name,
            role=step_role,
            user=actor,
            revision=locked.revision,
            total=locked.total,
        )
        notifications_settle(_step_key(locked, step))  # the step is signed: nobody else need act on it
        if step + 1 < len(chain):
            _notify_step(locked, step + 1)
            return locked
        # Every step signed the figures as they are now (a change voids earlier approvals; this
        # states the rule where the money leaves).
        if any(a.revision != locked.revision for a in done):
            raise ValidationError("审批后金额已变动：须按变动后的金额重新审批")
        once = getattr(get_plugin(locked.programme.plugin_key), "once_per_beneficiary", False)
        if once:
            _once_check(locked)
        locked.approve()
        locked.save()
        _pay(locked, actor, on or timezone.localdate())
        if once:
            _once_record(locked)
        after_payment = getattr(get_plugin(locked.programme.plugin_key), "after_payment", None)
        if after_payment is not None:
            after_payment(locked)
        locked.pay()
        locked.paid_at = timezone.now()
        locked.save()
    return locked


def _once_check(cycle: Cycle) -> None:
    """A once-per-beneficiary benefit already received under any programme of the rule: refuse, naming who."""
    rule = cycle.programme.plugin_key
    taken = OnceBenefit.objects.filter(
        rule=rule,
        beneficiary_key__in=cycle.entitlements.filter(
            Q(adjusted_amount__gt=0) | Q(adjusted_amount__isnull=True, amount__gt=0)
        ).values("beneficiary_key"),
    ).select_related("payment__programme")
    names = [f"{t.payment.beneficiary_name}（已由“{t.payment.programme.name}”支付）" for t in taken[:5]]
    if names:
        raise ValidationError(
            f"以下对象已领取过此项一次性待遇，不能重复支付：{'、'.join(names)}；请重新计算本周期后再审批"
        )


def _once_record(cycle: Cycle) -> None:
    """Claim each payment of a once-per-beneficiary rule. The unique constraint (rule, beneficiary)
    stands behind ``_once_check``: two programmes approved at the same moment pay a union once."""
    rule = cycle.programme.plugin_key
    claims = [
        OnceBenefit(rule=rule, beneficiary_key=key, payment_id=pk)
        for pk, key in Payment.objects.filter(cycle=cycle).values_list("pk", "beneficiary_key")
    ]
    try:
        with transaction.atomic():
            OnceBenefit.objects.bulk_create(claims, batch_size=BATCH)
    except IntegrityError:
        raise ValidationError(
            "本周期有对象同时被另一项目支付了此项一次性待遇：本次审批未执行，请重新计算本周期后再审批"
        ) from None


def payment_rule(programme: Programme, effective_from: date, period_key: str) -> str:
    """A payment's 依据 as a person reads it: the programme by name, its parameter version and period."""
    return f"{programme.name}（{programme.code}）{effective_from:%Y-%m-%d} 起参数，{period_key} 期"


def _pay(cycle: Cycle, actor: Any, on: date) -> None:
    """Fix each unpaid entitlement's approved amount (pro-rated when the fund is short and the
    programme allows it) and post them all through the ledger's set-based door, ``payout_post``."""
    programme = cycle.programme
    fund = Account.objects.select_for_update().get(pk=programme.fund_id)
    already_paid = Payment.objects.filter(programme=programme, period_key=cycle.period_key).values("beneficiary_key")
    unpaid = cycle.entitlements.exclude(beneficiary_key__in=already_paid)
    final = Coalesce("adjusted_amount", "amount")
    total = unpaid.aggregate(s=Sum(final))["s"] or ZERO
    balance = account_balance(fund)
    note = ""
    if total > balance:
        if not programme.prorate or balance <= 0 or total == 0:
            raise ValidationError(
                f"本期应发合计 {format_yuan(total)} 元，超过{fund.name}余额 {format_yuan(balance)} 元，不能审批"
            )
        rows = list(unpaid.order_by("id").values_list("pk", final))
        shares = allocate(balance, [amount for _, amount in rows])
        Entitlement.objects.bulk_update(
            [Entitlement(pk=pk, approved_amount=share) for (pk, _), share in zip(rows, shares, strict=True)],
            ["approved_amount"],
            batch_size=BATCH,
        )
        note = f"（基金余额不足，按 {format_yuan(balance)}/{format_yuan(total)} 比例核减）"
    else:  # one statement instead of a CASE per row
        unpaid.update(approved_amount=final)
    payout_post(
        Payout(
            date=on,
            debit_account_id=fund.pk,
            credit_account_id=payable_account().pk,
            description_prefix=f"{programme.name} {cycle.period_key} 应付 ",
            description_suffix=note,
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            period_key=cycle.period_key,
            cycle_id=cycle.pk,
            source_prefix=f"cycle:{cycle.pk}:",
            rule=payment_rule(programme, cycle.version.effective_from, cycle.period_key),
            prepared_by_id=cycle.prepared_by_id,
            approved_by_id=getattr(actor, "pk", None),
        ),
        unpaid,
    )
