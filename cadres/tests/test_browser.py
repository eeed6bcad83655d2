"""What officers do on the cadres pages, in the browser, at 1440 px and 390 px."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadres.models import Attendance, InterviewScore
from cadres.tests.factories import cadre, post, side, training_class
from conftest import BROWSER_LOCALE

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/h13b_shots")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _session(browser, ui_login, username: str, device: dict):
    context = browser.new_context(**BROWSER_LOCALE, **device)
    page = context.new_page()
    ui_login(page, username)
    return page


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


def test_invite_the_untrained_in_one_click(browser, live_server, ui_login, browser_district):
    d = browser_district
    side(d, True, "甲")
    who = cadre(d, d.firm_a, "未训委员", user=d.user("worker_a"))
    post(d, d.firm_a, who, "committee")
    today = timezone.localdate()
    klass = training_class(d, d.town_a, "仁和镇轮训第 2 批", today + timedelta(days=10), today + timedelta(days=11),
                           mode="rotation", batch=2)  # fmt: skip
    for device, label in ((DESKTOP, "1440"), (PHONE, "390")):
        page = _session(browser, ui_login, "town_a", device)
        page.goto(f"{live_server.url}/cadres/training/coverage/?year={today.year}")
        expect(page.get_by_test_id("coverage-figures")).to_contain_text("未训")
        expect(page.get_by_test_id("coverage-table")).to_contain_text("未训委员")
        shot(page, f"cadres-coverage-{label}")
        _no_sideways_scroll(page)
        page.goto(f"{live_server.url}/cadres/training/{klass.pk}/?year={today.year}")
        shot(page, f"cadres-class-{label}")
        _no_sideways_scroll(page)
        if label == "1440":
            expect(page.get_by_test_id("to-invite")).to_contain_text("未训委员")
            page.get_by_test_id("invite-confirm").check()
            page.get_by_test_id("invite").click()
            expect(page.get_by_test_id("attendances")).to_contain_text("已邀请")
        else:
            expect(page.get_by_test_id("to-invite-count")).to_have_text("0")
        page.context.close()
    assert Attendance.objects.filter(training_class=klass, status="invited").count() == 1


def test_interviewer_scores_alone_on_a_phone(browser, live_server, ui_login, browser_district):
    from cadres import services
    from cadres.tests.test_recruitment import opened

    d = browser_district
    admin = d.user("admin")
    r = opened(d, d.town_a, interviewers=0)
    a = services.application_add(actor=admin, recruitment=r, name="张三", mobile="13800000001")
    services.interviewers_set(actor=admin, recruitment=r, interviewers=[d.user("social_a"), d.user("town_a")])
    services.applications_close(actor=admin, recruitment=r)
    services.eligibility_review(actor=admin, application=a, eligible=True)
    services.written_test_start(actor=admin, recruitment=r)
    services.written_score_record(actor=admin, application=a, score="75")
    services.interview_start(actor=admin, recruitment=r)
    services.interview_score_submit(actor=d.user("town_a"), application=a, score="81.5")
    page = _session(browser, ui_login, "social_a", PHONE)
    page.goto(f"{live_server.url}/cadres/recruitments/{r.pk}/score/")
    expect(page.get_by_test_id("score-sheets")).to_contain_text("提交本人评分后可见")
    expect(page.get_by_test_id("score-sheets")).not_to_contain_text("81.50")
    shot(page, "cadres-score-390")
    _no_sideways_scroll(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.fill("input[name=score]", "90")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("score-sheets")).to_contain_text("81.50")
    assert InterviewScore.objects.count() == 2
    page.context.close()
    desk = _session(browser, ui_login, "town_a", DESKTOP)
    desk.goto(f"{live_server.url}/cadres/recruitments/{r.pk}/")
    desk.once("dialog", lambda dialog: dialog.accept())
    desk.get_by_test_id("step-rank").click()
    expect(desk.get_by_test_id("applications")).to_contain_text("85.75")  # (81.5 + 90) / 2
    shot(desk, "cadres-recruitment-1440")
    desk.context.close()


LISTS = ["/cadres/", "/cadres/staffing/", "/cadres/social-workers/", "/cadres/training/", "/cadres/recruitments/",
         "/cadres/training/records/"]  # fmt: skip


def test_lists_fit_a_phone(browser, live_server, ui_login, browser_district):
    """Every cadres list, signed in once per device (one district for all of them)."""
    d = browser_district
    s = side(d, True, "甲")
    for device, label in ((DESKTOP, "1440"), (PHONE, "390")):
        page = _session(browser, ui_login, "admin", device)
        for path in LISTS:
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("body")).not_to_contain_text("Traceback")
            shot(page, f"cadres{path.replace('/', '-')}{label}")
            _no_sideways_scroll(page)
        if device is DESKTOP:
            page.goto(f"{live_server.url}/cadres/social-workers/{s['social_worker'].pk}/")
            shot(page, "cadres-worker-1440")
        page.context.close()
