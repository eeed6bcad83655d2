"""大病救助 in the browser: an ill worker applies on a phone (390 px), the union verifies, the
centre approves, the application waits for funds, a donation is registered, finance pays, and the
worker sees the payment."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assistance.models import ReliefApplication
from assistance.tests.relief_helpers import IMMEDIATE, PDF, relief_programme
from conftest import BROWSER_LOCALE
from funds.models import Payment
from members.tests.factories import member

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/h12c-shots")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _session(browser, ui_login, username: str, device: dict):
    context = browser.new_context(**BROWSER_LOCALE, **device)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before each step
    ui_login(page, username)
    return page


@pytest.fixture
def relief_district(browser_district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = IMMEDIATE
    d = browser_district
    person = member(d.union_a, name="李建国").person
    person.user = d.user("worker_a")
    person.save(update_fields=["user"])
    relief_programme(d, funding=Decimal("1000.00"))  # the warmth fund holds 1,000 yuan
    return d


def test_relief_waits_for_a_donation_then_is_paid(browser, live_server, relief_district, ui_login, tmp_path):
    worker = _session(browser, ui_login, "worker_a", PHONE)
    relief_waits_for_a_donation_then_is_paid(browser, live_server, ui_login, tmp_path, worker)
    worker.context.close()


def relief_waits_for_a_donation_then_is_paid(browser, live_server, ui_login, tmp_path, worker) -> ReliefApplication:
    """From ``worker``'s phone page (signed in as worker_a, the warmth fund holding 1,000 yuan): the
    application, the union's verification, the centre's approval that waits for funds, a donation,
    finance's payment, and the worker seeing it (also the issue's continuous test, test_browser_journey)."""
    proof = tmp_path / "诊断证明.pdf"
    proof.write_bytes(PDF)

    # 1. the worker applies on a phone
    worker.goto(f"{live_server.url}/assistance/my/relief/")
    worker.get_by_test_id("relief-new").click()
    worker.fill("input[name=illness]", "急性心肌梗死")
    worker.fill("input[name=hospital]", "首都医科大学附属北京朝阳医院")
    worker.fill("input[name=treatment_start]", (timezone.localdate() - timedelta(days=30)).isoformat())
    worker.fill("input[name=total_cost]", "100,000")
    worker.fill("input[name=basic_insurance]", "50000")
    worker.fill("input[name=serious_illness_insurance]", "20000")
    worker.fill("input[name=supplementary_insurance]", "4000")
    worker.set_input_files("input[name=documents]", str(proof))
    shot(worker, "relief-portal-form-390")
    assert worker.evaluate("document.documentElement.scrollWidth") <= 390
    worker.get_by_test_id("submit").click()
    expect(worker.get_by_test_id("state")).to_have_text("待基层工会核实")
    application = ReliefApplication.objects.get()
    assert application.out_of_pocket == Decimal("26000.00")
    url = f"{live_server.url}/assistance/relief/{application.pk}/"

    # 2. the union verifies
    union = _session(browser, ui_login, "assist_a", DESKTOP)
    union.goto(url)
    union.fill("textarea[name=opinion]", "经走访核实，情况属实")
    union.get_by_test_id("verify").click()
    expect(union.get_by_test_id("state")).to_have_text("待帮扶中心审批")
    union.context.close()

    # 3. the centre approves: 8,000 yuan, but the fund holds 1,000 — it waits, visibly
    centre = _session(browser, ui_login, "rights", DESKTOP)
    centre.goto(url)
    expect(centre.get_by_test_id("quote")).to_contain_text("8,000.00")
    centre.fill("textarea[name=opinion]", "同意救助")
    centre.get_by_test_id("approve").click()
    expect(centre.get_by_test_id("payment-status")).to_have_text("待资金")
    expect(centre.get_by_test_id("shortfall")).to_have_text("7,000.00")
    shot(centre, "relief-waiting-1440")
    centre.goto(f"{live_server.url}/assistance/relief/?payment=waiting")
    expect(centre.get_by_test_id("fund-position")).to_contain_text("尚缺 7,000.00 元")

    worker.reload()
    expect(worker.get_by_test_id("payment-status")).to_contain_text("资金到位后支付")

    # 4. finance registers a donation to the warmth fund: the application is released to payment
    finance = _session(browser, ui_login, "finance", DESKTOP)
    finance.goto(f"{live_server.url}/funds/donations/new/")
    finance.select_option("select[name=donor_kind]", value="unit")
    finance.fill("input[name=donor_name]", "北京顺鑫农业股份有限公司")
    finance.fill("input[name=amount]", "20000")
    finance.fill("input[name=received_on]", timezone.localdate().isoformat())
    finance.select_option("select[name=fund]", label="3105 顺义区职工专项温暖基金")
    finance.get_by_test_id("submit").click()
    shot(finance, "relief-donation-1440")
    expect(finance.locator("body")).to_contain_text("已登记捐赠")
    centre.goto(url)
    expect(centre.get_by_test_id("payment-status")).to_have_text("待财务审批支付")
    centre.context.close()
    application.refresh_from_db()
    finance.goto(f"{live_server.url}/funds/cycles/{application.cycle_id}/")
    finance.get_by_test_id("review").click()
    finance.get_by_test_id("approve").click()
    expect(finance.get_by_test_id("cycle-state")).to_have_text(
        "已审批入账"
    )  # approved and on the books; the bank pays later
    finance.context.close()

    # 5. the worker sees the payment
    worker.reload()
    expect(worker.get_by_test_id("payment")).to_contain_text("8,000.00")
    shot(worker, "relief-portal-paid-390")
    assert Payment.objects.get(cycle_id=application.cycle_id).amount == Decimal("8000.00")
    return application
