from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orgs.roles import Perm
from orgs.testing import DETAIL, EXPORT, LIST, ScopedRoute, check_route, count_queries, load_budgets
from reform import services
from reform.models import Plan, ProgressReport, Task
from reform.tests.factories import reform_plan, town_plans

pytestmark = pytest.mark.django_db
BUDGETS = load_budgets(__file__)

INSIDE = {"admin": "A", "org_dept": "B", "town_a": "A", "chair_a": "A", "auditor": "A", "rights": "B", "finance": "A"}
OUTSIDE = {"town_a": "B", "town_b": "A", "chair_a": "B"}


@pytest.mark.parametrize(
    "route",
    [
        ScopedRoute("plan list", LIST, Perm.REFORM_VIEW, lambda t: "/reform/", lambda t: t.plan.title),
        ScopedRoute("plan export", EXPORT, Perm.REFORM_VIEW, lambda t: "/reform/?export=xlsx", lambda t: t.plan.title),
        ScopedRoute("task sheet", LIST, Perm.REFORM_VIEW, lambda t: "/reform/tasks/", lambda t: t.title),
        ScopedRoute("task export", EXPORT, Perm.REFORM_VIEW, lambda t: "/reform/tasks/?export=xlsx", lambda t: t.title),
        ScopedRoute("plan", DETAIL, Perm.REFORM_VIEW, lambda t: f"/reform/{t.plan_id}/"),
        ScopedRoute("timetable", DETAIL, Perm.REFORM_VIEW, lambda t: f"/reform/{t.plan_id}/?view=timeline"),
        ScopedRoute("report", DETAIL, Perm.REFORM_VIEW, lambda t: f"/reform/{t.plan_id}/report/?on=2017-06-01"),
        ScopedRoute("task", DETAIL, Perm.REFORM_VIEW, lambda t: f"/reform/tasks/{t.pk}/"),
    ],
    ids=lambda r: r.name,
)
def test_scope_matrix(client, district, route):
    a, b = town_plans(district)
    rows = {"A": a, "B": b}
    inside = {k: rows[v] for k, v in INSIDE.items()}
    outside = {k: rows[v] for k, v in OUTSIDE.items()}
    assert check_route(client, district, route, inside=inside, outside=outside) == []


def test_every_view_of_a_plan_renders(client, district):
    plan, a, _ = reform_plan(district)
    services.milestone_add(actor=district.user("org_dept"), task=a, title="节点甲", due_on=date(2017, 9, 1))
    client.force_login(district.user("org_dept"))
    for view, marker in (("roadmap", "调研谋划"), ("sheet", "杨洋"), ("timeline", "gantt-row")):
        r = client.get(f"/reform/{plan.pk}/?view={view}")
        assert r.status_code == 200 and marker in r.content.decode(), view
    assert "节点：节点甲" in client.get(f"/reform/{plan.pk}/?view=timeline").content.decode()


def test_drawing_up_through_the_pages(client, district, login):
    login(district.user("org_dept"))
    r = client.post(
        "/reform/new/",
        {"organisation": district.root.pk, "title": "联合会经费保障试点方案", "kind": "pilot", "year": "2017",
         "starts_on": "2017-04-01", "ends_on": "2017-12-31"},
    )  # fmt: skip
    plan = Plan.objects.get()
    assert r.status_code == 302 and plan.kind == "pilot"
    r = client.post(
        f"/reform/{plan.pk}/tasks/",
        {"number": "1", "title": "选定试点", "responsible_org": district.town_b.pk, "starts_on": "2017-04-01",
         "due_on": "2017-05-01", "pilot_sites": [district.union_b.pk]},
    )  # fmt: skip
    assert r.status_code == 302 and Task.objects.get().pilot_sites.get() == district.union_b
    r = client.post(
        f"/reform/{plan.pk}/tasks/",
        {"number": "2", "title": "越界", "responsible_org": district.town_b.pk, "starts_on": "2017-06-01",
         "due_on": "2017-05-01"},
    )  # fmt: skip
    assert r.status_code == 200 and "结束日期不能早于开始日期" in r.content.decode() and Task.objects.count() == 1


