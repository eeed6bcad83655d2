"""Money is exact on every database: stored as integer fen, summed as integers, read as Decimal yuan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.db import connection
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from conftest import build_district
from funds import selectors
from funds.api.serializers import EntrySerializer
from funds.ledger import EntryDraft, Line, entries_post
from funds.models import JournalEntry, JournalLine
from funds.testing import books

D = Decimal
# Amounts like 0.10, 0.20, 0.30 whose binary floats do not add up to the fen.
AMOUNTS = st.lists(
    st.one_of(
        st.sampled_from([D("0.10"), D("0.20"), D("0.30"), D("0.70"), D("1.10"), D("2492718.01")]),
        st.decimals(min_value=D("0.01"), max_value=D("99999999.99"), places=2),
    ),
    min_size=1,
    max_size=120,
)


class ExactSums(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.d = build_district()
        cls.finance = cls.d.user("finance")
        cls.accounts = books(cls.d.root)

    def post(self, amounts: list[Decimal]) -> None:
        bank, fund = self.accounts["1002"], self.accounts["3105"]
        entries_post(
            [
                EntryDraft(
                    date=date(2026, 3, 1),
                    description="多行凭证",
                    lines=[Line(bank, debit=a) for a in amounts] + [Line(fund, credit=sum(amounts, D("0")))],
                    organisation_id=self.d.root.pk,
                )
            ]
        )

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(amounts=AMOUNTS)
    def test_sums_agree_with_decimal(self, amounts: list[Decimal]) -> None:
        self.post(amounts)
        expected = sum(amounts, D("0"))
        debit, credit = selectors.ledger_totals()
        self.assertEqual((debit, credit), (expected, expected))
        self.assertEqual(selectors.account_balance(self.accounts["1002"]), expected)
        self.assertEqual(selectors.account_balance(self.accounts["3105"]), expected)
        tb = selectors.trial_balance(self.finance)
        self.assertTrue(tb["balanced"])
        self.assertEqual((tb["debit"], tb["credit"]), (expected, expected))
        rows = {r["account"].code: r for r in tb["rows"]}
        self.assertEqual(rows["1002"]["debit"], expected)
        self.assertEqual(rows["3105"]["credit"], expected)
        # the raw aggregate itself is exact (no rounding hides a float error)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT SUM(debit), SUM(credit) FROM {JournalLine._meta.db_table}")
            raw_debit, raw_credit = cursor.fetchone()
        self.assertEqual(D(raw_debit), expected * 100)
        self.assertEqual(D(raw_credit), expected * 100)

    def test_values_lookups_and_expressions_are_decimal_yuan(self) -> None:
        self.post([D("0.10"), D("0.20"), D("100.00")])
        line = JournalLine.objects.filter(debit__gte=D("100.00")).get()
        self.assertEqual(line.debit, D("100.00"))
        self.assertIsInstance(line.debit, Decimal)
        self.assertEqual(JournalLine.objects.filter(debit__gt=D("0.15"), debit__lt=D("0.25")).count(), 1)
        self.assertEqual(JournalLine.objects.filter(debit="0.1").count(), 1)
        nets = sorted(JournalLine.objects.annotate(net=F("debit") - F("credit")).values_list("net", flat=True))
        self.assertEqual(nets, [D("-100.30"), D("0.10"), D("0.20"), D("100.00")])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT amount FROM {JournalEntry._meta.db_table}")
            self.assertEqual(cursor.fetchone()[0], 10030)  # stored as whole fen

    def test_forms_and_api_see_yuan_with_two_places(self) -> None:
        self.post([D("12.30"), D("0.05")])
        field = JournalEntry._meta.get_field("amount").formfield()
        self.assertIsInstance(field, forms.DecimalField)
        self.assertEqual(field.decimal_places, 2)
        self.assertEqual(field.clean("12.35"), D("12.35"))
        entry = JournalEntry.objects.get()
        data = EntrySerializer(entry).data
        self.assertEqual(data["amount"], "12.35")
        self.assertEqual(sorted(ln["debit"] for ln in data["lines"]), ["0.00", "0.05", "12.30"])
