from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from funds import selectors, services
from funds.models import Account, Donation, JournalEntry, JournalLine, Period
from funds.services import Line
from funds.testing import books

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def acc(district):
    return books(district.root)


def post(acc, district, amount, day=date(2026, 3, 1), **kw):
    return services.entry_post(
        date=day,
        description="测试",
        lines=[Line(acc["1002"], debit=D(amount)), Line(acc["3105"], credit=D(amount))],
        organisation=district.root,
        prepared_by=None,
        **kw,
    )


def test_balanced_entry_posts_and_balances(acc, district):
    post(acc, district, "100.01")
    post(acc, district, "0.99")
    assert selectors.account_balance(acc["1002"]) == D("101.00")
    assert selectors.account_balance(acc["3105"]) == D("101.00")
    debit, credit = selectors.ledger_totals()
    assert debit == credit == D("101.00")


@pytest.mark.parametrize(
    "lines, message",
    [
        ([("1002", "10.00", "0"), ("3105", "0", "9.99")], "借贷不平衡"),
        ([("1002", "10.00", "10.00"), ("3105", "0", "0")], "只能填写借方或贷方之一"),
        ([("1002", "0", "0"), ("3105", "0", "0")], "只能填写借方或贷方之一"),
        ([("1002", "-5", "0"), ("3105", "0", "-5")], "不能为负数"),
        ([("1002", "10", "0")], "至少需要两行"),
    ],
)
def test_unbalanced_or_malformed_entries_are_refused(acc, district, lines, message):
    with pytest.raises(ValidationError, match=message):
        services.entry_post(
            date=date(2026, 3, 1),
            description="坏凭证",
            lines=[Line(acc[c], debit=D(d), credit=D(k)) for c, d, k in lines],
            organisation=district.root,
            prepared_by=None,
        )
    assert JournalEntry.objects.count() == 0


def test_entries_and_lines_cannot_be_changed_or_deleted(acc, district):
    entry = post(acc, district, "50")
    entry.description = "改"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        JournalEntry.objects.filter(pk=entry.pk).update(description="改")
    with pytest.raises(ValidationError):
        JournalLine.objects.all().delete()
    with pytest.raises(ValidationError):
        entry.lines.first().save()


def test_database_refuses_a_line_with_both_sides(acc, district):
    entry = post(acc, district, "50")
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalLine.objects.create(entry=entry, account=acc["1002"], debit=D("1"), credit=D("1"))


def test_accounts_with_movements_cannot_be_deleted(acc, district):
    post(acc, district, "50")
    with pytest.raises(ProtectedError):
        Account.objects.filter(code="1002").delete()


def test_reversal_mirrors_once_only(acc, district):
    finance = district.user("finance")
    entry = post(acc, district, "80")
    rev = services.entry_reverse(actor=finance, entry=entry, reason="金额录错", on=date(2026, 3, 2))
    assert rev.reversal_of == entry
    assert selectors.account_balance(acc["3105"]) == D("0.00")
    with pytest.raises(ValidationError, match="已被冲销"):
        services.entry_reverse(actor=finance, entry=entry, reason="再冲", on=date(2026, 3, 2))
    with pytest.raises(ValidationError, match="不能再被冲销"):
        services.entry_reverse(actor=finance, entry=rev, reason="冲冲销", on=date(2026, 3, 2))
    # the database itself refuses a second reversal of the same entry
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.create(
            date=date(2026, 3, 2),
            period=rev.period,
            description="x",
            organisation=district.root,
            reversal_of=entry,
            amount=D("80"),
        )


def test_reversal_needs_a_reason_and_approval_right(acc, district):
    entry = post(acc, district, "80")
    with pytest.raises(ValidationError, match="理由"):
        services.entry_reverse(actor=district.user("finance"), entry=entry, reason=" ")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.entry_reverse(actor=district.user("auditor"), entry=entry, reason="审计要改")


def test_closed_period_refuses_new_entries(acc, district):
    post(acc, district, "10", day=date(2026, 2, 10))
    services.period_close(actor=district.user("finance"), period=Period.objects.get(code="2026-02"))
    with pytest.raises(ValidationError, match="2026-02 已结账"):
        post(acc, district, "10", day=date(2026, 2, 28))
    post(acc, district, "10", day=date(2026, 3, 1))  # the next period is still open


def test_statement_and_trial_balance(acc, district):
    post(acc, district, "100", day=date(2026, 1, 10))
    post(acc, district, "40", day=date(2026, 2, 10))
    st = selectors.account_statement(acc["3105"], start=date(2026, 2, 1), end=date(2026, 2, 28))
    assert (st.opening, st.credit, st.closing) == (D("100.00"), D("40.00"), D("140.00"))
    assert [ln.credit for ln in st.lines] == [D("40.00")]
    tb = selectors.trial_balance(district.user("finance"))
    assert tb["balanced"] and tb["debit"] == tb["credit"] == D("140.00")


def test_donation_receipts_are_sequential_per_year(acc, district):
    finance = district.user("finance")
    d1 = services.donation_register(
        actor=finance,
        donor_kind="unit",
        donor_name="顺鑫公司",
        amount="20000",
        received_on=date(2026, 5, 1),
        fund=acc["3105"],
    )
    d2 = services.donation_register(
        actor=finance,
        donor_kind="person",
        donor_name="张三",
        amount="500.50",
        received_on=date(2026, 5, 2),
        fund=acc["3105"],
        anonymous=True,
    )
    d3 = services.donation_register(
        actor=finance,
        donor_kind="unit",
        donor_name="空港公司",
        amount="1",
        received_on=date(2027, 1, 2),
        fund=acc["3105"],
    )
    assert [d1.receipt_no, d2.receipt_no, d3.receipt_no] == ["2026-00001", "2026-00002", "2027-00001"]
    assert d2.shown_donor == "匿名捐赠"
    assert selectors.account_balance(acc["3105"]) == D("20501.50")
    assert d1.entry.lines.count() == 2


def test_donation_bad_input_changes_nothing(acc, district):
    with pytest.raises(ValidationError):
        services.donation_register(
            actor=district.user("finance"),
            donor_kind="unit",
            donor_name="某公司",
            amount="-1",
            received_on=date(2026, 5, 1),
            fund=acc["3105"],
        )
    with pytest.raises(ValidationError):
        services.donation_register(
            actor=district.user("finance"),
            donor_kind="unit",
            donor_name="某公司",
            amount="10",
            received_on=date(2026, 5, 1),
            fund=acc["1002"],
        )
    with pytest.raises(ValidationError, match="捐赠方类型"):  # PostgreSQL would refuse it with a DataError
        services.donation_register(
            actor=district.user("finance"),
            donor_kind="x" * 40,
            donor_name="某公司",
            amount="10",
            received_on=date(2026, 5, 1),
            fund=acc["3105"],
        )
    assert Donation.objects.count() == JournalEntry.objects.count() == 0
