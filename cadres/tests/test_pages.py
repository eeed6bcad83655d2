"""Pages: the scope matrix for every route, query budgets, and what a person does on them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from appeals.models import LiaisonAssignment
from cadres import selectors
from cadres.models import Application, Attendance, InterviewScore, Post, Recruitment, TrainingClass
from cadres.tests.factories import cadre, post, side, training_class
from core.models import Notification
from orgs.roles import Perm
from orgs.testing import DETAIL, EXPORT, LIST, ScopedRoute, check_route, count_queries, load_budgets

pytestmark = pytest.mark.django_db
BUDGETS = load_budgets(__file__)


@pytest.fixture
def world(district):
    return {"A": side(district, True, "甲标记"), "B": side(district, False, "乙标记")}


def _url(name, key=None):
    return lambda obj: reverse(name, args=[obj.pk]) if key else reverse(name)


ROUTES = [
    ScopedRoute("posts", LIST, Perm.CADRE_VIEW, _url("cadres:posts"), lambda p: p.cadre.name),
    ScopedRoute("posts export", EXPORT, Perm.CADRE_VIEW, lambda _: "/cadres/?export=xlsx", lambda p: p.cadre.name),
    ScopedRoute("post", DETAIL, Perm.CADRE_VIEW, _url("cadres:post_end", 1), lambda p: p.cadre.name),
    ScopedRoute(
        "workers", LIST, Perm.CADRE_VIEW, _url("cadres:workers"), lambda p: p.cadre.name.replace("干部", "社工")
    ),
    ScopedRoute(
        "classes", LIST, Perm.CADRE_VIEW, _url("cadres:classes"), lambda p: p.cadre.name.replace("干部", "培训班")
    ),
    ScopedRoute("records", LIST, Perm.CADRE_VIEW, _url("cadres:records"), lambda p: p.cadre.name),
    ScopedRoute(
        "records export",
        EXPORT,
        Perm.CADRE_VIEW,
        lambda _: "/cadres/training/records/?export=xlsx",
        lambda p: p.cadre.name,
    ),
    ScopedRoute(
        "coverage", LIST, Perm.CADRE_VIEW, lambda _: "/cadres/training/coverage/?year=2026", lambda p: p.cadre.name
    ),
    ScopedRoute(
        "coverage export",
        EXPORT,
        Perm.CADRE_VIEW,
        lambda _: "/cadres/training/coverage/?year=2026&export=xlsx",
        lambda p: p.cadre.name,
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_scope_matrix(client, district, world, route):
    a, b = world["A"]["post"], world["B"]["post"]
    inside = {"admin": a, "org_dept": b, "town_a": a, "rights": b}
    outside = {"town_a": b, "town_b": a, "chair_a": b}
    if route.kind != DETAIL and route.name not in ("workers", "classes"):
        inside["chair_a"] = a
    assert check_route(client, district, route, inside=inside, outside=outside) == []


@pytest.mark.parametrize(
    "name, url",
    [
        ("posts", lambda w: reverse("cadres:posts")),
        ("staffing", lambda w: reverse("cadres:staffing")),
        ("workers", lambda w: reverse("cadres:workers")),
        ("worker_detail", lambda w: reverse("cadres:worker_detail", args=[w["social_worker"].pk])),
        ("recruitments", lambda w: reverse("cadres:recruitments")),
        ("recruitment_detail", lambda w: reverse("cadres:recruitment_detail", args=[w["recruitment"].pk])),
        ("classes", lambda w: reverse("cadres:classes")),
        ("class_detail", lambda w: reverse("cadres:class_detail", args=[w["training_class"].pk])),
        ("records", lambda w: reverse("cadres:records")),
        ("coverage", lambda w: reverse("cadres:coverage")),
    ],
)
def test_query_budget_does_not_grow(client, district, world, name, url):
    client.force_login(district.user("admin"))
    small, r1 = count_queries(client, url(world["A"]))
    assert r1.status_code == 200
    for i in range(6):  # more cadres, posts and attendances of town A
        who = cadre(district, district.firm_a, f"增{i}")
        post(district, district.firm_a, who, Post.Role.COMMITTEE)
        Attendance.objects.create(training_class=world["A"]["training_class"], cadre=who, organisation=district.firm_a)
    large, r2 = count_queries(client, url(world["A"]))
    assert r2.status_code == 200
    assert large <= BUDGETS[name], (name, large)
    assert large == small, (name, small, large)


def test_record_a_post_through_the_page_and_end_it(client, district):
    client.force_login(district.user("chair_a"))
    data = {
        "organisation": district.union_a.pk,
        "name": "新主席",
        "role": "chair",
        "selection": "elected",
        "term_start": "2026-01-01",
        "term_end": "2030-12-31",
        "started_on": "2026-02-01",
        "full_time": "on",
    }
    r = client.post("/cadres/", data)
    assert r.status_code == 302, r.context["side_form"].errors
    p = Post.objects.get()
    district.union_a.refresh_from_db()
    assert district.union_a.chair_name == "新主席" and district.union_a.chair_full_time
    r = client.post("/cadres/", {**data, "name": "第二主席"})
    assert r.status_code == 200 and "已有在任主席" in r.content.decode()
    r = client.post(reverse("cadres:post_end", args=[p.pk]), {"ended_on": "2026-05-01", "reason": ""})
    assert r.status_code == 200 and Post.objects.get().ended_on is None
    r = client.post(reverse("cadres:post_end", args=[p.pk]), {"ended_on": "2026-05-01", "reason": "调离"})
    assert r.status_code == 302 and Post.objects.get().ended_on == date(2026, 5, 1)
    client.force_login(district.user("town_b"))
    assert client.post(reverse("cadres:post_end", args=[p.pk]), {"reason": "x"}).status_code == 404


def test_staffing_lists_vacancies_and_part_time_chairs(client, district):
    post(district, district.town_a, cadre(district, district.town_a, "兼职镇主席"), Post.Role.CHAIR)
    client.force_login(district.user("admin"))
    text = client.get("/cadres/staffing/?problem=part_time").content.decode()
    assert "仁和镇总工会" in text and "后沙峪镇总工会" not in text
    text = client.get("/cadres/staffing/").content.decode()
    assert "后沙峪镇总工会" in text and "主席、经审委员" in text
    assert "筛选条件有误" in client.get("/cadres/staffing/?problem=nonsense").content.decode()


def test_recruitment_through_the_pages(client, district):
    client.force_login(district.user("town_a"))
    r = client.post(
        "/cadres/recruitments/",
        {
            "organisation": district.town_a.pk,
            "title": "仁和镇社工招聘",
            "positions": "1",
            "opened_on": "2026-03-01",
            "written_pass_mark": "60",
            "written_weight": "0.40",
            "notice_days": "5",
        },
    )
    assert r.status_code == 302
    rec = Recruitment.objects.get()
    url = reverse("cadres:recruitment_detail", args=[rec.pk])
    r = client.post(url, {"action": "rank"})
    assert "不能公布排名" in " ".join(m.message for m in r.wsgi_request._messages)
    client.post(url, {"action": "applicant", "name": "张三", "mobile": "13800000001", "applied_on": "2026-03-02"})
    client.post(url, {"action": "interviewers", "usernames": "social_a town_a"})
    assert set(rec.interviewers.values_list("username", flat=True)) == {"social_a", "town_a"}
    page = client.get(url).content.decode()
    assert "138****0001" in page and "13800000001" not in page
    a = Application.objects.get()
    client.post(url, {"action": "close"})
    client.post(url, {"action": "review", "application": a.pk, "eligible": "1"})
    client.post(url, {"action": "written"})
    client.post(url, {"action": "written_score", "application": a.pk, "score": "70"})
    client.post(url, {"action": "interview"})
    assert Recruitment.objects.get().state == Recruitment.State.INTERVIEW
    score_url = reverse("cadres:recruitment_score", args=[rec.pk])
    client.post(score_url, {"application": a.pk, "score": "80"})
    client.force_login(district.user("social_a"))
    page = client.get(score_url).content.decode()
    assert "提交本人评分后可见" in page and "80.00" not in page
    client.post(score_url, {"application": a.pk, "score": "90"})
    assert "80.00" in client.get(score_url).content.decode()
    assert client.post(score_url, {"application": "9" * 30, "score": "1"}).status_code == 200
    client.force_login(district.user("town_b"))
    assert client.get(score_url).status_code == 404
    assert InterviewScore.objects.count() == 2


def test_worker_assignment_through_the_page_makes_the_liaison(client, district, world):
    worker = world["A"]["social_worker"]
    client.force_login(district.user("admin"))
    url = reverse("cadres:worker_detail", args=[worker.pk])
    assignment = world["A"]["assignment"]
    r = client.post(
        url, {"action": "end_assignment", "assignment": assignment.pk, "ended_on": "2026-09-01", "reason": "调整"}
    )
    assert r.status_code == 302
    assert not LiaisonAssignment.objects.filter(organisation=district.union_a, ended_on__isnull=True).exists()
    r = client.post(url, {"action": "assign", "organisation": district.firm_a.pk, "started_on": "2026-09-02"})
    assert r.status_code == 302
    assert LiaisonAssignment.objects.get(organisation=district.firm_a, ended_on__isnull=True).liaison == worker.user
    r = client.post(url, {"action": "evaluate", "year": "2026", "result": "excellent"})
    assert "已有评价结果" in " ".join(m.message for m in r.wsgi_request._messages)
    assert client.post(url, {"action": "end_assignment", "assignment": "9" * 30}).status_code == 404


def test_invite_the_untrained_with_confirmation(client, district, world):
    who = cadre(district, district.firm_a, "未训干部", user=district.user("worker_a"))
    post(district, district.firm_a, who, Post.Role.COMMITTEE)
    klass = training_class(district, district.town_a, "仁和镇冬训", date(2027, 1, 4), date(2027, 1, 5))
    client.force_login(district.user("town_a"))
    url = reverse("cadres:class_detail", args=[klass.pk]) + "?year=2026"
    page = client.get(url).content.decode()
    assert "未训干部" in page and "甲标记干部（" not in page  # 甲标记干部 completed a class in 2026
    r = client.post(url, {"action": "invite", "year": "2026"})  # no confirmation: nothing happens
    assert not Attendance.objects.filter(training_class=klass).exists()
    r = client.post(url, {"action": "invite", "year": "2026", "confirm": "on"})
    assert r.status_code == 302
    client.post(url, {"action": "invite", "year": "2026", "confirm": "on"})
    assert list(Attendance.objects.filter(training_class=klass).values_list("cadre__name", "status")) == [
        ("未训干部", "invited")
    ]
    assert Notification.objects.filter(kind="training_invited").count() == 1
    assert TrainingClass.objects.count() == 3


def test_coverage_page_counts_and_filters(client, district, world):
    who = cadre(district, district.firm_a, "未训干部")
    post(district, district.firm_a, who, Post.Role.COMMITTEE)
    client.force_login(district.user("town_a"))
    r = client.get("/cadres/training/coverage/?year=2026&trained=false")
    text = r.content.decode()
    assert "未训干部" in text and "甲标记干部" not in text
    assert "应训 2 名，已训 1 名，未训" in text
    assert client.get("/cadres/training/coverage/?year=0").status_code == 200
    assert "筛选条件有误" in client.get("/cadres/training/coverage/?year=99999").content.decode()


def test_workbench_todos_count_and_link_to_their_rows(client, district):
    today = date(2026, 12, 2)
    post(district, district.town_a, cadre(district, district.town_a, "兼职镇主席"), Post.Role.CHAIR)
    who = cadre(district, district.union_a, "将届满")
    post(district, district.union_a, who, Post.Role.AUDIT, term_end=today + timedelta(days=30))
    counts = selectors.cadre_todos(district.user("town_a"), today=today)
    # town A, union A, firm A: none has both chair and 经审; 仁和镇 has a part-time chair and no vice
    assert counts == {"vacant": 3, "expiring": 1, "part_time": 1, "untrained": 1}
    client.force_login(district.user("town_a"))
    home = client.get("/").content.decode()
    assert 'data-testid="todo-cadres-vacant"' in home and "/cadres/staffing/?problem=vacant" in home
    assert "/cadres/training/coverage/?year=" in home
    staffing = client.get("/cadres/staffing/?problem=vacant")
    assert staffing.context["table"].paginator.count == 3
    assert client.get("/cadres/staffing/?problem=part_time").context["table"].paginator.count == 1
