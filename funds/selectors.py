"""Reads of the funds app: balances, statements, the trial balance, scoped lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.money import FEN, MoneyField
from funds.models import (
    ZERO,
    Account,
    Cycle,
    CycleApproval,
    CycleChange,
    Donation,
    Entitlement,
    JournalEntry,
    JournalLine,
    Payment,
    Period,
    Programme,
)
from orgs.roles import Perm
from orgs.scope import grants_for, has_perm, scoped

MONEY = MoneyField(max_digits=16)


def _sum(field: str, **filters: Any) -> Any:
    return Coalesce(
        Sum(field, filter=Q(**filters) if filters else None), Value(ZERO, output_field=MONEY), output_field=MONEY
    )


def _fen(value: Any) -> Decimal:
    return Decimal(value).quantize(FEN)


def signed(account: Account, debit: Decimal, credit: Decimal) -> Decimal:
    """The balance in the account's normal direction (debit-normal for assets and expenses)."""
    return debit - credit if account.debit_normal else credit - debit


def _line_totals(account: Account, start: date | None = None, end: date | None = None) -> tuple[Decimal, Decimal]:
    qs = JournalLine.objects.filter(account=account)
    if start:
        qs = qs.filter(entry__date__gte=start)
    if end:
        qs = qs.filter(entry__date__lte=end)
    agg = qs.aggregate(d=_sum("debit"), c=_sum("credit"))
    return _fen(agg["d"]), _fen(agg["c"])


def account_balance(account: Account, *, start: date | None = None, end: date | None = None) -> Decimal:
    return signed(account, *_line_totals(account, start, end))


@dataclass
class Statement:
    account: Account
    start: date | None
    end: date | None
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal
    lines: QuerySet[JournalLine]


def account_statement(account: Account, *, start: date | None, end: date | None) -> Statement:
    opening = ZERO
    if start:
        opening = signed(account, *_line_totals(account, None, date.fromordinal(start.toordinal() - 1)))
    debit, credit = _line_totals(account, start, end)
    lines = JournalLine.objects.filter(account=account).select_related("entry")
    if start:
        lines = lines.filter(entry__date__gte=start)
    if end:
        lines = lines.filter(entry__date__lte=end)
    return Statement(
        account,
        start,
        end,
        opening,
        debit,
        credit,
        opening + signed(account, debit, credit),
        lines.order_by("entry__date", "entry_id", "id"),
    )


def accounts_with_balances(user: Any, *, end: date | None = None) -> QuerySet[Account]:
    line_filter: dict[str, Any] = {"lines__entry__date__lte": end} if end else {}
    return (
        scoped(user, Perm.FUND_VIEW, Account.objects.all())
        .select_related("organisation")
        .annotate(debit_total=_sum("lines__debit", **line_filter), credit_total=_sum("lines__credit", **line_filter))
        .order_by("code")
    )


def trial_balance(user: Any, *, end: date | None = None) -> dict[str, Any]:
    rows = []
    total_debit = total_credit = ZERO
    for acc in accounts_with_balances(user, end=end):
        acc.debit_total, acc.credit_total = _fen(acc.debit_total), _fen(acc.credit_total)
        bal = acc.debit_total - acc.credit_total
        debit_side = bal if bal > 0 else ZERO
        credit_side = -bal if bal < 0 else ZERO
        total_debit += debit_side
        total_credit += credit_side
        rows.append({"account": acc, "debit": debit_side, "credit": credit_side})
    return {"rows": rows, "debit": total_debit, "credit": total_credit, "balanced": total_debit == total_credit}


def ledger_totals() -> tuple[Decimal, Decimal]:
    """Whole-ledger debits and credits (they must always be equal)."""
    agg = JournalLine.objects.aggregate(d=_sum("debit"), c=_sum("credit"))
    return _fen(agg["d"]), _fen(agg["c"])


def visible_entries(user: Any) -> QuerySet[JournalEntry]:
    return (
        scoped(user, Perm.FUND_VIEW, JournalEntry.objects.all())
        .select_related("organisation", "prepared_by", "approved_by", "reversal_of")
        .order_by("-date", "-id")
    )


def visible_donations(user: Any) -> QuerySet[Donation]:
    return scoped(user, Perm.FUND_VIEW, Donation.objects.all()).select_related("fund").order_by("-received_on", "-id")


def donation_totals_by_fund(user: Any) -> QuerySet:
    return (
        visible_donations(user)
        .order_by()
        .values("fund__code", "fund__name")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by("fund__code")
    )


def visible_programmes(user: Any) -> QuerySet[Programme]:
    return scoped(user, Perm.FUND_VIEW, Programme.objects.all()).select_related("fund").order_by("code")


def visible_cycles(user: Any) -> QuerySet[Cycle]:
    return (
        scoped(user, Perm.FUND_VIEW, Cycle.objects.all())
        .select_related("programme", "prepared_by", "reviewed_by", "version")
        .order_by("-created_at")
    )


def visible_entitlements(user: Any) -> QuerySet[Entitlement]:
    return scoped(user, Perm.FUND_VIEW, Entitlement.objects.all()).select_related(
        "cycle__programme", "beneficiary_org", "adjusted_by"
    )


def visible_payments(user: Any) -> QuerySet[Payment]:
    return (
        scoped(user, Perm.FUND_VIEW, Payment.objects.all())
        .select_related("programme", "beneficiary_org", "entry")
        .order_by("-paid_at", "-id")
    )


# --- the workbench: what waits for this user ---------------------------------------------------


def holds_role_at(user: Any, role: str, path: str) -> bool:
    """Whether one of the user's grants is ``role`` over the organisation at ``path`` (no query once
    grants are loaded): the test of who may sign an approval step."""
    return any(g.role == role and g.covers_path(path) for g in grants_for(user))


def cycles_awaiting_me(user: Any) -> list[Cycle]:
    """Reviewed cycles whose *next* approval step this user may sign now: the step's role over the
    programme's organisation, never a cycle the user prepared, recomputed or adjusted, nor one where
    they already signed a live step (``funds.services.cycle_approve`` refuses the same). One query.
    Each cycle carries ``step_name`` (the step waiting for the user)."""
    if not has_perm(user, Perm.FUND_APPROVE):
        return []
    live = CycleApproval.objects.filter(cycle=OuterRef("pk"), voided_at__isnull=True)
    rows = (
        scoped(user, Perm.FUND_APPROVE, Cycle.objects.filter(state=Cycle.State.REVIEWED))
        .exclude(prepared_by=user)
        .exclude(Exists(CycleChange.objects.filter(cycle=OuterRef("pk"), user=user)))
        .exclude(Exists(live.filter(user=user)))
        .annotate(
            live_steps=Coalesce(
                Subquery(live.order_by().values("cycle").annotate(n=Count("pk")).values("n")[:1]),
                Value(0),
                output_field=IntegerField(),
            )
        )
        .select_related("programme__organisation")
        .order_by("created_at", "pk")
    )
    out = []
    for cycle in rows:
        chain = cycle.programme.chain
        if cycle.live_steps >= len(chain):
            continue
        name, role = chain[cycle.live_steps]
        if holds_role_at(user, role, cycle.programme.organisation.path):
            cycle.step_name = name
            out.append(cycle)
    return out


def periods_to_close(user: Any, *, today: date) -> QuerySet[Period]:
    """Accounting months already over and still open, for those who may close them (FUND_APPROVE)."""
    if not has_perm(user, Perm.FUND_APPROVE):
        return Period.objects.none()
    current = f"{today.year:04d}-{today.month:02d}"
    return Period.objects.filter(status=Period.Status.OPEN, code__lt=current).order_by("code")
