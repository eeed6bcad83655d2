"""The bank pages (issue 17): the whole story through the pages, the reconciliation page matching the
ledger, and attackers (a neighbouring town, an auditor, a chair, 30-digit ids, a wrong file)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from core.models import AuditEvent
from funds import bank, selectors, services
from funds.models import BankBatch, PayeeAccount, Payment
from funds.tests.test_bank import (
    account,
    approved_programme,
    approver,  # noqa: F401 (a fixture)
    result_csv,
)

pytestmark = pytest.mark.django_db
D = Decimal
S = Payment.Status


def by_testid(html: str, name: str) -> str:
    m = re.search(rf'data-testid="{name}"[^>]*>(.*?)<', html, re.S)
    assert m, name
    return m.group(1).strip()


def test_the_story_through_the_pages(client, district, approver):  # noqa: F811
    programme = approved_programme(district, approver)
    finance, admin = district.user("finance"), district.user("admin")
    account(district, district.union_a)
    client.force_login(finance)
    # union B has no verified account: listed, and kept out of the batch
    html = client.get("/funds/bank/accounts/missing/").content.decode()
    assert district.union_b.name in html and district.union_a.name not in html
    r = client.post("/funds/bank/batches/new/", {"programme": programme.code, "period": "", "note": ""})
    batch = BankBatch.objects.get()
    assert r.status_code == 302 and batch.count == 1
    # union B's account entered by its chair through the page, verified by the district
    client.force_login(district.user("chair_a"))
    assert client.get(f"/funds/bank/accounts/new/org/{district.union_b.pk}/").status_code == 404  # not their union
    client.force_login(finance)
    r = client.post(
        f"/funds/bank/accounts/new/org/{district.union_b.pk}/",
        {
            "holder_name": "错误户名",
            "number": "6222 0202 0011 2233 999",
            "bank_name": "工行",
            "bank_code": "102100000072",
            "valid_from": "2026-01-01",
        },
    )
    acc_b = PayeeAccount.objects.get(organisation=district.union_b)
    assert r.status_code == 302 and acc_b.status == PayeeAccount.Status.PENDING
    html = client.get(f"/funds/bank/accounts/{acc_b.pk}/").content.decode()
    assert 'data-testid="verify"' not in html  # the enterer never verifies
    assert "6222 **** **** 3999" in html and "6222020200112233999" not in html
    client.post(f"/funds/bank/accounts/{acc_b.pk}/", {"action": "full"})
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PII_VIEW, object_id=str(acc_b.pk)).count() == 1
    client.force_login(admin)
    client.post(f"/funds/bank/accounts/{acc_b.pk}/verify/", {"decision": "approve"})
    acc_b.refresh_from_db()
    assert acc_b.status == PayeeAccount.Status.VERIFIED
    client.force_login(finance)
    client.post(f"/funds/bank/batches/{batch.pk}/cancel/")
    client.post("/funds/bank/batches/new/", {"programme": programme.code, "period": "2026", "note": ""})
    batch = BankBatch.objects.exclude(state=BankBatch.State.CANCELLED).get()
    assert batch.count == 2
    # the bank file; the list export masks the numbers
    response = client.get(f"/funds/bank/batches/{batch.pk}/file/")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "6222020200112233999" in [c.value for c in ws["D"]]
    export = client.get(f"/funds/bank/batches/{batch.pk}/?export=xlsx")
    assert export.status_code == 200
    listed = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert all("2233999" not in str(c.value) for row in listed.iter_rows() for c in row)
    client.post(f"/funds/bank/batches/{batch.pk}/send/")
    a = batch.lines.get(payment__beneficiary_org=district.union_a)
    b = batch.lines.get(payment__beneficiary_org=district.union_b)
    upload = SimpleUploadedFile(
        "回单.csv", result_csv([(a.reference, "100.00", "成功", ""), (b.reference, "250.50", "失败", "户名不符")])
    )
    client.post(f"/funds/bank/batches/{batch.pk}/result/", {"file": upload})
    html = client.get(f"/funds/bank/batches/{batch.pk}/").content.decode()
    assert by_testid(html, "rec-sent") == "2 笔" and by_testid(html, "rec-confirmed") == "1 笔"
    assert by_testid(html, "rec-returned") == "1 笔" and by_testid(html, "rec-unanswered") == "0 笔"
    # the page matches the ledger: the bank paid exactly the confirmed 100.00
    assert selectors.account_balance(programme.bank) == D("10000.00") - D("100.00")
    assert selectors.account_balance(services.payable_account()) == D("0.00")
    returned = Payment.objects.get(status=S.RETURNED)
    html = client.get("/funds/bank/returned/").content.decode()
    assert district.union_b.name in html and "户名不符" in html
    html = client.get("/").content.decode()
    assert 'data-testid="todo-bank-returned"' in html
    # correct, request, approve by the second officer
    client.post(
        f"/funds/bank/accounts/new/org/{district.union_b.pk}/",
        {
            "holder_name": "后沙峪工会",
            "number": "6222020200112230000",
            "bank_name": "工行",
            "bank_code": "102100000072",
            "valid_from": "2026-06-02",
        },
    )
    client.force_login(admin)
    client.post(
        f"/funds/bank/accounts/{PayeeAccount.objects.get(status='pending').pk}/verify/", {"decision": "approve"}
    )
    client.force_login(finance)
    client.post(f"/funds/bank/returned/{returned.pk}/request/")
    html = client.get(f"/funds/bank/returned/{returned.pk}/").content.decode()
    assert 'data-testid="reissue-approve"' not in html  # who corrected and asked never approves
    client.post(f"/funds/bank/returned/{returned.pk}/approve/")
    assert not Payment.objects.filter(reissue_of=returned).exists()
    client.force_login(approver)
    client.post(f"/funds/bank/returned/{returned.pk}/approve/")
    again = Payment.objects.get(reissue_of=returned)
    assert again.status == S.APPROVED


def test_attackers(client, district, approver):  # noqa: F811
    approved_programme(district, approver)
    account(district, district.union_a)
    account(district, district.union_b)
    batch = bank.batch_create(actor=district.user("finance"), payments=Payment.objects.all())
    acc = PayeeAccount.objects.get(organisation=district.union_a)
    pages = [
        f"/funds/bank/batches/{batch.pk}/",
        f"/funds/bank/batches/{batch.pk}/file/",
        f"/funds/bank/accounts/{acc.pk}/",
    ]
    # town B sees neither union A's account nor the district's batch
    client.force_login(district.user("town_b"))
    for url in pages:
        assert client.get(url).status_code in (403, 404), url
    # the auditor reads, never changes
    client.force_login(district.user("auditor"))
    assert client.get(pages[0]).status_code == 200
    for url in (f"/funds/bank/batches/{batch.pk}/send/", f"/funds/bank/accounts/{acc.pk}/verify/"):
        assert client.post(url).status_code == 403
    assert client.get(pages[1]).status_code == 403
    html = client.get(pages[2]).content.decode()
    assert 'data-testid="show-full"' not in html
    client.post(pages[2], {"action": "full"})
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PII_VIEW).exists()
    # 30-digit ids, unknown actions, wrong files, nonsense dates
    client.force_login(district.user("finance"))
    big = "9" * 30
    for url in (
        f"/funds/bank/batches/{big}/",
        f"/funds/bank/accounts/{big}/",
        f"/funds/bank/returned/{big}/",
        f"/funds/bank/accounts/new/org/{big}/",
        "/funds/bank/accounts/new/nothing/1/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/funds/bank/batches/{batch.pk}/explode/").status_code == 404
    bank.batch_send(actor=district.user("finance"), batch=batch)
    r = client.post(
        f"/funds/bank/batches/{batch.pk}/result/", {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")}, follow=True
    )
    assert "只支持" in r.content.decode()
    r = client.post(
        f"/funds/bank/batches/{batch.pk}/result/",
        {"file": SimpleUploadedFile("r.csv", result_csv([(batch.lines.first().reference, "NaN", "成功", "")]))},
        follow=True,
    )
    assert "金额无效" in r.content.decode()
    assert set(Payment.objects.values_list("status", flat=True)) == {S.SENT}
    r = client.post(
        f"/funds/bank/accounts/new/org/{district.union_a.pk}/",
        {"holder_name": "x", "number": "1", "bank_name": "x", "bank_code": "1", "valid_from": "0000-01-01"},
    )
    assert r.status_code == 200 and "启用日期" in r.content.decode()
    assert PayeeAccount.objects.count() == 2
    for url in (
        "/funds/bank/batches/",
        "/funds/bank/accounts/",
        "/funds/bank/accounts/missing/",
        "/funds/bank/returned/",
    ):
        assert client.get(url, {"state": "bogus", "status": "x", "page": "NaN", "sort": "hack"}).status_code == 200, url
        assert client.get(url, {"export": "xlsx"}).status_code == 200, url
    assert client.get("/funds/bank/batches/new/", {"programme": "'; DROP"}).status_code == 200


def test_bank_pages_cost_the_same_queries_at_any_size(client, district, approver):  # noqa: F811
    """Each bank page's queries do not grow with its rows (budgets in query_counts.json)."""
    from funds.models import Cycle
    from funds.tests.test_pages import BANK_PAGES
    from orgs.testing import count_queries, load_budgets

    budgets = load_budgets(__file__)
    programme = approved_programme(district, approver)
    account(district, district.union_a)
    account(district, district.union_b)
    client.force_login(district.user("finance"))
    counts: dict[str, list[int]] = {}
    for round_ in range(2):
        batch = bank.batch_create(actor=district.user("finance"), payments=Payment.objects.filter(status=S.APPROVED))
        urls = {
            "bank_batches": "/funds/bank/batches/",
            "bank_batch_detail": f"/funds/bank/batches/{batch.pk}/",
            "bank_accounts": "/funds/bank/accounts/",
            "bank_missing": "/funds/bank/accounts/missing/",
            "bank_returned": "/funds/bank/returned/",
            "api_bank_batches": "/api/v1/funds/bank-batches/",
            "api_payee_accounts": "/api/v1/funds/payee-accounts/",
        }
        for key, url in urls.items():
            n, response = count_queries(client, url)
            assert response.status_code == 200, key
            counts.setdefault(key, []).append(n)
        bank.batch_cancel(actor=district.user("finance"), batch=batch)
        # more of everything for the second round: another period paid, accounts renewed
        finance = district.user("finance")
        cycle = services.cycle_create(actor=finance, programme=programme, period_key=str(2027 + round_))
        services.cycle_review(actor=finance, cycle=cycle)
        assert services.cycle_approve(actor=approver, cycle=cycle).state == Cycle.State.PAID
        account(district, district.union_a, number=f"62170000{round_}0000000001")
    assert set(counts) == BANK_PAGES
    for key, (first, second) in counts.items():
        assert first == second <= budgets[key], (key, first, second)


