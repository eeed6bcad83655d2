"""In the browser: a worker answers a survey on a phone (a conditional question appears, the server
asks for it, the answer is taken once); the officer reads the results on a desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import BROWSER_LOCALE
from surveys.models import Invitation, PendingResponse, Response
from surveys.tests.factories import answer, satisfaction_survey, workers
from surveys.tests.screens import DESKTOP, PHONE, no_sideways_scroll, shot

pytestmark = pytest.mark.browser


def test_a_worker_answers_an_anonymous_survey_on_a_phone(browser, live_server, ui_login, browser_district):
    d = browser_district
    (worker,) = workers(d.union_b, 1, "phone")
    survey = satisfaction_survey(d, anonymous=True, title="西泗上村职工问卷")
    context = browser.new_context(**BROWSER_LOCALE, **PHONE)
    page = context.new_page()
    ui_login(page, worker.username)
    page.goto(f"{live_server.url}/portal/surveys/")
    page.get_by_test_id(f"survey-{survey.pk}").click()
    expect(page.get_by_test_id("anonymous-note")).to_be_visible()
    reason = page.get_by_test_id("question-3")
    expect(reason).to_be_hidden()  # shown only when question 1 is answered 否
    page.get_by_test_id("question-1").get_by_text("否", exact=True).click()
    expect(reason).to_be_visible()
    page.get_by_test_id("question-2").get_by_text("4", exact=True).click()
    page.get_by_test_id("question-5").get_by_text("技能培训").click()
    assert no_sideways_scroll(page)
    shot(page, "survey-answer-phone")
    page.get_by_test_id("submit").click()
    # the server asks for the question the condition showed, keeping what was chosen
    expect(page.get_by_test_id("error-3")).to_contain_text("为必答题")
    expect(page.get_by_test_id("question-1").locator("input[value=否]")).to_be_checked()
    reason.locator("textarea").fill("单位尚未与我签订")
    page.get_by_test_id("submit").click()
    expect(page.locator(".alert-success")).to_contain_text("感谢您的参与")
    expect(page.get_by_test_id(f"survey-{survey.pk}")).to_contain_text("已提交")
    shot(page, "survey-list-phone")
    assert Invitation.objects.get(survey=survey).answered
    assert PendingResponse.objects.filter(survey=survey).count() == 1 and not Response.objects.exists()
    # once only: the page now says so and offers no form
    page.get_by_test_id(f"survey-{survey.pk}").click()
    expect(page.get_by_test_id("already-answered")).to_be_visible()
    expect(page.get_by_test_id("submit")).to_have_count(0)
    context.close()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_officer_reads_the_results(browser, live_server, ui_login, browser_district, device):
    d = browser_district
    users = workers(d.union_b, 4, f"res{device}")
    survey = satisfaction_survey(d, title="满意度调查")
    for user, score in zip(users, [5, 4, 4, 2], strict=True):
        answer(survey, user, score=score)
    context = browser.new_context(**BROWSER_LOCALE, **(DESKTOP if device == "desktop" else PHONE))
    page = context.new_page()
    ui_login(page, "town_b")
    page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    expect(page.get_by_test_id("total-rate")).to_contain_text("4 / 4 人")
    expect(page.get_by_test_id("chart-2")).to_be_visible()
    expect(page.get_by_test_id("mean-2")).to_contain_text("平均 3.75")
    assert no_sideways_scroll(page)
    shot(page, f"survey-results-{device}")
    page.goto(f"{live_server.url}/surveys/")
    expect(page.get_by_test_id("survey-table")).to_contain_text("满意度调查")
    assert no_sideways_scroll(page)
    shot(page, f"survey-list-{device}")
    context.close()
