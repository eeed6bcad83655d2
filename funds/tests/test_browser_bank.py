"""Issue 17 in the browser: finance exports a batch, imports the bank's answer with one failure,
corrects the account, asks to pay again, a second officer approves, the new payment is confirmed."""

from __future__ import annotations

import io
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from conftest import BROWSER_LOCALE, make_user
from core.system import system_actor
from funds import bank, selectors, services
from funds.models import Payment
from funds.testing import fund_programme
from funds.tests.plugin import KEY
from orgs.roles import Role
from orgs.services import role_grant

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("GH_SCREENSHOTS", "/tmp/gh_screens"))


@pytest.fixture
def bank_district(browser_district):
    d = browser_district
    d.users["finance2"] = make_user("finance2")
    role_grant(actor=None, user=d.users["finance2"], role=Role.FINANCE, organisation=d.root)
    programme = fund_programme(
        district=d.root,
        plugin_key=KEY,
        fund_code="3103",
        code="LHGH",
        params={"amounts": {"T-A-1": "1200.00", "T-B-1": "800.00"}},
        funding=Decimal("10000.00"),
    )
    finance = d.user("finance")
    cycle = services.cycle_create(actor=finance, programme=programme, period_key="2026")
    services.cycle_review(actor=finance, cycle=cycle)
    services.cycle_approve(actor=d.user("finance2"), cycle=cycle, on=date(2026, 6, 1))
    for org, holder in ((d.union_a, d.union_a.name), (d.union_b, "后沙峪错误户名")):
        acc = bank.payee_account_enter(
            actor=system_actor(),
            organisation=org,
            holder_name=holder,
            number=f"62220202001122{org.pk:05d}",
            bank_name="中国工商银行北京顺义支行",
            bank_code="102100000072",
            valid_from=date(2026, 1, 1),
            source="imported",
        )
        bank.payee_account_verify(actor=d.user("admin"), account=acc)
    d.programme = programme
    return d


def _page(browser, ui_login, username, width=1440):
    page = browser.new_context(
        **BROWSER_LOCALE, viewport={"width": width, "height": 900}, accept_downloads=True
    ).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    ui_login(page, username)
    return page


def _download_refs(page) -> dict[str, tuple[str, str]]:
    """The bank file's lines: holder name → (reference, amount)."""
    with page.expect_download() as info:
        page.get_by_test_id("bank-file").click()
    ws = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    return {r[2]: (r[1], f"{r[6]:.2f}") for r in rows if r[1]}


def _upload(page, tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("业务参考号,金额,处理结果,失败原因\n" + "\n".join(",".join(x) for x in lines), encoding="utf-8")
    page.locator("input[name=file]").set_input_files(str(path))
    page.get_by_test_id("result-upload").click()


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_batch_return_correct_reissue_confirm(browser, live_server, ui_login, bank_district, tmp_path):
    d = bank_district
    url = live_server.url
    finance = _page(browser, ui_login, "finance")
    finance.goto(f"{url}/funds/bank/batches/new/")
    finance.select_option("select[name=programme]", "LHGH")
    finance.get_by_test_id("batch-create").click()
    expect(finance.get_by_test_id("batch-state")).to_have_text("待发送")
    refs = _download_refs(finance)
    assert set(refs) == {d.union_a.name, "后沙峪错误户名"}
    finance.get_by_test_id("batch-send").click()
    expect(finance.get_by_test_id("batch-state")).to_have_text("已发送")
    ok, bad = refs[d.union_a.name], refs["后沙峪错误户名"]
    _upload(finance, tmp_path, "回单1.csv", [(ok[0], ok[1], "成功", ""), (bad[0], bad[1], "失败", "户名与账号不符")])
    expect(finance.get_by_test_id("rec-confirmed")).to_have_text("1 笔")
    expect(finance.get_by_test_id("rec-returned")).to_have_text("1 笔")
    expect(finance.get_by_test_id("rec-unanswered")).to_have_text("0 笔")
    _shoot(finance, "bank_batch_1440")

    # the returned payment is on the finance workbench
    finance.goto(f"{url}/")
    finance.get_by_test_id("todo-bank-returned").click()
    expect(finance.get_by_test_id("returned")).to_contain_text("户名与账号不符")
    _shoot(finance, "bank_returned_1440")
    finance.get_by_test_id("returned-open").first.click()
    returned_url = finance.url
    finance.get_by_test_id("correct-account").click()
    finance.fill("input[name=holder_name]", d.union_b.name)
    finance.fill("input[name=number]", "6222 0202 0099 8877 66")
    finance.fill("input[name=bank_name]", "中国工商银行北京顺义支行")
    finance.fill("input[name=bank_code]", "102100000072")
    finance.fill("input[name=valid_from]", "2026-06-02")
    finance.get_by_test_id("account-save").click()
    expect(finance.get_by_test_id("account-status")).to_have_text("待核验")
    expect(finance.get_by_test_id("verify")).to_have_count(0)  # who entered it never verifies it
    account_url = finance.url

    admin = _page(browser, ui_login, "admin")
    admin.goto(account_url)
    admin.get_by_test_id("verify").click()
    expect(admin.get_by_test_id("account-status")).to_have_text("已核验")

    finance.goto(returned_url)
    finance.get_by_test_id("reissue-request").click()
    expect(finance.get_by_test_id("reissue-state")).to_contain_text("待另一位财务人员审批")
    expect(finance.get_by_test_id("reissue-approve")).to_have_count(0)

    second = _page(browser, ui_login, "finance2")
    second.goto(returned_url)
    second.get_by_test_id("reissue-approve").click()
    expect(second.get_by_test_id("reissue-state")).to_contain_text("finance2 已审批")

    finance.goto(f"{url}/funds/bank/batches/new/")
    finance.select_option("select[name=programme]", "LHGH")
    finance.get_by_test_id("batch-create").click()
    refs = _download_refs(finance)
    assert list(refs) == [d.union_b.name]
    finance.get_by_test_id("batch-send").click()
    ((ref, amount),) = refs.values()
    _upload(finance, tmp_path, "回单2.csv", [(ref, amount, "成功", "")])
    expect(finance.get_by_test_id("rec-confirmed")).to_have_text("1 笔")
    expect(finance.get_by_test_id("batch-state")).to_have_text("已全部回单")

    # paid once each in total; the bank paid exactly what was confirmed
    confirmed = Payment.objects.filter(status=Payment.Status.CONFIRMED)
    assert sorted(confirmed.values_list("beneficiary_org__code", flat=True)) == ["T-A-1", "T-B-1"]
    assert selectors.account_balance(d.programme.bank) == Decimal("10000.00") - Decimal("2000.00")
    assert selectors.account_balance(services.payable_account()) == Decimal("0.00")

    phone = _page(browser, ui_login, "finance", width=390)
    phone.goto(finance.url)
    expect(phone.get_by_test_id("rec-confirmed")).to_have_text("1 笔")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    _shoot(phone, "bank_batch_390")
    phone.goto(f"{url}/funds/bank/accounts/")
    _shoot(phone, "bank_accounts_390")
    finance.goto(f"{url}/funds/bank/accounts/")
    _shoot(finance, "bank_accounts_1440")
