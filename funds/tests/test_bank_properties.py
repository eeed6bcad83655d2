"""Property (issue 17): any sequence of batch, send, confirm, return, account correction and re-issue
leaves each beneficiary paid at most once per programme and period, the bank account's balance equal
to what was funded less the confirmed payments, the payable equal to what is approved but not paid,
and the books balanced."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.test import override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from conftest import TEST_DATA_KEY, build_district, make_user
from funds import bank, selectors, services
from funds.models import BankBatch, PayeeAccount, Payment, Reissue
from funds.testing import fund_programme
from funds.tests.conftest import IMMEDIATE
from funds.tests.plugin import KEY
from orgs.roles import Role
from orgs.services import role_grant

D = Decimal
S = Payment.Status
FUNDING = D("10000.00")
DAY = date(2026, 6, 1)

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("batch"), st.sets(st.integers(0, 2), min_size=1)),
        st.tuples(st.just("send"), st.integers(0, 5)),
        st.tuples(st.just("cancel"), st.integers(0, 5)),
        st.tuples(st.just("answer"), st.integers(0, 5), st.integers(0, 2), st.booleans(), st.booleans()),
        st.tuples(st.just("correct"), st.integers(0, 2)),
        st.tuples(st.just("reissue"), st.integers(0, 5), st.booleans()),
        # whole steps, so that long stories (returned, corrected, re-issued, paid) are common
        st.tuples(
            st.just("pay"), st.sets(st.integers(0, 2), min_size=1), st.lists(st.booleans(), min_size=3, max_size=3)
        ),
        st.tuples(st.just("fix"), st.integers(0, 5)),
    ),
    max_size=16,
)


def result_csv(rows: list[tuple[str, str, str]]) -> bytes:
    return ("业务参考号,金额,处理结果,失败原因\n" + "\n".join(f"{r},{a},{o},账户异常" for r, a, o in rows)).encode()


# the data key as the autouse fixture sets it, for setUpTestData too (it runs before any fixture)
@override_settings(TASKS=IMMEDIATE, GONGHUI_DATA_KEY=TEST_DATA_KEY)
class BankProperties(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.d = build_district()
        cls.finance = cls.d.user("finance")
        cls.admin = cls.d.user("admin")
        cls.approver = make_user("finance2")
        role_grant(actor=None, user=cls.approver, role=Role.FINANCE, organisation=cls.d.root)
        cls.programme = fund_programme(
            district=cls.d.root,
            plugin_key=KEY,
            fund_code="3103",
            code="BANKPROP",
            params={"amounts": {"T-A-1": "100.00", "T-B-1": "250.50", "T-A-2": "0.01"}},
            funding=FUNDING,
        )
        cycle = services.cycle_create(actor=cls.finance, programme=cls.programme, period_key="2026")
        services.cycle_review(actor=cls.finance, cycle=cycle)
        services.cycle_approve(actor=cls.approver, cycle=cycle, on=DAY)
        cls.orgs = [cls.d.union_a, cls.d.union_b, cls.d.firm_a]
        for n, org in enumerate(cls.orgs):
            acc = bank.payee_account_enter(
                actor=cls.finance,
                organisation=org,
                holder_name=org.name,
                number=f"62220202001122{n:05d}",
                bank_name="工行顺义支行",
                bank_code="102100000072",
                valid_from=date(2026, 1, 1),
            )
            bank.payee_account_verify(actor=cls.admin, account=acc)

    def check_invariants(self) -> None:
        debit, credit = selectors.ledger_totals()
        self.assertEqual(debit, credit)
        per_key = Payment.objects.values("programme", "period_key", "beneficiary_key").annotate(
            live=Count("id", filter=~Q(status=S.RETURNED)), confirmed=Count("id", filter=Q(status=S.CONFIRMED))
        )
        for row in per_key:
            self.assertLessEqual(row["live"], 1, row)
            self.assertLessEqual(row["confirmed"], 1, row)
        confirmed = Payment.objects.filter(status=S.CONFIRMED).aggregate(s=Sum("amount"))["s"] or D(0)
        owed = Payment.objects.filter(status__in=[S.APPROVED, S.BATCHED, S.SENT]).aggregate(s=Sum("amount"))["s"] or D(
            0
        )
        self.assertEqual(selectors.account_balance(self.programme.bank), FUNDING - confirmed)
        self.assertEqual(selectors.account_balance(services.payable_account()), owed)
        # the fund paid out exactly what is owed or confirmed (returned money came back)
        self.assertEqual(selectors.account_balance(self.programme.fund), FUNDING - owed - confirmed)
        # a payment is in at most one open batch, and a sent payment's line is in a sent batch
        for p in Payment.objects.filter(status__in=[S.BATCHED, S.SENT, S.CONFIRMED, S.RETURNED]):
            self.assertEqual(p.batch_lines.filter(active=True).count(), 1)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ops=OPS)
    def test_any_sequence_pays_each_beneficiary_at_most_once(self, ops) -> None:
        serial = 0
        for op in ops:
            batches = list(BankBatch.objects.order_by("id"))
            try:
                if op[0] == "batch":
                    keys = [f"org:{self.orgs[i].pk}" for i in op[1]]
                    bank.batch_create(actor=self.finance, payments=Payment.objects.filter(beneficiary_key__in=keys))
                elif op[0] == "send" and batches:
                    bank.batch_send(actor=self.finance, batch=batches[op[1] % len(batches)])
                elif op[0] == "cancel" and batches:
                    bank.batch_cancel(actor=self.finance, batch=batches[op[1] % len(batches)])
                elif op[0] == "answer" and batches:
                    batch = batches[op[1] % len(batches)]
                    lines = list(batch.lines.filter(active=True).order_by("seq"))
                    if lines:
                        line = lines[op[2] % len(lines)]
                        rows = [(line.reference, f"{line.amount:.2f}", "成功" if op[3] else "失败")]
                        if op[4]:  # the same line answered twice in one file: nothing applied for it
                            rows.append(rows[0])
                        bank.result_import(
                            actor=self.finance, batch=batch, content=result_csv(rows), filename="r.csv", on=DAY
                        )
                elif op[0] == "correct":
                    serial += 1
                    org = self.orgs[op[1]]
                    acc = bank.payee_account_enter(
                        actor=self.finance,
                        organisation=org,
                        holder_name=org.name,
                        number=f"62170000{op[1]}{serial:08d}",
                        bank_name="建行顺义支行",
                        bank_code="105100000017",
                        valid_from=date(2026, 6, 2),
                    )
                    bank.payee_account_verify(actor=self.admin, account=acc)
                elif op[0] == "reissue":
                    returned = list(Payment.objects.filter(status=S.RETURNED).order_by("id"))
                    if returned:
                        p = returned[op[1] % len(returned)]
                        request = Reissue.objects.filter(returned=p).first() or bank.reissue_request(
                            actor=self.finance, payment=p
                        )
                        # the officer who corrected the account is always refused
                        who = self.approver if op[2] else self.finance
                        bank.reissue_approve(actor=who, reissue=request, on=DAY)
                elif op[0] == "pay":
                    keys = [f"org:{self.orgs[i].pk}" for i in op[1]]
                    batch = bank.batch_create(
                        actor=self.finance, payments=Payment.objects.filter(beneficiary_key__in=keys)
                    )
                    bank.batch_send(actor=self.finance, batch=batch)
                    rows = [
                        (ln.reference, f"{ln.amount:.2f}", "成功" if ok else "失败")
                        for ln, ok in zip(batch.lines.order_by("seq"), op[2], strict=False)
                    ]
                    bank.result_import(
                        actor=self.finance, batch=batch, content=result_csv(rows), filename="r.csv", on=DAY
                    )
                elif op[0] == "fix":
                    returned = list(
                        Payment.objects.filter(status=S.RETURNED, reissue_request__isnull=True).order_by("id")
                    )
                    if returned:
                        p = returned[op[1] % len(returned)]
                        serial += 1
                        acc = bank.payee_account_enter(
                            actor=self.finance,
                            organisation=p.beneficiary_org,
                            holder_name=p.beneficiary_name,
                            number=f"62150000{serial:010d}",
                            bank_name="农行顺义支行",
                            bank_code="103100000026",
                            valid_from=date(2026, 6, 2),
                        )
                        bank.payee_account_verify(actor=self.admin, account=acc)
                        request = bank.reissue_request(actor=self.finance, payment=p)
                        bank.reissue_approve(actor=self.approver, reissue=request, on=DAY)
            except (ValidationError, PermissionDenied):
                pass  # a refusal leaves everything as it was: the invariants say so
            self.check_invariants()
        event(f"confirmed: {min(Payment.objects.filter(status=S.CONFIRMED).count(), 2)}")
        event(f"re-issued: {min(Payment.objects.filter(reissue_of__isnull=False).count(), 1)}")
        event(f"accounts: {min(PayeeAccount.objects.count(), 4)}")
