"""The events in the browser: the 经济技术部 officer creates a forklift competition co-organised with
区人保局, a worker registers on a phone, results are entered, the award appears on the member's record,
and the town officer sees the competition counted for its subtree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity
from activities.tests.browser_helpers import DESKTOP, PHONE, session, shot
from activities.tests.factories import held
from members.tests.factories import member
from orgs.models import Organisation
from orgs.services import organisation_create

pytestmark = pytest.mark.browser


def test_forklift_competition_from_creation_to_the_towns_figures(browser, live_server, browser_district, ui_login):
    d = browser_district
    renshe = organisation_create(
        actor=None, parent=d.root, code="T-G", name="区人保局", kind=Organisation.Kind.GOVERNMENT
    )
    worker = member(d.union_a, name="张伟").person
    worker.user = d.user("worker_a")
    worker.save()
    today = timezone.localdate()

    # 1. the 经济技术部 officer organises the competition for 仁和镇, co-organised with 区人保局
    econ = session(browser, ui_login, "econ", DESKTOP)
    econ.goto(f"{live_server.url}/activities/new/")
    econ.get_by_test_id("picker-search-organisation").fill("仁和镇")
    econ.get_by_test_id("result-T-A").click()
    econ.fill("input[name=title]", "仁和镇职工叉车技能大赛")
    econ.select_option("select[name=kind]", value="competition")
    econ.fill("input[name=skill]", "叉车")
    econ.fill("input[name=place]", "仁和镇职工之家")
    econ.fill("input[name=held_on]", (today + timedelta(days=10)).isoformat())
    econ.fill("input[name=capacity]", "30")
    econ.fill("input[name=registration_opens]", today.isoformat())
    econ.fill("input[name=registration_closes]", (today + timedelta(days=7)).isoformat())
    econ.get_by_label("区人保局").check()
    shot(econ, "event-create-1440")
    econ.get_by_role("button", name="创建").click()
    expect(econ.get_by_test_id("co-organisers")).to_have_text("区人保局")
    event = Activity.objects.get(title="仁和镇职工叉车技能大赛")
    assert list(event.co_organisers.all()) == [renshe]

    # 2. the worker registers on a phone
    phone = session(browser, ui_login, "worker_a", PHONE)
    phone.goto(f"{live_server.url}/portal/activities/")
    expect(phone.get_by_test_id("open-event")).to_contain_text("仁和镇职工叉车技能大赛")
    shot(phone, "portal-activities-390")
    phone.get_by_test_id("register").click()
    expect(phone.get_by_test_id("open-event")).to_contain_text("已报名")
    assert event.registrations.get().person == worker
    phone.context.close()

    # 3. the competition takes place; attendance, score and award are entered on its page
    held(event)
    econ.goto(f"{live_server.url}/activities/{event.pk}/")
    econ.get_by_label("张伟到场").check()
    econ.get_by_test_id("save-attendance").click()
    expect(econ.get_by_role("alert")).to_contain_text("已记录到场 1 人")
    econ.get_by_label("张伟成绩").fill("96.5")
    econ.get_by_test_id("save-results").click()
    expect(econ.get_by_role("alert")).to_contain_text("成绩已保存")
    expect(econ.locator("[data-label=名次]")).to_have_text("1")
    econ.get_by_label("张伟奖项").select_option(label="一等奖")
    econ.get_by_test_id("grant-awards").click()
    expect(econ.get_by_role("alert")).to_contain_text("已颁发 1 个奖项")
    expect(econ.get_by_test_id("registration-row")).to_contain_text("一等奖")
    shot(econ, "event-detail-1440")
    econ.get_by_role("button", name="报送上级工会审核").click()
    expect(econ.get_by_test_id("activity-state")).to_have_text("已报送待审核")
    econ.context.close()

    # 4. the union above (the district) reviews the report
    admin = session(browser, ui_login, "admin", DESKTOP)
    admin.goto(f"{live_server.url}/activities/{event.pk}/")
    admin.get_by_role("button", name="提交审核").click()
    expect(admin.get_by_test_id("activity-state")).to_have_text("审核通过")
    admin.context.close()

    # 5. the town officer: the award on the member's record, the competition in the town's figures
    town = session(browser, ui_login, "town_a", DESKTOP)
    town.goto(f"{live_server.url}/members/{worker.pk}/")
    expect(town.locator("body")).to_contain_text("仁和镇职工叉车技能大赛 一等奖（第 1 名）")
    start = (today - timedelta(days=30)).isoformat()
    town.goto(f"{live_server.url}/activities/figures/?root={d.town_a.pk}&start={start}&end={today.isoformat()}")
    expect(town.get_by_test_id("fig-events")).to_have_text("1")
    expect(town.get_by_test_id("fig-persons")).to_have_text("1")
    shot(town, "figures-1440")
    town.goto(f"{live_server.url}/activities/")
    expect(town.get_by_test_id("activity-table")).to_contain_text("仁和镇职工叉车技能大赛")
    shot(town, "activity-list-1440")
    town.context.close()

    small = session(browser, ui_login, "econ", PHONE)
    for url, name in (
        (f"/activities/{event.pk}/", "event-detail-390"),
        ("/activities/new/", "event-create-390"),
        (f"/activities/figures/?root={d.town_a.pk}&start={start}&end={today.isoformat()}", "figures-390"),
        ("/activities/", "activity-list-390"),
    ):
        small.goto(f"{live_server.url}{url}")
        shot(small, name)
        assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    small.context.close()
