"""Reads of the funds app: balances, statements, the trial balance, scoped lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    RowRange,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce

from core.money import FEN, MoneyField, format_yuan
from funds.engine import Param, ParamKind
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
    ParameterVersion,
    Payment,
    Period,
    Programme,
)
from orgs.models import Organisation
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
    """The account's lines in date order, each with ``balance``: the running balance after it, in the
    account's normal direction, from the opening balance (a window sum, so any page of the statement
    carries the right figures in the same one query)."""
    opening = ZERO
    if start:
        opening = signed(account, *_line_totals(account, None, date.fromordinal(start.toordinal() - 1)))
    debit, credit = _line_totals(account, start, end)
    lines = JournalLine.objects.filter(account=account).select_related("entry")
    if start:
        lines = lines.filter(entry__date__gte=start)
    if end:
        lines = lines.filter(entry__date__lte=end)
    order = ("entry__date", "entry_id", "id")
    delta = F("debit") - F("credit") if account.debit_normal else F("credit") - F("debit")
    running = Window(Sum(delta, output_field=MONEY), order_by=[F(f) for f in order], frame=RowRange(None, 0))
    lines = lines.annotate(
        balance=ExpressionWrapper(running + Value(opening, output_field=MONEY), output_field=MONEY)
    ).order_by(*order)
    return Statement(account, start, end, opening, debit, credit, opening + signed(account, debit, credit), lines)


def accounts_with_balances(user: Any, *, end: date | None = None) -> QuerySet[Account]:
    line_filter: dict[str, Any] = {"lines__entry__date__lte": end} if end else {}
    return (
        scoped(user, Perm.FUND_VIEW, Account.objects.all())
        .select_related("organisation")
        .annotate(debit_total=_sum("lines__debit", **line_filter), credit_total=_sum("lines__credit", **line_filter))
        .annotate(
            balance=Case(  # in the account's normal direction, as ``signed``
                When(type__in=Account.DEBIT_NORMAL, then=F("debit_total") - F("credit_total")),
                default=F("credit_total") - F("debit_total"),
                output_field=MONEY,
            )
        )
        .order_by("code")
    )


def trial_balance(user: Any, *, end: date | None = None) -> dict[str, Any]:
    """Each scoped account's balance on its debit or credit side, the totals, whether they agree, and
    ``posted``: whether any line reached these accounts at all (an empty ledger is not "balanced")."""
    rows = []
    total_debit = total_credit = ZERO
    posted = False
    for acc in accounts_with_balances(user, end=end):
        acc.debit_total, acc.credit_total = _fen(acc.debit_total), _fen(acc.credit_total)
        posted = posted or bool(acc.debit_total or acc.credit_total)
        bal = acc.debit_total - acc.credit_total
        debit_side = bal if bal > 0 else ZERO
        credit_side = -bal if bal < 0 else ZERO
        total_debit += debit_side
        total_credit += credit_side
        rows.append({"account": acc, "debit": debit_side, "credit": credit_side})
    return {
        "rows": rows,
        "debit": total_debit,
        "credit": total_credit,
        "balanced": total_debit == total_credit,
        "posted": posted,
    }


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


def _param_text(p: Param, value: Any, org_names: dict[str, str]) -> str:
    if p.kind == ParamKind.BOOL:
        return "是" if value else "否"
    if value in (None, "", [], {}):
        return "—"
    if p.kind == ParamKind.MONEY:
        return f"{format_yuan(value)} 元"
    if p.kind == ParamKind.RATIO:
        return f"{(Decimal(str(value)) * 100).normalize():f}%"
    if p.kind == ParamKind.CHOICE:
        return dict(p.choices).get(str(value), str(value))
    if p.kind == ParamKind.ORGANISATIONS:
        return "、".join(org_names.get(code, code) for code in value)
    return str(value)


def parameter_table(parameters: tuple[Param, ...], versions: list[ParameterVersion]) -> list[dict[str, Any]]:
    """The programme's parameter versions side by side, as a person reads them: one row per declared
    parameter (its Chinese label), one cell per version ("150.00 元", "40%", "是"); a table parameter's
    cell is a small table of its rows. Organisation codes read as names (one query)."""
    codes = {
        c
        for v in versions
        for p in parameters
        if p.kind == ParamKind.ORGANISATIONS
        for c in (v.params.get(p.name) or [])
    }
    org_names = dict(Organisation.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    out = []
    for p in parameters:
        cells: list[Any] = []
        for v in versions:
            value = v.params.get(p.name)
            if p.kind != ParamKind.TABLE:
                cells.append(_param_text(p, value, org_names))
                continue
            if p.mapping and isinstance(value, dict):
                value = [{p.columns[0].name: k, p.columns[1].name: x} for k, x in value.items()]
            rows = [[_param_text(c, row.get(c.name), org_names) for c in p.columns] for row in value or []]
            cells.append({"columns": [c.label for c in p.columns], "rows": rows})
        out.append({"label": p.label, "table": p.kind == ParamKind.TABLE, "cells": cells})
    return out


def visible_programmes(user: Any) -> QuerySet[Programme]:
    return scoped(user, Perm.FUND_VIEW, Programme.objects.all()).select_related("fund").order_by("code")


def visible_cycles(user: Any) -> QuerySet[Cycle]:
    return (
        scoped(user, Perm.FUND_VIEW, Cycle.objects.all())
        .select_related("programme", "prepared_by", "reviewed_by", "version")
        .order_by("-created_at")
    )


def cycle_steps(cycle: Cycle, approvals: list[CycleApproval]) -> list[dict[str, Any]]:
    """Each approval step of the cycle's programme with its live (not voided) approval, or None while awaited."""
    live = {a.step: a for a in approvals if a.voided_at is None}
    return [{"label": label, "approval": live.get(i)} for i, label in enumerate(cycle.programme.step_labels)]


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