def test_a_chair_enters_their_unions_account(client, district):
    client.force_login(district.user("chair_a"))
    html = client.get("/funds/bank/accounts/").content.decode()
    url = f"/funds/bank/accounts/new/org/{district.union_a.pk}/"
    assert f'href="{url}"' in html
    r = client.post(
        url,
        {
            "holder_name": "沙坨村工会",
            "number": "6222020200112233445",
            "bank_name": "工行",
            "bank_code": "102100000072",
            "valid_from": "2026-01-01",
        },
    )
    acc = PayeeAccount.objects.get()
    assert (
        r.status_code == 302
        and acc.entered_by == district.user("chair_a")
        and acc.status == PayeeAccount.Status.PENDING
    )
    assert "6222 **** **** 3445" in client.get(f"/funds/bank/accounts/{acc.pk}/").content.decode()


def test_the_cycle_page_lists_payees_without_a_verified_account_before_approval(client, district):
    from funds.models import Cycle
    from funds.testing import fund_programme
    from funds.tests.plugin import KEY

    programme = fund_programme(
        district=district.root,
        plugin_key=KEY,
        fund_code="3103",
        code="PRE",
        params={"amounts": {"T-A-1": "100.00", "T-B-1": "250.50"}},
    )
    account(district, district.union_a)
    cycle = services.cycle_create(actor=district.user("finance"), programme=programme, period_key="2026")
    assert cycle.state == Cycle.State.COMPUTED
    client.force_login(district.user("finance"))
    html = client.get(f"/funds/cycles/{cycle.pk}/").content.decode()
    warning = by_testid(html, "without-account")
    assert district.union_b.name in warning and district.union_a.name not in warning