def test_reporting_progress_with_a_file_and_downloading_it(client, district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _, a, b = reform_plan(district)
    client.force_login(district.user("town_a"))
    upload = SimpleUploadedFile("进展.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    r = client.post(
        f"/reform/tasks/{a.pk}/reports/",
        {"reported_on": "2017-05-01", "percent": "40", "text": "已摸底", "attachments": upload},
    )
    assert r.status_code == 302
    attachment = ProgressReport.objects.get().attachments.get()
    r = client.get(f"/reform/tasks/{a.pk}/attachments/{attachment.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    # town A cannot report on town B's task, nor fetch its files through another task's URL
    r = client.post(f"/reform/tasks/{b.pk}/reports/", {"reported_on": "2017-08-01", "percent": "10", "text": "越权"})
    assert r.status_code == 404 and ProgressReport.objects.count() == 1
    client.force_login(district.user("town_b"))
    assert client.get(f"/reform/tasks/{b.pk}/attachments/{attachment.pk}/").status_code == 404


def test_the_report_for_a_date_exports_and_refuses_bad_dates(client, district):
    plan, a, _ = reform_plan(district)
    services.progress_report(
        actor=district.user("town_a"), task=a, reported_on=date(2017, 5, 1), percent=30, text="调研"
    )
    client.force_login(district.user("org_dept"))
    r = client.get(f"/reform/{plan.pk}/report/?on=2017-06-01")
    assert r.status_code == 200 and "15.0%" in r.content.decode()
    r = client.get(f"/reform/{plan.pk}/report/?on=2017-06-01&export=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    for bad in ("0000-01-01", "99999-01-01", "NaN", "2017-02-30"):
        assert client.get(f"/reform/{plan.pk}/report/?on={bad}").status_code == 200
    assert client.get(f"/reform/{plan.pk}/report/?export=pdf").status_code == 404
    assert client.get(f"/reform/{10**30}/").status_code == 404


def test_overdue_tasks_on_the_workbench(client, district):
    reform_plan(district)  # task A was due 2017-10-10
    client.force_login(district.user("town_a"))
    r = client.get("/")
    body = r.content.decode()
    assert 'data-testid="todo-reform-overdue"' in body
    listing = client.get("/reform/tasks/?overdue=true&mine=true").content.decode()
    assert "甲标记任务" in listing and "乙标记任务" not in listing


@pytest.mark.parametrize("name", ["plan_list", "task_list", "plan_detail", "timeline", "task_detail", "plan_report"])
def test_query_budget(client, district, name):
    plan, a, _ = reform_plan(district)
    for i in range(3):
        services.progress_report(
            actor=district.user("town_a"), task=a, reported_on=date(2017, 5, 1 + i), percent=10 * i, text="x"
        )
    urls = {
        "plan_list": "/reform/",
        "task_list": "/reform/tasks/",
        "plan_detail": f"/reform/{plan.pk}/",
        "timeline": f"/reform/{plan.pk}/?view=timeline",
        "task_detail": f"/reform/tasks/{a.pk}/",
        "plan_report": f"/reform/{plan.pk}/report/",
    }
    client.force_login(district.user("org_dept"))
    n, response = count_queries(client, urls[name])
    assert response.status_code == 200
    assert n <= BUDGETS[name], f"{name}: {n} queries"


def test_the_api_serves_the_task_sheet_and_the_report(client, district):
    plan, _a, _b = reform_plan(district)
    client.force_login(district.user("town_a"))
    tasks = client.get("/api/v1/reform/tasks/").json()["results"]
    assert [t["number"] for t in tasks] == ["1"] and tasks[0]["responsible_org_name"] == "仁和镇总工会"
    report = client.get(f"/api/v1/reform/plans/{plan.pk}/report/?on=2017-12-01").json()
    assert report["progress"] == "0.0" and report["tasks"][0]["超期"] is True
    assert client.get(f"/api/v1/reform/plans/{plan.pk}/report/?on=0000-00-00").status_code == 400
