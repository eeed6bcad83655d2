"""Property: any sequence of cycles, adjustments, approvals and reversals leaves the ledger balanced
and the payments equal to the approved entitlements, each beneficiary paid at most once a period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.test import override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from conftest import build_district, make_user
from funds import selectors, services
from funds.models import BudgetAllocation, Cycle, Entitlement, JournalEntry, Payment
from funds.testing import books
from funds.tests.conftest import IMMEDIATE
from funds.tests.plugin import KEY
from orgs.roles import Role
from orgs.services import role_grant

D = Decimal
CODES = ["T-A-1", "T-B-1", "T-A-2"]
money = st.decimals(min_value=D("0.00"), max_value=D("5000.00"), places=2)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("allocate"), st.decimals(min_value=D("0.01"), max_value=D("20000"), places=2)),
        st.tuples(
            st.just("cycle"), st.dictionaries(st.sampled_from(CODES), money, min_size=1), st.booleans(), st.booleans()
        ),
        st.tuples(st.just("adjust"), st.integers(0, 50), money, st.booleans()),
        st.tuples(st.just("review"), st.integers(0, 10)),
        st.tuples(st.just("approve"), st.integers(0, 10), st.booleans()),
        st.tuples(st.just("recompute"), st.integers(0, 10)),
        st.tuples(st.just("reverse"), st.integers(0, 50)),
    ),
    max_size=14,
)


@override_settings(TASKS=IMMEDIATE)
class LedgerProperties(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.d = build_district()
        cls.finance = cls.d.user("finance")
        cls.approver = make_user("finance2")
        role_grant(actor=None, user=cls.approver, role=Role.FINANCE, organisation=cls.d.root)
        cls.accounts = books(cls.d.root)

    def check_invariants(self) -> None:
        debit, credit = selectors.ledger_totals()
        self.assertEqual(debit, credit)
        self.assertTrue(selectors.trial_balance(self.finance)["balanced"])
        paid = Payment.objects.aggregate(s=Sum("amount"))["s"] or D(0)
        approved = Entitlement.objects.filter(cycle__state=Cycle.State.PAID, approved_amount__gt=0).aggregate(
            s=Sum("approved_amount")
        )["s"] or D(0)
        self.assertEqual(paid, approved)
        twice = (
            Payment.objects.exclude(status=Payment.Status.RETURNED)
            .values("programme", "period_key", "beneficiary_key")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        self.assertFalse(twice.exists())
        # the fund moved exactly by the allocations and payments that were not reversed
        allocated = BudgetAllocation.objects.filter(entry__reversed_by__isnull=True).aggregate(s=Sum("amount"))[
            "s"
        ] or D(0)
        paid_kept = Payment.objects.filter(entry__reversed_by__isnull=True).aggregate(s=Sum("amount"))["s"] or D(0)
        self.assertEqual(selectors.account_balance(self.programme.fund), allocated - paid_kept)
        # approval posts the payable; nothing leaves the bank until the bank confirms (funds/bank.py)
        self.assertEqual(selectors.account_balance(self.programme.bank), allocated)
        self.assertEqual(selectors.account_balance(services.payable_account()), paid_kept)

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ops=OPS, prorate=st.booleans(), funding=st.decimals(min_value=D("0.01"), max_value=D("8000"), places=2))
    def test_any_sequence_keeps_the_books(self, ops, prorate, funding) -> None:
        self.programme = services.programme_create(
            actor=self.finance,
            code="PROP",
            name="性质测试",
            plugin_key=KEY,
            period_type="yearly",
            fund=self.accounts["3103"],
            organisation=self.d.root,
            prorate=prorate,
        )
        services.allocation_register(
            actor=self.finance, fund=self.programme.fund, amount=funding, on=date(2026, 1, 2), note="期初"
        )
        year = 2030
        for op in ops:
            cycles = list(Cycle.objects.filter(programme=self.programme).order_by("id"))
            try:
                if op[0] == "allocate":
                    services.allocation_register(
                        actor=self.finance, fund=self.programme.fund, amount=op[1], on=date(2026, 1, 2), note="拨款"
                    )
                elif op[0] == "cycle":
                    year += 1
                    services.parameter_version_add(
                        actor=self.finance,
                        programme=self.programme,
                        effective_from=date(year, 1, 1),
                        params={"amounts": {k: str(v) for k, v in op[1].items()}},
                    )
                    cycle = services.cycle_create(actor=self.finance, programme=self.programme, period_key=str(year))
                    if op[2]:
                        services.cycle_review(actor=self.finance, cycle=cycle)
                        if op[3]:
                            services.cycle_approve(actor=self.approver, cycle=cycle, on=date(2026, 6, 1))
                elif op[0] == "adjust":
                    ents = list(Entitlement.objects.filter(cycle__programme=self.programme).order_by("id"))
                    if ents:
                        services.entitlement_adjust(
                            actor=self.finance,
                            entitlement=ents[op[1] % len(ents)],
                            amount=op[2],
                            reason="复核调整" if op[3] else "",
                        )
                elif op[0] == "review" and cycles:
                    services.cycle_review(actor=self.finance, cycle=cycles[op[1] % len(cycles)])
                elif op[0] == "approve" and cycles:
                    who = self.approver if op[2] else self.finance  # the preparer is always refused
                    services.cycle_approve(actor=who, cycle=cycles[op[1] % len(cycles)], on=date(2026, 6, 1))
                elif op[0] == "recompute" and cycles:
                    services.cycle_recompute(actor=self.finance, cycle=cycles[op[1] % len(cycles)])
                elif op[0] == "reverse":
                    entries = list(
                        JournalEntry.objects.filter(reversal_of__isnull=True, reversed_by__isnull=True).order_by("id")
                    )
                    if entries:
                        services.entry_reverse(
                            actor=self.finance, entry=entries[op[1] % len(entries)], reason="更正", on=date(2026, 7, 1)
                        )
            except ValidationError:
                pass  # a refusal must leave everything as it was: the invariants below say so
            self.check_invariants()
        event(f"cycles paid: {min(Cycle.objects.filter(state=Cycle.State.PAID).count(), 2)}")
        event(f"payments reversed: {min(Payment.objects.filter(entry__reversed_by__isnull=False).count(), 1)}")
