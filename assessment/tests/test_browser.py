"""The district publishes the joint unions' assessment; 沙坨村's chair follows a score to its rows; the
joint-union subsidy cycle uses the published score band."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from assessment.tests.factories import joint_set, score_both, small_world
from conftest import BROWSER_LOCALE
from funds.testing import fund_programme

pytestmark = pytest.mark.browser
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}}
SHOTS = os.environ.get("GONGHUI_SCREENSHOTS")  # a folder under /tmp: pages to look at, never committed


@pytest.fixture(autouse=True)
def _immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):  # the subsidy cycle computes while the page waits
        yield


@pytest.fixture
def assessed_district(browser_district):
    d = browser_district
    small_world(d)
    s = joint_set(d)
    score_both(d, s, "80", "90")
    fund_programme(
        district=d.root,
        plugin_key="joint_union_subsidy",
        fund_code="3103",
        code="LHGH",
        period_type="quarterly",
        params={
            "member_rate": "20",
            "activity_rate": "500",
            "activity_cap": "6000",
            "assessment_base": "5000",
            "score_bands": [{"min_score": 90, "coefficient": "1.2"}, {"min_score": 70, "coefficient": "1.0"}],
        },
    )
    d.indicator_set = s
    return d


def _page(browser, ui_login, username, size=DESKTOP):
    page = browser.new_context(**BROWSER_LOCALE, **size).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    ui_login(page, username)
    return page


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_publish_follow_a_score_to_its_rows_and_the_subsidy_uses_it(browser, live_server, ui_login, assessed_district):
    d = assessed_district
    admin = _page(browser, ui_login, "admin")
    admin.goto(f"{live_server.url}/assessment/sets/{d.indicator_set.pk}/")
    _shot(admin, "set-1440")
    admin.get_by_test_id("compute").click()
    expect(admin.get_by_test_id("version-state")).to_have_text("已计算")
    expect(admin.get_by_test_id("review")).to_have_count(0)  # the one who computed does not review
    version_url = admin.url

    checker = _page(browser, ui_login, "org_dept")
    checker.goto(version_url)
    checker.get_by_test_id("review").click()
    expect(checker.get_by_test_id("version-state")).to_have_text("已审核")
    checker.get_by_test_id("publish").click()
    expect(checker.get_by_test_id("version-state")).to_have_text("已发布")
    expect(checker.get_by_test_id("version-results")).to_contain_text("沙坨村工会联合会")
    expect(checker.get_by_test_id("events")).to_contain_text("发布第 1 版")
    _shot(checker, "version-1440")

    chair = _page(browser, ui_login, "chair_a")
    chair.goto(f"{live_server.url}/assessment/")
    expect(chair.get_by_test_id("result-table")).not_to_contain_text("西泗上村")
    chair.get_by_role("link", name="沙坨村工会联合会").click()
    expect(chair.get_by_test_id("total")).to_have_text("75.00")
    expect(chair.get_by_test_id("grade")).to_have_text("良好")
    _shot(chair, "result-1440")
    chair.get_by_test_id("drill-1").click()  # 开展活动次数 → the three reported activities
    expect(chair.get_by_test_id("row-count")).to_have_text("计算时依据 3 条记录")
    rows = chair.get_by_test_id("line-rows")
    for title in ("活动1", "活动2", "活动3"):
        expect(rows).to_contain_text(title)
    expect(rows).not_to_contain_text("未报送")
    _shot(chair, "rows-1440")

    phone = _page(browser, ui_login, "chair_a", PHONE)
    phone.goto(chair.url)
    expect(phone.get_by_test_id("line-rows")).to_contain_text("活动1")
    _shot(phone, "rows-390")
    phone.goto(f"{live_server.url}/assessment/")
    _shot(phone, "results-390")
    phone.get_by_role("link", name="沙坨村工会联合会").click()
    expect(phone.get_by_test_id("total")).to_have_text("75.00")
    _shot(phone, "result-390")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    finance = _page(browser, ui_login, "finance")
    finance.goto(f"{live_server.url}/funds/programmes/LHGH/")
    finance.fill("input[name=period_key]", "2026-Q3")
    finance.get_by_test_id("cycle-create").click()
    expect(finance.get_by_test_id("cycle-state")).to_have_text("已计算")
    expect(finance.get_by_test_id("entitlements")).to_contain_text("已发布考核 75.00 分 → 系数 1.0")


def test_the_district_publishes_its_social_workers_and_a_worker_reads_their_score_on_a_phone(
    browser, live_server, ui_login, browser_district
):
    """Published in the pages, the workers' assessment becomes their yearly evaluation; 社工乙 reads
    their own score on a phone (and no colleague's); town B's officer follows 甲's requests to the one
    registered in town B."""
    from assessment.tests.test_social_workers import score, worker_set, workers_world

    d = browser_district
    world = workers_world(d)
    s = worker_set(d)
    score(d, s, world["jia"], ("80", "90"))
    score(d, s, world["yi"], ("70", "70"))
    reviewer = _page(browser, ui_login, "org_dept")
    reviewer.goto(f"{live_server.url}/assessment/indicators/{s.indicators.get(source='manual').pk}/score/")
    expect(reviewer.locator("select[name=social_worker]")).to_contain_text("社工乙（仁和镇总工会）")
    _shot(reviewer, "worker-score-1440")
    admin = _page(browser, ui_login, "admin")
    admin.goto(f"{live_server.url}/assessment/sets/{s.pk}/")
    _shot(admin, "worker-set-1440")
    admin.get_by_test_id("compute").click()
    expect(admin.get_by_test_id("version-state")).to_have_text("已计算")
    checker = _page(browser, ui_login, "org_dept")
    checker.goto(admin.url)
    checker.get_by_test_id("review").click()
    checker.get_by_test_id("publish").click()
    expect(checker.get_by_test_id("version-state")).to_have_text("已发布")
    expect(checker.get_by_test_id("events")).to_contain_text("写入 2 名社工年度评价")
    expect(checker.locator(".alert-success")).to_contain_text("结果冻结，已写入各社工的年度评价")
    expect(checker.get_by_test_id("version-results")).to_contain_text("社工甲")
    _shot(checker, "worker-version-1440")
    checker.goto(f"{live_server.url}/cadres/social-workers/{world['jia'].pk}/")
    expect(checker.get_by_test_id("evaluations")).to_contain_text("81.18")
    _shot(checker, "worker-cadres-page-1440")

    phone = _page(browser, ui_login, "sg_yi", PHONE)
    phone.goto(f"{live_server.url}/assessment/")
    expect(phone.get_by_test_id("result-table")).not_to_contain_text("社工甲")
    _shot(phone, "worker-results-390")
    phone.get_by_role("link", name="社工乙").click()
    expect(phone.get_by_test_id("total")).to_have_text("72.50")
    expect(phone.get_by_test_id("grade")).to_have_text("基本称职")
    expect(phone.get_by_test_id("evaluation-history")).to_contain_text("第 1 版")
    _shot(phone, "worker-result-390")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    town_b = _page(browser, ui_login, "town_b")
    town_b.goto(f"{live_server.url}/assessment/?kind=social_worker")
    expect(town_b.get_by_test_id("result-table")).not_to_contain_text("社工乙")
    r_jia = s.assessments.get().results.get(social_worker=world["jia"])
    town_b.goto(f"{live_server.url}/assessment/results/{r_jia.pk}/")
    _shot(town_b, "worker-result-1440")
    town_b.get_by_test_id("drill-1").click()
    expect(town_b.get_by_test_id("row-count")).to_contain_text("计算时依据 3 条记录，您可查看其中 1 条")
    _shot(town_b, "worker-rows-1440")
