"""A hardship file in the browser: a worker applies in the portal on a phone, 沙坨村 verifies,
仁和镇 reviews, the 帮扶中心 approves, and the worker sees the file in force (issue 12, first half
of the browser test). Screenshots at 1440 and 390 px go to /tmp (looked at, never committed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from assistance.models import HardshipFile
from assistance.services import files as svc
from assistance.tests.factories import local_standard
from conftest import BROWSER_LOCALE
from members.tests.factories import member

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/h12a/shots")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def file_district(browser_district):
    d = browser_district
    local_standard(d)
    person = member(d.union_a, name="张伟").person
    person.user = d.user("worker_a")
    person.save()
    return d


def _session(browser, ui_login, username: str, device: dict):
    context = browser.new_context(**BROWSER_LOCALE, **device)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation before each step
    ui_login(page, username)
    return page


def _step(browser, ui_login, live_server, username: str, file: HardshipFile, action: str, opinion: str, name: str):
    page = _session(browser, ui_login, username, DESKTOP)
    page.goto(f"{live_server.url}/assistance/files/?todo={action}")
    page.get_by_role("link", name=file.file_no).first.click()
    page.get_by_test_id(f"opinion-{action}").fill(opinion)
    page.get_by_test_id(f"do-{action}").click()
    expect(page.locator(".alert-success")).to_be_visible()
    shot(page, name)
    page.context.close()


def apply_on_phone(phone, live_server, situation: str, bank_account: str) -> None:
    """worker_a, from the portal's home on a phone: the application (own income 1,200, rented, illness)."""
    phone.goto(f"{live_server.url}/portal/")
    phone.get_by_test_id("nav-assistance").click()
    phone.get_by_test_id("apply").click()
    phone.fill("input[name=own_income]", "1200")
    phone.select_option("select[name=housing]", "rented")
    phone.select_option("select[name=main_cause]", "illness")
    phone.fill("textarea[name=situation]", situation)
    phone.fill("input[name=bank_account]", bank_account)
    shot(phone, "portal-apply-390")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_test_id("submit").click()
    expect(phone.get_by_test_id("my-file-state")).to_have_text("待基层工会核实")


def test_worker_applies_on_a_phone_and_three_levels_approve(browser, live_server, ui_login, file_district):
    d = file_district
    phone = _session(browser, ui_login, "worker_a", PHONE)
    apply_on_phone(phone, live_server, "妻子患病，长期住院", "6228480012345678901")
    file = HardshipFile.objects.get(person__user=d.user("worker_a"))
    assert file.applied_in_portal and file.category == "deep"

    # 沙坨村's officer opens it from the workbench's link, verifies; the bank account stays masked
    _step(browser, ui_login, live_server, "assist_a", file, "verify", "经入户核实，情况属实", "file-verified-1440")
    _step(browser, ui_login, live_server, "assist_town_a", file, "review", "同意，报区帮扶中心", "file-reviewed-1440")
    _step(browser, ui_login, live_server, "rights", file, "approve", "符合条件，批准建档", "file-approved-1440")
    file.refresh_from_db()
    assert file.state == "active" and file.verifications.count() == 1

    officer = _session(browser, ui_login, "assist_a", DESKTOP)
    officer.goto(f"{live_server.url}/assistance/files/{file.pk}/")
    expect(officer.get_by_test_id("bank-account")).to_have_text("**** **** 8901")
    assert "6228480012345678901" not in officer.content()
    expect(officer.get_by_test_id("steps")).to_contain_text("符合条件，批准建档")
    officer.context.close()

    phone.reload()
    expect(phone.get_by_test_id("my-file-state")).to_have_text("在档")
    expect(phone.get_by_test_id("my-steps")).to_contain_text("经入户核实，情况属实")
    expect(phone.get_by_test_id("my-payments")).to_contain_text("尚无发放记录")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "portal-active-390")
    phone.context.close()


def test_the_file_pages_at_phone_width(browser, live_server, ui_login, file_district):
    d = file_district
    file = svc.file_apply(
        actor=d.user("rights"),
        person=member(d.union_a, name="李困难").person,
        data={"category": "deep", "main_cause": "illness", "housing": "owned", "bank_account": "6222020200112233"},
    )
    page = _session(browser, ui_login, "assist_a", PHONE)
    for name, url in (("file-list-390", "/assistance/files/"), ("file-detail-390", f"/assistance/files/{file.pk}/")):
        page.goto(live_server.url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        shot(page, name)
    page.context.close()
    page = _session(browser, ui_login, "rights", DESKTOP)
    page.goto(f"{live_server.url}/assistance/files/")
    shot(page, "file-list-1440")
    page.goto(f"{live_server.url}/assistance/standards/")
    shot(page, "standards-1440")
    page.context.close()
