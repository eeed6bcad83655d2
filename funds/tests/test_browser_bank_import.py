"""Issue 17 in the browser: finance imports payee accounts from a file; a bad row is shown in the
preview and nothing is written; the corrected file is confirmed and the accounts wait for the district."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import BROWSER_LOCALE
from funds.models import PayeeAccount

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("GH_SCREENSHOTS", "/tmp/gh_screens"))
HEAD = "组织编码,身份证号,档案编号,户名,账号,开户行,联行号,生效日期\n"


def _write(tmp_path: Path, name: str, lines: list[str]) -> str:
    path = tmp_path / name
    path.write_text(HEAD + "\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("width", [1440, 390])
def test_finance_imports_payee_accounts(browser, live_server, ui_login, browser_district, tmp_path, width):
    d = browser_district
    page = browser.new_context(**BROWSER_LOCALE, viewport={"width": width, "height": 900}).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    ui_login(page, "finance")
    page.goto(f"{live_server.url}/funds/bank/accounts/")
    page.get_by_test_id("account-import-link").click()
    a = f"{d.union_a.code},,,{d.union_a.name},6222 0202 0011 2233 445,中国工商银行北京顺义支行,102100000072,2026-01-01"
    b = f"{d.union_b.code},,,{d.union_b.name},6222-02,中国工商银行北京顺义支行,1021,2026-01-01"
    page.locator("input[name=file]").set_input_files(_write(tmp_path, "账户.csv", [a, b]))
    page.get_by_test_id("account-import-check").click()
    expect(page.get_by_test_id("account-import-bad")).to_contain_text("1 行有误")
    expect(page.get_by_test_id("account-import-preview")).to_contain_text("账号应为 8 至 30 位数字")
    expect(page.get_by_test_id("account-import-confirm")).to_have_count(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"bank_account_import_errors_{width}.png"), full_page=True)
    assert not PayeeAccount.objects.exists()
    b = f"{d.union_b.code},,,{d.union_b.name},6222020200112233556,中国工商银行北京顺义支行,102100000072,2026-01-01"
    page.locator("input[name=file]").set_input_files(_write(tmp_path, "账户2.csv", [a, b]))
    page.get_by_test_id("account-import-check").click()
    expect(page.get_by_test_id("account-import-preview")).to_contain_text("全部无误")
    page.screenshot(path=str(SHOTS / f"bank_account_import_ok_{width}.png"), full_page=True)
    assert not PayeeAccount.objects.exists()
    page.get_by_test_id("account-import-confirm").click()
    expect(page.locator("body")).to_contain_text("已导入 2 个收款账户")
    assert set(PayeeAccount.objects.values_list("status", "source")) == {("pending", "imported")}
    page.context.close()
