"""The ledger's one door: ``funds.ledger.entries_post`` checks everything before writing, writes all or
nothing, and is the only code that inserts journal entries, lines and payments."""

from __future__ import annotations

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from funds import services
from funds.ledger import EntryDraft, Line, entries_post
from funds.models import JournalEntry, JournalLine, Payment, Period
from funds.testing import books

pytestmark = pytest.mark.django_db

D = Decimal
GUARDED = {"JournalEntry", "JournalLine", "Payment"}
GUARDED_TABLES = ("funds_journalentry", "funds_journalline", "funds_payment")
DOOR = Path(settings.BASE_DIR) / "funds" / "ledger.py"


@pytest.fixture
def acc(district):
    return books(district.root)


def draft(acc, district, amount, *, credit=None, day=date(2026, 3, 1), **kw):
    return EntryDraft(
        date=day,
        description="批量",
        lines=[Line(acc["1002"], debit=D(amount)), Line(acc["3105"], credit=D(credit or amount))],
        organisation_id=district.root.pk,
        **kw,
    )


def test_bulk_posting_writes_every_entry_in_order(acc, district):
    ids = entries_post([draft(acc, district, f"{n}.01") for n in range(1, 31)])
    assert len(ids) == 30
    assert [JournalEntry.objects.get(pk=i).amount for i in ids] == [D(f"{n}.01") for n in range(1, 31)]
    assert JournalLine.objects.count() == 60


def test_one_unbalanced_entry_refuses_the_whole_batch(acc, district):
    batch = [draft(acc, district, "10"), draft(acc, district, "10"), draft(acc, district, "10", credit="9.99")]
    with pytest.raises(ValidationError, match="第 3 张凭证：借贷不平衡"):
        entries_post(batch)
    assert JournalEntry.objects.count() == JournalLine.objects.count() == 0


def test_a_closed_period_refuses_the_whole_batch(acc, district):
    services.entry_post(
        date=date(2026, 2, 3),
        description="二月",
        lines=[Line(acc["1002"], debit=D("1")), Line(acc["3105"], credit=D("1"))],
        organisation=district.root,
        prepared_by=None,
    )
    services.period_close(actor=district.user("finance"), period=Period.objects.get(code="2026-02"))
    batch = [draft(acc, district, "5", day=date(2026, 3, 1)), draft(acc, district, "5", day=date(2026, 2, 27))]
    with pytest.raises(ValidationError, match="2026-02 已结账"):
        entries_post(batch)
    assert JournalEntry.objects.count() == 1


def test_a_posted_entry_cannot_be_updated_through_or_beside_the_door(acc, district):
    (entry_id,) = entries_post([draft(acc, district, "7")])
    entry = JournalEntry.objects.get(pk=entry_id)
    entry.amount = D("8")
    with pytest.raises(ValidationError, match="不可修改"):
        entry.save()
    with pytest.raises(ValidationError, match="不可修改"):
        JournalEntry.objects.filter(pk=entry_id).update(amount=D("8"))
    with pytest.raises(ValidationError, match="不可修改"):
        JournalLine.objects.filter(entry_id=entry_id).update(debit=D("8"))
    # a second reversal of the same entry, even inside one batch, is refused
    with pytest.raises(ValidationError, match="冲销两次"):
        entries_post([draft(acc, district, "7", reversal_of_id=entry_id)] * 2)
    entries_post([draft(acc, district, "7", reversal_of_id=entry_id)])
    with pytest.raises(ValidationError, match="已被冲销过"):
        entries_post([draft(acc, district, "7", reversal_of_id=entry_id)])
    assert JournalEntry.objects.get(pk=entry_id).amount == D("7.00")


def test_empty_description_is_refused(acc, district):
    bad = EntryDraft(
        date=date(2026, 3, 1),
        description=" ",
        lines=[Line(acc["1002"], debit=D("1")), Line(acc["3105"], credit=D("1"))],
        organisation_id=district.root.pk,
    )
    with pytest.raises(ValidationError, match="摘要不能为空"):
        entries_post([draft(acc, district, "1"), bad])
    assert JournalEntry.objects.count() == 0


