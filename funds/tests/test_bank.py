"""Money reaching the bank and coming back (issue 17): payee accounts, batches, the bank's answer,
reconciliation and re-issue, with the ledger after each step."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from openpyxl import load_workbook

from core.models import AuditEvent
from funds import bank, selectors, services
from funds.models import BankBatch, BatchLine, JournalEntry, PayeeAccount, Payment
from funds.testing import fund_programme
from funds.tests.plugin import KEY

pytestmark = pytest.mark.django_db
D = Decimal
S = Payment.Status
DAY = date(2026, 6, 1)


@pytest.fixture
def approver(district):
    from conftest import make_user
    from orgs.roles import Role
    from orgs.services import role_grant

    user = make_user("finance2")
    role_grant(actor=None, user=user, role=Role.FINANCE, organisation=district.root)
    return user


def approved_programme(district, approver, amounts=None):
    programme = fund_programme(
        district=district.root,
        plugin_key=KEY,
        fund_code="3103",
        code="TEST",
        params={"amounts": amounts or {"T-A-1": "100.00", "T-B-1": "250.50"}},
        funding=D("10000.00"),
    )
    finance = district.user("finance")
    cycle = services.cycle_create(actor=finance, programme=programme, period_key="2026")
    services.cycle_review(actor=finance, cycle=cycle)
    services.cycle_approve(actor=approver, cycle=cycle, on=DAY)
    return programme


def account(district, org, *, by="finance", number="6222020200112233445", verify=True, holder=None):
    acc = bank.payee_account_enter(
        actor=district.user(by),
        organisation=org,
        holder_name=holder or org.name,
        number=number,
        bank_name="中国工商银行北京顺义支行",
        bank_code="102100000072",
        valid_from=date(2026, 1, 1),
    )
    if verify:
        acc = bank.payee_account_verify(actor=district.user("admin"), account=acc)
    return acc


def result_csv(rows):
    lines = ["业务参考号,金额,处理结果,失败原因"] + [",".join(str(c) for c in r) for r in rows]
    return "\n".join(lines).encode("utf-8")


def line_of(batch, org):
    return batch.lines.get(payment__beneficiary_org=org)


def balances(programme):
    return (
        selectors.account_balance(programme.fund),
        selectors.account_balance(services.payable_account()),
        selectors.account_balance(programme.bank),
    )


def test_approval_posts_the_payable_not_the_bank(district, approver):
    programme = approved_programme(district, approver)
    fund, payable, bank_balance = balances(programme)
    assert fund == D("10000.00") - D("350.50")
    assert payable == D("350.50")  # approved, not yet paid
    assert bank_balance == D("10000.00")  # nothing left the bank
    assert set(Payment.objects.values_list("status", flat=True)) == {S.APPROVED}
    trial = selectors.trial_balance(district.user("finance"))
    payable_row = next(r for r in trial["rows"] if r["account"].code == "2202")
    assert payable_row["credit"] == D("350.50") and trial["balanced"]


def test_payee_without_verified_account_is_blocked_from_a_batch(district, approver):
    approved_programme(district, approver)
    account(district, district.union_a)
    account(district, district.union_b, verify=False)  # entered, not verified
    finance = district.user("finance")
    with pytest.raises(ValidationError, match=f"没有已核验的银行账户，不能编入银行批次：{district.union_b.name}"):
        bank.batch_create(actor=finance, payments=Payment.objects.all())
    assert not BankBatch.objects.exists() and not BatchLine.objects.exists()
    assert set(Payment.objects.values_list("status", flat=True)) == {S.APPROVED}
    # listed before approval of a batch
    from funds.bank_selectors import payees_without_account

    assert [p.beneficiary_org for p in payees_without_account(finance)] == [district.union_b]


def test_account_rules_four_eyes_masking_and_audit(district):
    chair = district.user("chair_a")
    acc = bank.payee_account_enter(
        actor=chair,
        organisation=district.union_a,
        holder_name="沙坨村工会",
        number="6222 0202 0011 2233 445",
        bank_name="工行顺义支行",
        bank_code="102100000072",
        valid_from=date(2026, 1, 1),
    )
    assert acc.number == "6222020200112233445" and acc.masked_number == "6222 **** **** 3445"
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM funds_payeeaccount WHERE id = %s", [acc.pk])
        stored = cursor.fetchone()[0]
    assert "2233445" not in stored  # encrypted at rest
    with pytest.raises(PermissionDenied):  # a town B officer cannot enter union A's account
        bank.payee_account_enter(
            actor=district.user("town_b"),
            organisation=district.union_a,
            holder_name="x",
            number="62220202001122334",
            bank_name="x",
            bank_code="102100000072",
            valid_from=date(2026, 1, 1),
        )
    with pytest.raises(PermissionDenied):  # the chair is no district verifier
        bank.payee_account_verify(actor=chair, account=acc)
    with pytest.raises(ValidationError, match="待核验"):
        account(district, district.union_a, by="chair_a", verify=False)
    with pytest.raises(ValidationError) as bad:
        bank.payee_account_enter(
            actor=chair,
            organisation=district.union_a,
            holder_name="",
            number="12ab",
            bank_name="",
            bank_code="1",
            valid_from=date(1, 1, 1),
        )
    assert set(bad.value.message_dict) == {"holder_name", "number", "bank_name", "bank_code", "valid_from"}
    admin = district.user("admin")
    bank.payee_account_verify(actor=admin, account=acc)
    # a new account supersedes the old once verified, which stays on record with its dates
    new = bank.payee_account_enter(
        actor=admin,
        organisation=district.union_a,
        holder_name="沙坨村工会",
        number="6217000010000000001",
        bank_name="建行顺义支行",
        bank_code="105100000017",
        valid_from=date(2026, 7, 1),
    )
    with pytest.raises(ValidationError, match="核验人不能是录入人"):
        bank.payee_account_verify(actor=admin, account=new)
    bank.payee_account_verify(actor=district.user("finance"), account=new)
    acc.refresh_from_db()
    assert acc.status == PayeeAccount.Status.SUPERSEDED and acc.valid_to is not None
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.PII_VIEW).count()
    assert bank.payee_account_full_number(actor=district.user("finance"), account=new) == "6217000010000000001"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PII_VIEW).count() == before + 1
    with pytest.raises(PermissionDenied):
        bank.payee_account_full_number(actor=district.user("auditor"), account=new)


def test_batch_sent_partly_returned_reissued_and_confirmed_paid_once(district, approver):
    programme = approved_programme(district, approver)
    finance, admin = district.user("finance"), district.user("admin")
    account(district, district.union_a)
    wrong = account(district, district.union_b, holder="错误户名")
    batch = bank.batch_create(actor=finance, payments=Payment.objects.all())
    assert batch.count == 2 and batch.total == D("350.50") and len(batch.checksum) == 16
    assert set(Payment.objects.values_list("status", flat=True)) == {S.BATCHED}
    # the bank file: batch number, whole account numbers (the only place), totals row, checksum
    path = bank.batch_file(actor=finance, batch=batch)
    ws = load_workbook(path).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert cells[0][1] == batch.number and cells[0][7] == batch.checksum
    assert cells[2][:4] == ["序号", "业务参考号", "收款人户名", "收款人账号"]
    assert "6222020200112233445" in [r[3] for r in cells[3:5]]
    assert cells[5][0] == "合计 2 笔" and cells[5][6] == 350.5
    # the same payment in a second open batch: refused by the service and by the database
    with pytest.raises(ValidationError):
        bank.batch_create(actor=finance, payments=Payment.objects.all())
    with pytest.raises(IntegrityError), transaction.atomic():
        other = BankBatch.objects.create(
            number="X", bank_account=programme.bank, organisation=district.root, created_by=finance
        )
        first = batch.lines.first()
        BatchLine.objects.create(
            batch=other, payment=first.payment, seq=1, reference="X-1", amount=first.amount, account=first.account
        )
    bank.batch_send(actor=finance, batch=batch)
    with pytest.raises(ValidationError, match="锁定"):
        bank.batch_cancel(actor=finance, batch=batch)
    a, b = line_of(batch, district.union_a), line_of(batch, district.union_b)
    report = bank.result_import(
        actor=finance,
        batch=batch,
        content=result_csv([(a.reference, "100.00", "成功", ""), (b.reference, "250.50", "失败", "户名与账号不符")]),
        filename="回单.csv",
        on=DAY,
    )
    assert (report.confirmed, report.returned, report.problems) == (1, 1, [])
    paid_a = a.payment
    paid_a.refresh_from_db()
    returned = Payment.objects.get(beneficiary_org=district.union_b)
    assert paid_a.status == S.CONFIRMED and returned.status == S.RETURNED
    assert returned.return_reason == "户名与账号不符"
    # the ledger: A's payable paid from the bank; B's approval reversed visibly with the reason
    fund, payable, bank_balance = balances(programme)
    assert (fund, payable, bank_balance) == (D("10000.00") - D("100.00"), D("0.00"), D("10000.00") - D("100.00"))
    reversal = JournalEntry.objects.get(reversal_of=returned.entry)
    assert "户名与账号不符" in reversal.description and reversal == returned.settle_entry
    rec = bank.reconciliation(BankBatch.objects.get(pk=batch.pk))
    assert rec.sent == (2, D("350.50")) and rec.confirmed == (1, D("100.00")) and rec.returned == (1, D("250.50"))
    assert rec.unanswered == (0, D("0.00"))
    assert BankBatch.objects.get(pk=batch.pk).state == BankBatch.State.RECONCILED
    # re-issue needs a corrected, verified account
    with pytest.raises(ValidationError, match="更正收款账户"):
        bank.reissue_request(actor=finance, payment=returned)
    corrected = bank.payee_account_enter(
        actor=finance,
        organisation=district.union_b,
        holder_name="仁和镇某工会",
        number="6222020200999988887",
        bank_name="工行顺义支行",
        bank_code="102100000072",
        valid_from=date(2026, 6, 2),
    )
    bank.payee_account_verify(actor=admin, account=corrected)
    wrong.refresh_from_db()
    assert wrong.status == PayeeAccount.Status.SUPERSEDED
    request = bank.reissue_request(actor=finance, payment=returned)
    with pytest.raises(ValidationError, match="审批人不能是申请重新支付或更正收款账户的人员"):
        bank.reissue_approve(actor=finance, reissue=request)  # who corrected the account (and asked)
    again = bank.reissue_approve(actor=approver, reissue=request, on=DAY)
    assert again.reissue_of == returned and again.status == S.APPROVED and again.amount == D("250.50")
    assert balances(programme)[1] == D("250.50")  # owed again
    with pytest.raises(ValidationError, match="已申请过"):
        bank.reissue_request(actor=finance, payment=returned)
    second = bank.batch_create(actor=finance, payments=Payment.objects.filter(pk=again.pk))
    assert second.lines.get().account == corrected
    bank.batch_send(actor=finance, batch=second)
    ref = second.lines.get().reference
    bank.result_import(
        actor=finance, batch=second, content=result_csv([(ref, "250.50", "成功", "")]), filename="r.csv", on=DAY
    )
    again.refresh_from_db()
    assert again.status == S.CONFIRMED
    # paid once in total per programme and period: the confirmed payments
    confirmed = Payment.objects.filter(status=S.CONFIRMED)
    assert sorted(confirmed.values_list("beneficiary_key", flat=True)) == sorted(
        [f"org:{district.union_a.pk}", f"org:{district.union_b.pk}"]
    )
    fund, payable, bank_balance = balances(programme)
    assert (fund, payable, bank_balance) == (D("10000.00") - D("350.50"), D("0.00"), D("10000.00") - D("350.50"))
    assert selectors.account_balance(programme.bank) == D("10000.00") - sum(p.amount for p in confirmed)
    # a second live payment for the same programme/period/beneficiary: the database refuses it
    with pytest.raises(ValidationError, match="未退回的支付"):
        from funds.ledger import reissue_post

        reissue_post(
            Payment.objects.get(pk=returned.pk),
            day=DAY,
            payable_account_id=services.payable_account().pk,
            actor_id=finance.pk,
            approver_id=approver.pk,
        )


def test_result_file_problems_reported_and_nothing_applied_for_them(district, approver):
    approved_programme(district, approver, {"T-A-1": "100.00", "T-B-1": "250.50", "T-A-2": "30.00"})
    finance = district.user("finance")
    for org in (district.union_a, district.union_b, district.firm_a):
        account(district, org)
    batch = bank.batch_create(actor=finance, payments=Payment.objects.all())
    bank.batch_send(actor=finance, batch=batch)
    a, b, c = (line_of(batch, o) for o in (district.union_a, district.union_b, district.firm_a))
    report = bank.result_import(
        actor=finance,
        batch=batch,
        content=result_csv(
            [
                ("YH20990101-99999-00001", "10.00", "成功", ""),  # unknown reference
                (a.reference, "99.00", "成功", ""),  # wrong amount
                (b.reference, "250.50", "成功", ""),  # answered twice in the file
                (b.reference, "250.50", "失败", "账户已销户"),
                (c.reference, "30.00", "成功", ""),  # the one good line
            ]
        ),
        filename="回单.csv",
        on=DAY,
    )
    kinds = sorted(p["kind"] for p in report.problems)
    assert kinds == ["amount", "duplicate", "duplicate", "unknown"]
    assert report.confirmed == 1 and report.returned == 0
    assert "99.00 元与批次金额 100.00 元不符" in next(p["message"] for p in report.problems if p["kind"] == "amount")
    statuses = dict(Payment.objects.values_list("beneficiary_org__code", "status"))
    assert statuses == {"T-A-1": S.SENT, "T-B-1": S.SENT, "T-A-2": S.CONFIRMED}
    # answered again in a later file: reported, not applied twice
    report = bank.result_import(
        actor=finance, batch=batch, content=result_csv([(c.reference, "30.00", "失败", "x")]), filename="r2.csv", on=DAY
    )
    assert [p["kind"] for p in report.problems] == ["answered"] and report.returned == 0
    assert Payment.objects.get(beneficiary_org=district.firm_a).status == S.CONFIRMED
    # a wrong file: a clear Chinese message, nothing changed
    with pytest.raises(ValidationError, match="只支持"):
        bank.result_import(actor=finance, batch=batch, content=b"\x00\x01", filename="x.pdf")
    assert batch.imports.count() == 2


def test_who_may_act(district, approver):
    approved_programme(district, approver)
    account(district, district.union_a)
    account(district, district.union_b)
    for who in ("auditor", "chair_a", "town_a"):
        with pytest.raises(PermissionDenied):
            bank.batch_create(actor=district.user(who), payments=Payment.objects.all())
    from core.system import system_actor

    with pytest.raises(PermissionDenied):
        bank.batch_create(actor=system_actor(), payments=Payment.objects.all())
    batch = bank.batch_create(actor=district.user("finance"), payments=Payment.objects.all())
    bank.batch_cancel(actor=district.user("finance"), batch=batch)
    assert set(Payment.objects.values_list("status", flat=True)) == {S.APPROVED}
    assert not BatchLine.objects.filter(active=True).exists()
    again = bank.batch_create(actor=district.user("finance"), payments=Payment.objects.all())  # free again
    assert again.count == 2


def test_a_worker_without_a_hardship_file_has_an_account_entered_by_finance_only(district):
    """A relief applicant is paid without a hardship file: finance enters the account, the district
    verifies it (not the same person); nobody else may enter it."""
    from members.tests.factories import PersonFactory

    person = PersonFactory(organisation=district.union_a)
    fields = {
        "person": person,
        "holder_name": person.name,
        "number": "6217 0000 1000 0000 002",
        "bank_name": "中国邮政储蓄银行顺义支行",
        "bank_code": "403100000004",
        "valid_from": date(2026, 1, 1),
    }
    for key in ("chair_a", "assist_a", "town_b", "worker_a"):
        with pytest.raises(PermissionDenied, match="没有为该职工登记收款账户的权限"):
            bank.payee_account_enter(actor=district.user(key), **fields)
    assert not PayeeAccount.objects.exists()
    acc = bank.payee_account_enter(actor=district.user("finance"), **fields)
    assert (acc.owner_key, acc.file, acc.number) == (f"person:{person.pk}", None, "6217000010000000002")
    with pytest.raises(ValidationError, match="核验人不能是录入人"):
        bank.payee_account_verify(actor=district.user("finance"), account=acc)
    with pytest.raises(PermissionDenied):
        bank.payee_account_verify(actor=district.user("town_a"), account=acc)
    acc = bank.payee_account_verify(actor=district.user("admin"), account=acc)
    assert acc.status == PayeeAccount.Status.VERIFIED
    assert bank.verified_accounts([acc.owner_key]) == {acc.owner_key: acc}
