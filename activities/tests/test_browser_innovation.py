"""Innovation in the browser: a worker submits a 小革新 on a phone, the town officer (the union above)
grades it 二等 on the item's page, finance pays the cycle, and the town's counts show it rewarded."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from activities.innovation import InnovationItem
from activities.tests.innovation_helpers import CONTENT, IMMEDIATE, pay, reward_programmes, submit
from conftest import BROWSER_LOCALE
from members.tests.factories import member

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-h13")  # looked at while building; never committed
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _session(browser, ui_login, username: str, device: dict):
    page = browser.new_context(**BROWSER_LOCALE, **device).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    ui_login(page, username)
    return page


@override_settings(TASKS=IMMEDIATE)
def test_worker_submits_on_a_phone_and_the_town_grades(browser, live_server, browser_district, ui_login):
    d = browser_district
    reward_programmes(d)
    worker = member(d.union_a, name="张伟").person
    worker.user = d.user("worker_a")
    worker.save()
    submit(d, person=member(d.union_a, name="李师傅").person, title="分拣台可调高度小设计", kind="design")

    phone = _session(browser, ui_login, "worker_a", PHONE)
    phone.goto(f"{live_server.url}/portal/innovation/")
    phone.select_option("select[name=kind]", value="improvement")
    phone.fill("input[name=title]", "冷库门帘感应闭合")
    phone.fill("textarea[name=content]", CONTENT)
    phone.fill("input[name=benefit]", "每月节电约 300 度")
    phone.get_by_test_id("submit-innovation").click()
    expect(phone.get_by_test_id("my-innovation")).to_contain_text("冷库门帘感应闭合")
    expect(phone.get_by_test_id("my-innovation")).to_contain_text("待评审")
    shot(phone, "innovation-portal-390")
    item = InnovationItem.objects.get(title="冷库门帘感应闭合")

    town = _session(browser, ui_login, "town_a", DESKTOP)
    town.goto(f"{live_server.url}/activities/innovation/{item.pk}/")
    town.select_option("select[name=grade]", value="second")
    town.fill("textarea[name=opinion]", "节能效果明显，同意二等")
    town.click("[data-testid=grade-form] button[type=submit]")
    expect(town.get_by_test_id("item-grade")).to_contain_text("500.00 元")
    shot(town, "innovation-detail-1440")
    pay(d, InnovationItem.objects.get(pk=item.pk))
    town.goto(f"{live_server.url}/activities/innovation/?subtree={d.town_a.code}")
    counts = town.get_by_test_id("innovation-counts")
    expect(counts).to_contain_text("2 项")
    expect(counts).to_contain_text("500.00 元")
    shot(town, "innovation-list-1440")
    town.get_by_test_id("innovation-counts").get_by_text("1 项").first.click()
    expect(town.get_by_test_id("innovation-table")).to_contain_text("冷库门帘感应闭合")
    expect(town.get_by_test_id("innovation-table")).not_to_contain_text("分拣台可调高度小设计")
    narrow = _session(browser, ui_login, "town_a", PHONE)
    narrow.goto(f"{live_server.url}/activities/innovation/")
    shot(narrow, "innovation-list-390")
    narrow.goto(f"{live_server.url}/activities/innovation/{item.pk}/")
    shot(narrow, "innovation-detail-390")
    wide = _session(browser, ui_login, "worker_a", DESKTOP)
    wide.goto(f"{live_server.url}/portal/innovation/")
    shot(wide, "innovation-portal-1440")
