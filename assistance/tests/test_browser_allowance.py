"""The monthly allowance in the browser: finance prepares the month's cycle, two approvers sign it,
the ledger pays, and the worker sees the payment on their phone."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from assistance.tests.factories import hardship_file
from conftest import BROWSER_LOCALE, make_user
from funds.models import Cycle, Payment
from funds.testing import fund_programme
from members.tests.factories import member
from orgs.roles import Role
from orgs.services import role_grant

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SHOTS = Path(os.environ.get("GONGHUI_SHOTS", "/tmp/gonghui-shots"))
CHAIN = [{"name": "财务复核", "role": Role.FINANCE}, {"name": "财务负责人审批", "role": Role.FINANCE}]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def allowance_district(browser_district):
    d = browser_district
    with override_settings(TASKS=IMMEDIATE):
        for name in ("finance2", "finance3"):
            d.users[name] = make_user(name)
            role_grant(actor=None, user=d.users[name], role=Role.FINANCE, organisation=d.root)
        worker = member(d.union_a, name="张伟", user=d.user("worker_a")).person
        file = hardship_file(
            worker,
            approved_on=date(2026, 1, 31),
            bank_name="北京农商银行顺义支行",
            bank_account_holder="张伟",
            bank_account="6221558800012345678",
        )
        fund_programme(
            district=d.root,
            plugin_key="assistance_allowance",
            fund_code="3104",
            code="SHBZ",
            period_type="monthly",
            params={"monthly_amount": "200.00", "arrears_months": 12},
            approval_chain=CHAIN,
        )
    d.file = file
    return d


def _page(browser, ui_login, username, device=DESKTOP):
    page = browser.new_context(**BROWSER_LOCALE, **device).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    ui_login(page, username)
    return page


def test_month_prepared_signed_twice_paid_and_seen_by_the_worker(browser, live_server, ui_login, allowance_district):
    d = allowance_district
    with override_settings(TASKS=IMMEDIATE):
        finance = _page(browser, ui_login, "finance")
        finance.goto(f"{live_server.url}/funds/programmes/SHBZ/")
        finance.fill("input[name=period_key]", "2026-02")
        finance.get_by_test_id("cycle-create").click()
        expect(finance.get_by_test_id("cycle-state")).to_have_text("已计算")
        expect(finance.get_by_test_id("entitlements")).to_contain_text(
            f"档案 {d.file.file_no}；2026-02 生活补助 200.00 元；合计 200.00 元"
        )
        finance.get_by_test_id("review").click()
        expect(finance.get_by_test_id("cycle-state")).to_have_text("已复核")
        expect(finance.get_by_test_id("approve")).to_have_count(0)  # who prepared never approves
        cycle_url = finance.url

        first = _page(browser, ui_login, "finance2")
        first.goto(cycle_url)
        first.get_by_test_id("approve").click()
        expect(first.get_by_test_id("signers")).to_contain_text("finance2")
        expect(first.get_by_test_id("cycle-state")).to_have_text("已复核")  # one of two steps signed
        assert not Payment.objects.exists()

        second = _page(browser, ui_login, "finance3")
        second.goto(cycle_url)
        second.get_by_test_id("approve").click()
        expect(second.get_by_test_id("cycle-state")).to_have_text(
            "已审批入账"
        )  # approved and on the books; the bank pays later
        assert Cycle.objects.get().state == Cycle.State.PAID
        second.get_by_test_id("plugin-link").click()
        expect(second.get_by_test_id("bank-list")).to_contain_text("6221 **** **** 5678")
        expect(second.get_by_test_id("bank-list")).not_to_contain_text("6221558800012345678")
        shot(second, "allowance-bank-list-1440")

        rights = _page(browser, ui_login, "rights")
        rights.goto(f"{live_server.url}/assistance/figures/?start=2026-01-01&end=2030-12-31")
        expect(rights.get_by_test_id("figure-group-allowance")).to_contain_text("200.00")
        shot(rights, "allowance-figures-1440")
        rights.get_by_test_id("figure-allowance-2").click()
        expect(rights.get_by_test_id("allowance-months")).to_contain_text("张伟")
        shot(rights, "allowance-months-1440")

        worker = _page(browser, ui_login, "worker_a", PHONE)
        worker.goto(f"{live_server.url}/assistance/my/allowance/")
        expect(worker.get_by_test_id("my-allowance-month")).to_contain_text("2026 年 2 月")
        expect(worker.get_by_test_id("my-allowance-month")).to_contain_text("200.00 元")
        expect(worker.get_by_test_id("my-allowance-total")).to_have_text("200.00 元")
        assert worker.evaluate("document.documentElement.scrollWidth") <= 390
        shot(worker, "allowance-worker-390")

        phone = _page(browser, ui_login, "rights", PHONE)
        phone.goto(f"{live_server.url}/assistance/figures/?start=2026-01-01&end=2030-12-31")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        shot(phone, "allowance-figures-390")
