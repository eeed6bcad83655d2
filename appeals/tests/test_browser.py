"""The whole loop in the browser: a worker on a phone, officers on a desktop."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from appeals import services
from appeals.models import Appeal
from appeals.tests.factories import make_appeal, make_person
from conftest import BROWSER_LOCALE

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def loop_district(browser_district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    d = browser_district
    make_person(d.union_a, user=d.user("worker_a"), name="张伟")
    services.liaison_assign(actor=d.user("rights"), organisation=d.union_a, liaison=d.user("social_a"))
    return d


def _session(browser, live_server, ui_login, username: str, device: dict):
    context = browser.new_context(**BROWSER_LOCALE, **device)
    page = context.new_page()
    ui_login(page, username)
    return page


def _handle_round(browser, live_server, ui_login, d, appeal_url: str, *, with_women: bool) -> None:
    officer = _session(browser, live_server, ui_login, "social_a", DESKTOP)
    officer.goto(appeal_url)
    officer.select_option("select[name=lead]", value=str(d.town_a.pk))
    if with_women:
        officer.select_option("select[name=co_handlers]", value=[str(d.women.pk)])
    officer.get_by_test_id("do-refer").click()
    expect(officer.get_by_test_id("state")).to_have_text("协调（转办中）")
    shot(officer, "appeals-referred")
    if with_women:
        women = _session(browser, live_server, ui_login, "women", DESKTOP)
        women.goto(appeal_url)
        women.get_by_test_id("accept-T-W").click()
        women.get_by_test_id("result-T-W").fill("妇联维权站已约谈企业，落实孕期保护")
        women.get_by_test_id("complete-T-W").click()
        expect(women.get_by_test_id("referrals")).to_contain_text("已办结")
        women.context.close()
    officer.goto(appeal_url)
    officer.get_by_test_id("accept-T-A").click()
    expect(officer.get_by_test_id("state")).to_have_text("处理（办理中）")
    officer.get_by_test_id("result-T-A").fill("镇总工会协调企业恢复原岗位")
    officer.get_by_test_id("complete-T-A").click()
    officer.fill("textarea[name=result]", "企业已恢复原岗位并补发差额")
    officer.get_by_test_id("do-feedback").click()
    expect(officer.get_by_test_id("state")).to_have_text("反馈（待评价）")
    officer.context.close()


def test_the_closed_loop(browser, live_server, loop_district, ui_login):
    d = loop_district
    # 1. the worker submits from a phone
    worker = _session(browser, live_server, ui_login, "worker_a", PHONE)
    worker.goto(f"{live_server.url}/portal/")
    worker.get_by_test_id("new-appeal").click()
    worker.select_option("select[name=category]", label="女职工权益")
    worker.fill("input[name=title]", "孕期被调到夜班")
    worker.fill("textarea[name=description]", "怀孕五个月，单位把我调到夜班岗位，工资也降了。")
    shot(worker, "portal-submit-phone")
    worker.get_by_test_id("submit").click()
    expect(worker.get_by_test_id("portal-state")).to_contain_text("联系")
    appeal = Appeal.objects.get(title="孕期被调到夜班")
    url = f"{live_server.url}/appeals/{appeal.pk}/"

    # 2. the liaison contacts the worker (desktop)
    liaison = _session(browser, live_server, ui_login, "social_a", DESKTOP)
    liaison.goto(url)
    liaison.fill("textarea[name=note]", "已电话联系张伟，约定明天面谈")
    liaison.get_by_test_id("do-contact").click()
    expect(liaison.get_by_test_id("state")).to_have_text("沟通（已联系）")
    liaison.context.close()

    # 3–5. referred to 仁和镇 (lead) and 区妇联 (co-handler), handled, fed back
    _handle_round(browser, live_server, ui_login, d, url, with_women=True)

    # 6. the worker rates 不满意: it reopens
    worker.reload()
    worker.get_by_test_id("rate-unsatisfied").click()
    worker.get_by_test_id("rate-comment").fill("只恢复了岗位，降的工资没补")
    worker.get_by_test_id("rate-submit").click()
    expect(worker.get_by_test_id("portal-state")).to_contain_text("协调")
    shot(worker, "portal-reopened-phone")

    rates = _session(browser, live_server, ui_login, "town_a", DESKTOP)
    rates.goto(f"{live_server.url}/appeals/rates/")
    total = rates.get_by_test_id("total-row")
    expect(total.get_by_test_id("satisfaction")).to_have_text("0.0%")
    expect(total.get_by_test_id("n-reopened")).to_have_text("1")

    # 7. resolved again and rated 满意
    _handle_round(browser, live_server, ui_login, d, url, with_women=False)
    worker.reload()
    worker.get_by_test_id("rate-satisfied").click()
    worker.get_by_test_id("rate-submit").click()
    expect(worker.get_by_test_id("portal-state")).to_contain_text("评价")
    shot(worker, "portal-rated-phone")

    # 8. the 仁和镇 rates page shows the change, and drills down to the request
    rates.reload()
    total = rates.get_by_test_id("total-row")
    expect(total.get_by_test_id("satisfaction")).to_have_text("100.0%")
    expect(total.get_by_test_id("n-reopened")).to_have_text("1")
    shot(rates, "appeals-rates-renhe")
    total.get_by_test_id("n-satisfied").click()
    expect(rates.get_by_test_id("list-count")).to_have_text("共 1 件诉求")
    expect(rates.get_by_role("link", name=appeal.number)).to_be_visible()

    # 9. the 妇联 officer cannot open a request that was not referred to 妇联
    other = make_appeal(d, title="食堂伙食差")
    women = _session(browser, live_server, ui_login, "women", DESKTOP)
    response = women.goto(f"{live_server.url}/appeals/{other.pk}/")
    assert response.status == 404
    women.goto(f"{live_server.url}/appeals/")
    expect(women.get_by_text("食堂伙食差")).to_have_count(0)
    expect(women.get_by_role("link", name=appeal.number)).to_be_visible()


def test_provisional_deadline_and_calendar_banner(browser, live_server, ui_login, loop_district, monkeypatch) -> None:
    """2027 not entered, late December: the officer sees 暂定 by the deadline and no banner; the calendar
    administrator sees the red banner, enters 2027, and the deadline is firm."""
    from datetime import date

    from django.core.cache import cache
    from django.utils import timezone

    from appeals.tests.factories import at
    from core.models import CalendarDay

    d = loop_district
    CalendarDay.objects.filter(date__year__gte=2027).delete()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 12, 28))
    cache.clear()
    appeal = make_appeal(d, code="skills", when=at(2026, 12, 28), title="技能培训名额")

    officer = _session(browser, live_server, ui_login, "rights", DESKTOP)
    officer.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    expect(officer.get_by_test_id("deadline-provisional")).to_have_text("暂定")
    expect(officer.get_by_test_id("calendar-warning")).to_have_count(0)
    shot(officer, "calendar-provisional-deadline")

    admin = _session(browser, live_server, ui_login, "admin", DESKTOP)
    admin.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    expect(admin.get_by_test_id("calendar-warning")).to_contain_text("2027")
    admin.get_by_test_id("calendar-warning").get_by_role("link").click()
    shot(admin, "calendar-page-2027-pending")
    admin.on("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="录入").click()
    expect(admin.locator(".alert-success")).to_contain_text("已重算暂定期限 1 件")
    officer.reload()
    expect(officer.get_by_test_id("deadline-provisional")).to_have_count(0)
