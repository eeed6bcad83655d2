"""Reads of money on its way to the bank (docs/bank.md): batches, payee accounts, payees without a
verified account, returned payments to act on. Everything goes through ``orgs.scope``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum

from funds.models import BankBatch, BatchLine, PayeeAccount, Payment, Reissue
from orgs.roles import Perm
from orgs.scope import scoped

S = Payment.Status

# An approved payment in the bank's lifecycle, in the worker's words (docs/bank.md).
BANK_STATUS_LABELS = {
    "approved": "已审批待银行支付",
    "batched": "已审批待银行支付",
    "sent": "已发送银行",
    "confirmed": "已支付",
}


def bank_status_label(status: str | None, reason: str = "") -> str:
    if status == "returned":
        return f"银行退回（{reason or '银行未说明原因'}），待重新支付"
    return BANK_STATUS_LABELS.get(status or "", "已审批待银行支付")


def with_cycle_bank_status(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Rows that each own a funds cycle (``cycle_id``: a relief application, a rewarded innovation)
    annotated with their payment as the bank left it — the cycle's newest payment, a re-issue after a
    return — as ``bank_status``/``bank_reason``, without a query per row."""
    latest = Payment.objects.filter(cycle_id=OuterRef("cycle_id")).order_by("-pk")
    return queryset.annotate(
        bank_status=Subquery(latest.values("status")[:1]), bank_reason=Subquery(latest.values("return_reason")[:1])
    )


def cycle_bank_status(row: Any) -> tuple[str | None, str]:
    """``row``'s annotated bank status, or its cycle's newest payment read now (a single row)."""
    if hasattr(row, "bank_status"):
        return row.bank_status, row.bank_reason or ""
    latest = (
        Payment.objects.filter(cycle_id=row.cycle_id).order_by("-pk").values_list("status", "return_reason").first()
    )
    return latest if latest else (None, "")


def visible_batches(user: Any) -> QuerySet[BankBatch]:
    return scoped(user, Perm.FUND_VIEW, BankBatch.objects.select_related("created_by", "sent_by", "bank_account"))


def batch_lines(batch: BankBatch) -> QuerySet[BatchLine]:
    return batch.lines.filter(active=True).select_related("payment__programme", "account").order_by("seq")


def visible_payee_accounts(user: Any) -> QuerySet[PayeeAccount]:
    return scoped(
        user,
        Perm.FUND_VIEW,
        PayeeAccount.objects.select_related("organisation", "person", "entered_by", "verified_by"),
    )


def _verified(key: Any) -> Exists:
    return Exists(PayeeAccount.objects.filter(owner_key=key, status=PayeeAccount.Status.VERIFIED))


def payees_without_account(user: Any) -> QuerySet[Payment]:
    """Approved payments (not yet in a batch) whose payee has no verified account: they cannot be
    put into a bank batch until one is entered and verified."""
    return (
        scoped(user, Perm.FUND_VIEW, Payment.objects.filter(status=S.APPROVED, entry__reversed_by__isnull=True))
        .annotate(has_account=_verified(OuterRef("beneficiary_key")))
        .filter(has_account=False)
        .select_related("programme", "beneficiary_org", "beneficiary_person")
        .order_by("programme__code", "period_key", "beneficiary_name", "pk")
    )


def batchable_payments(user: Any) -> QuerySet[Payment]:
    """Approved payments whose payee has a verified account: what a new batch can take."""
    return (
        scoped(user, Perm.FUND_VIEW, Payment.objects.filter(status=S.APPROVED, entry__reversed_by__isnull=True))
        .annotate(has_account=_verified(OuterRef("beneficiary_key")))
        .filter(has_account=True)
        .select_related("programme")
    )


def returned_to_act_on(user: Any) -> QuerySet[Payment]:
    """Payments the bank returned that have not been re-issued yet (a request waiting for its
    approval included): the finance workbench lists them."""
    approved = Reissue.objects.filter(returned=OuterRef("pk"), payment__isnull=False)
    return (
        scoped(user, Perm.FUND_VIEW, Payment.objects.filter(status=S.RETURNED))
        .annotate(reissued=Exists(approved))
        .filter(reissued=False)
        .select_related("programme", "beneficiary_org", "beneficiary_person", "reissue_request")
        .order_by("-status_at", "-pk")
    )


def payment_totals_by_status(user: Any) -> dict[str, tuple[int, Any]]:
    rows = scoped(user, Perm.FUND_VIEW, Payment.objects.all()).values("status").annotate(n=Count("id"), s=Sum("amount"))
    return {r["status"]: (r["n"], r["s"]) for r in rows}


def unanswered_sent(user: Any) -> QuerySet[Payment]:
    return scoped(user, Perm.FUND_VIEW, Payment.objects.filter(Q(status=S.SENT)))


def payee_account_panel(user: Any, file: Any) -> dict[str, Any]:
    """What a hardship file's page shows of the person's bank payee account (docs/bank.md): the
    account in use and the one awaiting verification (masked), a link to them for finance over the
    file's union, and 登记收款账户 for whoever may enter it (finance, the assistance officers)."""
    from orgs.scope import can_at

    org = file.organisation
    may_view = can_at(user, Perm.FUND_VIEW, org)
    may_enter = can_at(user, Perm.FUND_PREPARE, org) or can_at(user, Perm.ASSISTANCE_PROCESS, org)
    live = (
        list(
            PayeeAccount.objects.filter(
                owner_key=f"person:{file.person_id}",
                status__in=(PayeeAccount.Status.VERIFIED, PayeeAccount.Status.PENDING),
            ).order_by("-valid_from", "-pk")
        )
        if may_view or may_enter
        else []
    )
    return {"payee_accounts": live, "payee_may_view": may_view, "payee_may_enter": may_enter}
