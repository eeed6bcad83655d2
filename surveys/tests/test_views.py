from __future__ import annotations

import pytest

from orgs.roles import Perm
from orgs.testing import DETAIL, EXPORT, LIST, ScopedRoute, check_route, count_queries, load_budgets
from surveys.models import Question, Response, Survey
from surveys.tests.factories import answer, satisfaction_survey, workers

pytestmark = pytest.mark.django_db
BUDGETS = load_budgets(__file__)


def two_surveys(district):
    a = satisfaction_survey(district, organisation=district.union_a, actor_key="town_a", title="甲标记问卷")
    b = satisfaction_survey(district, organisation=district.union_b, actor_key="town_b", title="乙标记问卷")
    return a, b


@pytest.mark.parametrize(
    "route",
    [
        ScopedRoute("survey list", LIST, Perm.SURVEY_VIEW, lambda s: "/surveys/", lambda s: s.title),
        ScopedRoute("survey export", EXPORT, Perm.SURVEY_VIEW, lambda s: "/surveys/?export=xlsx", lambda s: s.title),
        ScopedRoute("survey", DETAIL, Perm.SURVEY_VIEW, lambda s: f"/surveys/{s.pk}/"),
        ScopedRoute("results export", DETAIL, Perm.SURVEY_VIEW, lambda s: f"/surveys/{s.pk}/export/"),
    ],
    ids=lambda r: r.name,
)
def test_scope_matrix(client, district, route):
    workers(district.union_a, 1, "sa")
    workers(district.union_b, 1, "sb")
    a, b = two_surveys(district)
    inside = {"admin": a, "org_dept": b, "town_a": a, "chair_a": a, "auditor": b, "finance": a, "worker_a": a}
    outside = {"town_a": b, "town_b": a, "chair_a": b}
    assert check_route(client, district, route, inside=inside, outside=outside) == []


def test_drawing_up_and_sending_through_the_pages(client, district):
    workers(district.union_b, 2, "p")
    client.force_login(district.user("town_b"))
    r = client.post(
        "/surveys/new/",
        {
            "organisation": district.union_b.pk,
            "title": "西泗上村职工问卷",
            "audience": "subtree",
            "closes_on": "2099-01-01",
        },
    )
    survey = Survey.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/surveys/{survey.pk}/"
    r = client.post(f"/surveys/{survey.pk}/send/", follow=True)
    assert "问卷还没有题目，不能发放" in r.content.decode()
    assert Survey.objects.get().state == Survey.State.DRAFT
    r = client.post(
        f"/surveys/{survey.pk}/questions/",
        {"kind": "single", "text": "是否签订劳动合同", "required": "on", "options": "是\n否"},
    )
    assert r.status_code == 302
    q1 = Question.objects.get()
    r = client.post(
        f"/surveys/{survey.pk}/questions/",
        {"kind": "text", "text": "原因", "condition_on": q1.pk, "condition_values": "也许"},
    )
    assert r.status_code == 200 and "显示条件的选项须取自第 1 题的选项" in r.content.decode()
    client.post(f"/surveys/{survey.pk}/send/")
    survey = Survey.objects.get()
    assert survey.state == Survey.State.OPEN and survey.invitations.count() == 2
    assert client.post(f"/surveys/{survey.pk}/delete/").status_code == 404
    # town A may not touch town B's survey
    client.force_login(district.user("town_a"))
    assert client.post(f"/surveys/{survey.pk}/close/").status_code == 404
    assert Survey.objects.get().state == Survey.State.OPEN


def test_a_worker_answers_in_the_portal_once(client, district):
    (worker,) = workers(district.union_b, 1, "portal")
    survey = satisfaction_survey(district)
    q = {x.position: x.pk for x in survey.questions.all()}
    client.force_login(worker)
    listing = client.get("/portal/surveys/")
    assert listing.status_code == 200 and survey.title in listing.content.decode()
    r = client.post(f"/portal/surveys/{survey.pk}/", {f"q{q[1]}": "否", f"q{q[2]}": "4"})
    assert r.status_code == 200 and "第 3 题“未签订的原因”为必答题" in r.content.decode()
    assert Response.objects.count() == 0
    r = client.post(f"/portal/surveys/{survey.pk}/", {f"q{q[1]}": "否", f"q{q[2]}": "4", f"q{q[3]}": "单位未提供"})
    assert r.status_code == 302
    r = client.post(f"/portal/surveys/{survey.pk}/", {f"q{q[1]}": "是", f"q{q[2]}": "1"})
    assert "您已提交此问卷" in r.content.decode() and Response.objects.count() == 1
    # a survey not sent to this worker: 404
    workers(district.union_a, 1, "elsewhere")
    other = satisfaction_survey(district, organisation=district.union_a, actor_key="town_a", title="别处")
    assert client.get(f"/portal/surveys/{other.pk}/").status_code == 404
    assert client.get(f"/portal/surveys/{10**30}/").status_code == 404


def test_results_page_shows_charts_and_small_anonymous_surveys_hide_them(client, district):
    users = workers(district.union_b, 3, "res")
    named = satisfaction_survey(district)
    for user, score in zip(users, [5, 4, 2], strict=True):
        answer(named, user, score=score)
    anonymous = satisfaction_survey(district, anonymous=True, title="匿名问卷")
    answer(anonymous, users[0])
    client.force_login(district.user("town_b"))
    body = client.get(f"/surveys/{named.pk}/").content.decode()
    assert 'data-testid="chart-2"' in body and "平均 3.67" in body and "3 / 3 人" in body
    body = client.get(f"/surveys/{anonymous.pk}/").content.decode()
    assert 'data-testid="results-hidden"' in body and 'data-testid="chart-2"' not in body
    r = client.get(f"/surveys/{named.pk}/export/")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("name", ["list", "detail", "portal_list", "portal_answer"])
def test_query_budget(client, district, name):
    users = workers(district.union_b, 6, "qb")
    survey = satisfaction_survey(district)
    for user in users[:5]:
        answer(survey, user, hours="3")
    urls = {
        "list": ("town_b", "/surveys/"),
        "detail": ("town_b", f"/surveys/{survey.pk}/"),
        "portal_list": (None, "/portal/surveys/"),
        "portal_answer": (None, f"/portal/surveys/{survey.pk}/"),
    }
    who, url = urls[name]
    client.force_login(district.user(who) if who else users[5])
    n, response = count_queries(client, url)
    assert response.status_code == 200
    assert n <= BUDGETS[name], f"{name}: {n} queries"


def test_the_api_lists_scoped_surveys_and_their_results(client, district):
    workers(district.union_a, 1, "apia")
    users = workers(district.union_b, 2, "apib")
    a, b = two_surveys(district)
    answer(b, users[0], score=5)
    client.force_login(district.user("town_b"))
    listed = client.get("/api/v1/surveys/").json()
    assert [s["title"] for s in listed["results"]] == ["乙标记问卷"] and listed["results"][0]["response_rate"] == "50.0"
    results = client.get(f"/api/v1/surveys/{b.pk}/results/").json()
    assert results["responses"] == 1 and results["questions"][1]["mean"] == "5.00"
    assert client.get(f"/api/v1/surveys/{a.pk}/results/").status_code == 404