def _writers(path: Path) -> list[str]:
    """Places in ``path`` that create guarded rows or INSERT into their tables."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            # JournalEntry(...), Payment(...)
            if isinstance(func, ast.Name) and func.id in GUARDED:
                found.append(f"{path}:{node.lineno} {func.id}(...)")
            # JournalEntry.objects.create / bulk_create / get_or_create / update_or_create
            if (
                isinstance(func, ast.Attribute)
                and func.attr in {"create", "bulk_create", "get_or_create", "update_or_create"}
                and isinstance(func.value, ast.Attribute)
                and isinstance(func.value.value, ast.Name)
                and func.value.value.id in GUARDED
            ):
                found.append(f"{path}:{node.lineno} {func.value.value.id}.{func.value.attr}.{func.attr}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            if "insert" in text and any(t in text for t in GUARDED_TABLES):
                found.append(f"{path}:{node.lineno} raw INSERT")
    return found


def test_nothing_but_the_door_writes_entries_lines_or_payments(tmp_path):
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).parts
        if rel[0] in {".venv", "node_modules", "static"} or "tests" in rel or "migrations" in rel:
            continue
        if path == DOOR or rel[0] == "bench":
            continue
        offenders += _writers(path)
    assert offenders == []
    # the scan does see each kind of side door
    sample = tmp_path / "side_door.py"
    sample.write_text(
        "JournalEntry.objects.create(amount=1)\n"
        "Payment.objects.bulk_create([])\n"
        "JournalLine(entry=e)\n"
        'cursor.execute("INSERT INTO funds_journalline (debit) VALUES (1)")\n',
        encoding="utf-8",
    )
    assert len(_writers(sample)) == 4
    assert {m._meta.db_table for m in (JournalEntry, JournalLine, Payment)} == set(GUARDED_TABLES)


def test_a_large_batch_checks_every_foreign_key_once_and_refuses_a_missing_row(acc, district):
    """From SET_BASED_FK_FROM entries on PostgreSQL the per-row FK triggers are off for the COPY and
    the keys are checked set-based: a line pointing at no account still refuses the whole batch (on
    SQLite the ordinary constraint does the same)."""
    from django.db import IntegrityError, connection, transaction

    from funds import ledger

    n = ledger.SET_BASED_FK_FROM
    good = [draft(acc, district, "1.00") for _ in range(n)]
    assert len(entries_post(good)) == n and JournalLine.objects.count() == 2 * n
    ghost = type("Ghost", (), {"pk": 10**9})()
    bad = [*good[:-1], EntryDraft(**{**good[0].__dict__, "lines": [Line(ghost, debit=D(1)), good[0].lines[1]]})]
    with pytest.raises(IntegrityError), transaction.atomic():
        entries_post(bad)
        connection.check_constraints()  # SQLite defers FK checks to commit; make it check now
    assert JournalEntry.objects.count() == n and JournalLine.objects.count() == 2 * n
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"


# ``payout_post``: a cycle's payments written set-based, with the door's rules.
from funds.tests.test_engine import approver, make, reviewed  # noqa: E402, F401 (approver: a fixture)


def test_payout_writes_one_balanced_entry_and_payment_per_paid_entitlement(district, approver):  # noqa: F811
    programme = make(district, {"T-A-1": "100.25", "T-B-1": "0.00"})
    cycle = reviewed(district, programme)
    services.cycle_approve(actor=approver, cycle=cycle, on=date(2026, 6, 1))
    (payment,) = Payment.objects.select_related("entry", "entitlement")  # a zero amount is not paid
    entry = payment.entry
    assert payment.amount == entry.amount == payment.entitlement.approved_amount == D("100.25")
    assert entry.description == f"{programme.name} 2026 应付 {payment.beneficiary_name}"
    assert entry.source == f"cycle:{cycle.pk}:{payment.entitlement_id}"
    assert entry.date == date(2026, 6, 1) and entry.period.code == "2026-06"
    assert entry.organisation_id == payment.beneficiary_org_id == district.union_a.pk
    sides = list(entry.lines.order_by("id").values_list("account_id", "debit", "credit", "memo"))
    name = payment.beneficiary_name
    payable = services.payable_account().pk  # owed until the bank pays (docs/bank.md)
    assert sides == [(programme.fund_id, D("100.25"), D("0"), name), (payable, D("0"), D("100.25"), name)]
    assert payment.status == Payment.Status.APPROVED


def test_payout_into_a_closed_period_is_refused_and_writes_nothing(district, approver):  # noqa: F811
    cycle = reviewed(district, make(district, {"T-A-1": "100.00"}))
    Period.objects.create(code="2026-06", year=2026, month=6, status=Period.Status.CLOSED)
    before = JournalEntry.objects.count()  # the programme's funding
    with pytest.raises(ValidationError, match="已结账"):
        services.cycle_approve(actor=approver, cycle=cycle, on=date(2026, 6, 1))
    assert JournalEntry.objects.count() == before and Payment.objects.count() == 0
    cycle.refresh_from_db()
    assert cycle.state == cycle.State.REVIEWED


def _payout(cycle, **kw):
    from funds.ledger import Payout

    programme = cycle.programme
    fields = {
        "date": date(2026, 6, 1),
        "debit_account_id": programme.fund_id,
        "credit_account_id": programme.bank_id,
        "description_prefix": "测试 支付 ",
        "description_suffix": "",
        "organisation_id": programme.organisation_id,
        "programme_id": programme.pk,
        "period_key": cycle.period_key,
        "cycle_id": cycle.pk,
        "source_prefix": f"cycle:{cycle.pk}:",
        **kw,
    }
    return Payout(**fields)


def test_payout_pays_a_beneficiary_once_and_a_missing_account_refuses_the_whole_batch(district):
    """A second payout of the same rows is refused with nothing written; from SET_BASED_FK_FROM rows
    on PostgreSQL the foreign keys are checked set-based, so a fund that does not exist still refuses
    everything (on SQLite the ordinary constraint does)."""
    from django.db import IntegrityError, connection, transaction

    from funds import ledger
    from funds.models import Entitlement

    cycle = reviewed(district, make(district, {"T-A-1": "100.00"}))
    n = ledger.SET_BASED_FK_FROM
    Entitlement.objects.bulk_create(
        Entitlement(cycle=cycle, beneficiary_key=f"x:{i}", beneficiary_name=f"对象{i}", amount=1, approved_amount=1)
        for i in range(n)
    )
    rows = Entitlement.objects.filter(cycle=cycle, beneficiary_key__startswith="x:")
    entries, lines = JournalEntry.objects.count(), JournalLine.objects.count()  # the programme's funding
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.payout_post(_payout(cycle, debit_account_id=10**9), rows)
        connection.check_constraints()  # SQLite defers FK checks to commit; make it check now
    assert (JournalEntry.objects.count(), JournalLine.objects.count(), Payment.objects.count()) == (entries, lines, 0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"
    assert ledger.payout_post(_payout(cycle), rows) == (n, n * 100)
    assert JournalLine.objects.count() == lines + 2 * n and Payment.objects.count() == n
    with pytest.raises(ValidationError, match="只能支付一次"):
        ledger.payout_post(_payout(cycle), rows)
    assert JournalEntry.objects.count() == entries + n and Payment.objects.count() == n
