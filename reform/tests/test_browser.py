"""In the browser: the timetable at desktop width (a Gantt chart) and on a phone (a list); a
responsible town reports progress with a file."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from conftest import BROWSER_LOCALE
from reform import services
from reform.models import ProgressReport
from reform.tests.factories import reform_plan
from surveys.tests.screens import DESKTOP, PHONE, no_sideways_scroll, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(browser_district):
    plan, a, _b = reform_plan(browser_district)
    planner = browser_district.user("org_dept")
    services.milestone_add(actor=planner, task=a, title="试点总结汇报会", due_on=date(2017, 10, 10))
    services.progress_report(actor=planner, task=a, reported_on=date(2017, 6, 1), percent=60, text="试点推进")
    return plan


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_timetable_roadmap_and_sheet(browser, live_server, ui_login, plan, device):
    context = browser.new_context(**BROWSER_LOCALE, **(DESKTOP if device == "desktop" else PHONE))
    page = context.new_page()
    ui_login(page, "org_dept")
    page.goto(f"{live_server.url}/reform/{plan.pk}/?view=timeline")
    if device == "desktop":
        expect(page.get_by_test_id("gantt")).to_be_visible()
        expect(page.get_by_test_id("gantt-row")).to_have_count(2)
        expect(page.get_by_test_id("timeline-list")).to_be_hidden()
    else:
        expect(page.get_by_test_id("gantt")).to_be_hidden()
        expect(page.get_by_test_id("timeline-list")).to_contain_text("试点总结汇报会")
    assert no_sideways_scroll(page)
    shot(page, f"reform-timeline-{device}")
    for view in ("roadmap", "sheet"):
        page.get_by_test_id(f"view-{view}").click()
        expect(page.get_by_test_id(view)).to_be_visible()
        assert no_sideways_scroll(page)
        shot(page, f"reform-{view}-{device}")
    page.get_by_test_id("report-link").click()
    expect(page.get_by_test_id("report-table")).to_contain_text("甲标记任务")
    assert no_sideways_scroll(page)
    shot(page, f"reform-report-{device}")
    context.close()


def test_the_responsible_town_reports_progress_with_a_file(
    browser, live_server, ui_login, plan, browser_district, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    task = plan.tasks.get(number="1")
    upload = tmp_path / "试点情况.pdf"
    upload.write_bytes(b"%PDF-1.4\n%%EOF\n")
    context = browser.new_context(**BROWSER_LOCALE, **DESKTOP)
    page = context.new_page()
    ui_login(page, "town_a")
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("todo-reform-overdue").click()
    expect(page.get_by_test_id("task-table")).to_contain_text("甲标记任务")
    page.goto(f"{live_server.url}/reform/tasks/{task.pk}/")
    page.fill("input[name=reported_on]", "2017-09-30")
    page.fill("input[name=percent]", "90")
    page.fill("textarea[name=text]", "6个联合工会补贴拨付到位")
    page.set_input_files("input[name=attachments]", str(upload))
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("reports")).to_contain_text("6个联合工会补贴拨付到位")
    expect(page.get_by_test_id("reports")).to_contain_text("试点情况.pdf")
    shot(page, "reform-task-desktop")
    assert ProgressReport.objects.filter(task=task).count() == 2
    context.close()
