from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reform import selectors, services
from reform.models import Milestone, ProgressReport, Task
from reform.tests.factories import reform_plan

pytestmark = pytest.mark.django_db


def test_drawing_up_needs_manage_over_the_plan(district):
    plan, a, _ = reform_plan(district)
    with pytest.raises(PermissionDenied):
        services.plan_create(
            actor=district.user("town_a"), organisation=district.town_a, title="x", year=2017,
            starts_on=date(2017, 1, 1), ends_on=date(2017, 2, 1),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.task_add(
            actor=district.user("town_a"), plan=plan, number="9", title="x", responsible_org=district.town_a,
            starts_on=date(2017, 3, 1), due_on=date(2017, 4, 1),
        )  # fmt: skip
    with pytest.raises(ValidationError, match="已有编号为 1"):
        services.task_add(
            actor=district.user("org_dept"), plan=plan, number="1", title="x", responsible_org=district.town_a,
            starts_on=date(2017, 3, 1), due_on=date(2017, 4, 1),
        )  # fmt: skip
    with pytest.raises(ValidationError, match="结束日期不能早于"):
        services.task_add(
            actor=district.user("org_dept"), plan=plan, number="9", title="x", responsible_org=district.town_a,
            starts_on=date(2017, 5, 1), due_on=date(2017, 4, 1),
        )  # fmt: skip
    with pytest.raises(ValidationError, match="阶段须在方案期限"):
        services.phase_add(
            actor=district.user("org_dept"), plan=plan, name="x", starts_on=date(2016, 1, 1), ends_on=date(2017, 4, 1)
        )
    with pytest.raises(ValidationError, match="节点时限须在任务期限"):
        services.milestone_add(actor=district.user("org_dept"), task=a, title="x", due_on=date(2018, 1, 1))
    assert Task.objects.count() == 2


def test_a_town_plan_cannot_name_a_unit_of_another_town(district):
    plan = services.plan_create(
        actor=district.user("org_dept"), organisation=district.town_a, title="仁和镇方案", year=2017,
        starts_on=date(2017, 1, 1), ends_on=date(2017, 12, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="责任单位须是仁和镇总工会或其下级"):
        services.task_add(
            actor=district.user("org_dept"), plan=plan, number="1", title="x", responsible_org=district.union_b,
            starts_on=date(2017, 3, 1), due_on=date(2017, 4, 1),
        )  # fmt: skip
    with pytest.raises(ValidationError, match="试点单位须在仁和镇总工会之下：西泗上村联合会"):
        services.task_add(
            actor=district.user("org_dept"), plan=plan, number="1", title="x", responsible_org=district.union_a,
            starts_on=date(2017, 3, 1), due_on=date(2017, 4, 1), pilot_sites=[district.union_b],
        )  # fmt: skip


def test_the_responsible_unit_reports_and_the_first_report_starts_the_task(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _, a, _b = reform_plan(district)
    with pytest.raises(PermissionDenied):
        services.progress_report(
            actor=district.user("town_b"), task=a, reported_on=date(2017, 5, 1), percent=10, text="x"
        )
    with pytest.raises(ValidationError, match="类型不允许"):
        services.progress_report(
            actor=district.user("town_a"), task=a, reported_on=date(2017, 5, 1), percent=10, text="x",
            files=[SimpleUploadedFile("病毒.exe", b"MZ")],
        )  # fmt: skip
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.progress_report(
            actor=district.user("town_a"),
            task=a,
            reported_on=timezone.localdate() + timedelta(days=1),
            percent=10,
            text="x",
        )
    assert ProgressReport.objects.count() == 0 and Task.objects.get(pk=a.pk).state == Task.State.NOT_STARTED
    report = services.progress_report(
        actor=district.user("town_a"), task=a, reported_on=date(2017, 5, 1), percent=40, text="摸清底数",
        files=[SimpleUploadedFile("调研报告.pdf", b"%PDF-1.4\n%%EOF\n")],
    )  # fmt: skip
    assert report.attachments.get().name == "调研报告.pdf"
    assert Task.objects.get(pk=a.pk).state == Task.State.IN_PROGRESS


def test_completion_waits_for_milestones_and_only_a_manager_reopens(district):
    _, a, _ = reform_plan(district)
    m = services.milestone_add(
        actor=district.user("org_dept"), task=a, title="召开试点总结汇报会", due_on=date(2017, 10, 10)
    )
    with pytest.raises(ValidationError, match="1 个节点未完成"):
        services.task_complete(actor=district.user("town_a"), task=a)
    services.milestone_done(actor=district.user("town_a"), milestone=m, done_on=date(2017, 10, 10))
    services.task_complete(actor=district.user("town_a"), task=a, completed_on=date(2017, 10, 20))
    with pytest.raises(ValidationError, match="任务已完成"):
        services.progress_report(
            actor=district.user("town_a"), task=a, reported_on=date(2017, 10, 21), percent=10, text="x"
        )
    with pytest.raises(PermissionDenied):
        services.task_reopen(actor=district.user("town_a"), task=a)
    services.task_reopen(actor=district.user("org_dept"), task=a)
    assert Task.objects.get(pk=a.pk).state == Task.State.IN_PROGRESS and Task.objects.get(pk=a.pk).completed_on is None


def test_the_progress_report_for_a_date(district):
    plan, a, _b = reform_plan(district)
    town_a = district.user("town_a")
    services.progress_report(actor=town_a, task=a, reported_on=date(2017, 5, 1), percent=30, text="调研")
    services.progress_report(actor=town_a, task=a, reported_on=date(2017, 9, 1), percent=80, text="试点运行")
    services.task_complete(actor=town_a, task=a, completed_on=date(2017, 10, 10))
    admin = district.user("admin")
    rows, progress = selectors.plan_report(admin, plan, date(2017, 6, 1))
    assert [(r.number, r.state, r.progress, r.latest_text) for r in rows] == [
        ("1", "推进中", 30, "调研"),
        ("2", "未启动", 0, ""),
    ]
    assert progress == 15
    rows, progress = selectors.plan_report(admin, plan, date(2017, 12, 1))
    assert [(r.state, r.progress, r.overdue) for r in rows] == [("已完成", 100, False), ("未启动", 0, True)]
    assert progress == 50
    # a town sees its own tasks of the district's plan
    rows, _ = selectors.plan_report(district.user("town_b"), plan, date(2017, 12, 1))
    assert [r.number for r in rows] == ["2"]


def test_overdue_tasks_and_milestones_reach_whoever_is_responsible(district):
    _, _a, b = reform_plan(district)
    services.milestone_add(actor=district.user("org_dept"), task=b, title="问卷回收", due_on=date(2017, 9, 1))
    today = date(2017, 10, 15)
    assert selectors.reform_todos(district.user("town_a"), today) == (1, 0)  # task A due 10-10
    assert selectors.reform_todos(district.user("town_b"), today) == (0, 1)  # task B's milestone
    assert selectors.reform_todos(district.user("chair_a"), today) == (0, 0)  # union A is a pilot, not responsible
    assert selectors.reform_todos(district.user("org_dept"), today) == (1, 1)  # the plan's organisation
    Milestone.objects.update(done_on=date(2017, 9, 1))
    assert selectors.reform_todos(district.user("town_b"), today) == (0, 0)


def test_scope_of_plans_and_tasks(district):
    plan, a, b = reform_plan(district)
    assert list(selectors.visible_plans(district.user("town_a"))) == [plan]  # through its task
    assert [t.pk for t in selectors.visible_tasks(district.user("town_a"))] == [a.pk]
    assert [t.pk for t in selectors.plan_tasks(district.user("town_b"), plan)] == [b.pk]
    assert list(selectors.visible_plans(district.user("chair_a"))) == []
    assert list(selectors.visible_plans(district.user("nobody"))) == []
