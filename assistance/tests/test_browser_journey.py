"""Issue 12's continuous browser test, one worker from application to payments: 张伟 applies in the
portal on a phone (390 px) and adds his daughter; 沙坨村 verifies, 仁和镇 reviews, the 帮扶中心
approves; the monthly cycle runs (``pay_allowance``, as scheduled) and finance signs it; 张伟 sees
the allowance; then, seriously ill, he applies for relief, which waits for a donation to the warmth
fund and is then paid. On no page does a whole ID number, household ID number or bank account show
to who lacks the permission (the worker sees their own masked too)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from assistance.models import AllowanceMonth, HardshipFile
from assistance.plugins.allowance import add_months, month_key
from assistance.tests.relief_helpers import IMMEDIATE, relief_programme
from assistance.tests.test_browser_files import DESKTOP, PHONE, _session, _step, apply_on_phone, file_district, shot
from assistance.tests.test_browser_relief import relief_waits_for_a_donation_then_is_paid
from funds.models import Cycle, Payment
from funds.testing import fund_programme
from members.fake import id_number as fake_id_number

pytestmark = pytest.mark.browser
__all__ = ["file_district"]  # the fixture, shared with test_browser_files
BANK = "6228480012345678901"
DAUGHTER_ID = fake_id_number(734501)


@pytest.fixture
def journey_district(file_district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = IMMEDIATE
    d = file_district
    with override_settings(TASKS=IMMEDIATE):
        fund_programme(
            district=d.root,
            plugin_key="assistance_allowance",
            fund_code="3104",
            code="SHBZ",
            period_type="monthly",
            params={"monthly_amount": "200.00", "arrears_months": 12},
        )
        relief_programme(d, funding=Decimal("1000.00"))  # the warmth fund holds 1,000 yuan
    return d


def _no_whole_numbers(page, *numbers: str) -> None:
    text = page.content()
    for number in numbers:
        assert number not in text, f"{page.url} shows a whole number"


def test_a_worker_from_application_to_allowance_and_relief(browser, live_server, ui_login, journey_district, tmp_path):
    d = journey_district

    # 1. the worker applies on a phone and adds his daughter to the household
    phone = _session(browser, ui_login, "worker_a", PHONE)
    apply_on_phone(phone, live_server, "本人患病，女儿上学", BANK)
    phone.get_by_test_id("add-household").click()
    phone.select_option("select[name=relation]", "child")
    phone.fill("input[name=name]", "张小雨")
    phone.fill("input[name=id_number]", DAUGHTER_ID)
    phone.select_option("select[name=occupation]", "student")
    phone.fill("input[name=workplace_or_school]", "顺义区第一中学")
    phone.get_by_test_id("submit").click()
    expect(phone.get_by_test_id("my-household")).to_contain_text("张小雨")
    expect(phone.get_by_test_id("my-income-per-head")).to_contain_text("家庭人口 2 人")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    file = HardshipFile.objects.get(person__user=d.user("worker_a"))
    worker_id = file.person.id_number
    _no_whole_numbers(phone, BANK, DAUGHTER_ID, worker_id)
    shot(phone, "journey-applied-390")

    # 2. three levels, each from its workbench queue (the centre's workbench at both widths first)
    for name, device in (("journey-workbench-1440", DESKTOP), ("journey-workbench-390", PHONE)):
        centre = _session(browser, ui_login, "rights", device)
        centre.goto(f"{live_server.url}/")
        expect(centre.locator("body")).to_contain_text("困难职工档案")
        assert centre.evaluate("document.documentElement.scrollWidth") <= device["viewport"]["width"]
        shot(centre, name)
        centre.context.close()
    _step(browser, ui_login, live_server, "assist_a", file, "verify", "经入户核实，情况属实", "journey-verified-1440")
    _step(
        browser, ui_login, live_server, "assist_town_a", file, "review", "同意，报区帮扶中心", "journey-reviewed-1440"
    )
    _step(browser, ui_login, live_server, "rights", file, "approve", "符合条件，批准建档", "journey-approved-1440")
    file.refresh_from_db()
    assert file.state == HardshipFile.State.ACTIVE and file.approved_on == timezone.localdate()

    # the union's officer and the member's chair see no whole number on the file pages
    officer = _session(browser, ui_login, "assist_a", DESKTOP)
    officer.goto(f"{live_server.url}/assistance/files/{file.pk}/")
    expect(officer.get_by_test_id("bank-account")).to_have_text("**** **** 8901")
    _no_whole_numbers(officer, BANK, DAUGHTER_ID, worker_id)
    officer.context.close()
    chair = _session(browser, ui_login, "chair_a", DESKTOP)
    chair.goto(f"{live_server.url}/assistance/status/")
    expect(chair.locator("body")).to_contain_text("在档")
    _no_whole_numbers(chair, BANK, DAUGHTER_ID, worker_id)
    assert chair.goto(f"{live_server.url}/assistance/files/{file.pk}/").status == 403  # status only
    chair.context.close()

    # 3. the monthly cycle for the month after approval runs as scheduled; finance signs it
    month = month_key(add_months(timezone.localdate().replace(day=1), 1))
    call_command("pay_allowance", month)
    cycle = Cycle.objects.get(programme__code="SHBZ", period_key=month)
    finance = _session(browser, ui_login, "finance", DESKTOP)
    finance.goto(f"{live_server.url}/funds/cycles/{cycle.pk}/")
    expect(finance.get_by_test_id("entitlements")).to_contain_text(f"档案 {file.file_no}")
    finance.get_by_test_id("review").click()
    finance.get_by_test_id("approve").click()
    expect(finance.get_by_test_id("cycle-state")).to_have_text(
        "已审批入账"
    )  # approved and on the books; the bank pays later
    finance.context.close()
    assert AllowanceMonth.objects.get(file=file).payment.amount == Decimal("200.00")

    # 4. the worker sees the payment, on the file page and in the allowance statement
    phone.goto(f"{live_server.url}/assistance/my/")
    expect(phone.get_by_test_id("my-file-state")).to_have_text("在档")
    expect(phone.get_by_test_id("my-payments")).to_contain_text("200.00 元")
    phone.get_by_test_id("link-allowance").click()
    year, mon = month.split("-")
    expect(phone.get_by_test_id("my-allowance-month")).to_contain_text(f"{int(year)} 年 {int(mon)} 月")
    expect(phone.get_by_test_id("my-allowance-total")).to_have_text("200.00 元")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _no_whole_numbers(phone, BANK, DAUGHTER_ID, worker_id)
    shot(phone, "journey-allowance-390")

    # 5. ill, he applies for relief: it waits for a donation to the warmth fund, then is paid
    application = relief_waits_for_a_donation_then_is_paid(browser, live_server, ui_login, tmp_path, phone)
    assert application.person_id == file.person_id
    assert set(Payment.objects.filter(beneficiary_person=file.person).values_list("amount", flat=True)) == {
        Decimal("200.00"),
        Decimal("8000.00"),
    }
    phone.goto(f"{live_server.url}/assistance/my/")
    _no_whole_numbers(phone, BANK, DAUGHTER_ID, worker_id)
    phone.context.close()
