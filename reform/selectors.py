"""Reading reform plans and tasks, always through orgs.scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from orgs.roles import Perm
from orgs.scope import scoped
from reform.models import Milestone, Phase, Plan, ProgressReport, Task
from reform.progress import Bar, bar, month_ticks, plan_progress, task_progress


def visible_plans(user: Any, perm: str = Perm.REFORM_VIEW) -> QuerySet[Plan]:
    return (
        scoped(user, perm, Plan.objects.all())
        .select_related("organisation")
        .annotate(
            task_count=Count("tasks", distinct=True),
            done_count=Count("tasks", filter=Q(tasks__state=Task.State.DONE), distinct=True),
        )
    )


def _latest_percent(on: date | None = None) -> Subquery:
    reports = ProgressReport.objects.filter(task=OuterRef("pk"))
    if on is not None:
        reports = reports.filter(reported_on__lte=on)
    return Subquery(reports.order_by("-reported_on", "-pk").values("percent")[:1], output_field=IntegerField())


def overdue_q(today: date) -> Q:
    """A task past its deadline and not done."""
    return Q(due_on__lt=today) & ~Q(state=Task.State.DONE)


def visible_tasks(user: Any, perm: str = Perm.REFORM_VIEW, *, today: date | None = None) -> QuerySet[Task]:
    """The tasks the user may see (of plans in scope, or theirs to do), with what the sheet shows."""
    return (
        scoped(user, perm, Task.objects.all())
        .select_related("plan", "responsible_org", "phase")
        .annotate(
            latest_percent=Coalesce(_latest_percent(), 0),
            milestone_count=Count("milestones", distinct=True),
            milestones_done=Count("milestones", filter=Q(milestones__done_on__isnull=False), distinct=True),
        )
    )


def plan_tasks(user: Any, plan: Plan) -> list[Task]:
    """The tasks of a plan the user may see: all of them for the plan's organisation, only their
    own for a unit that sees the plan because it is responsible for some of its tasks."""
    return list(
        scoped(user, Perm.REFORM_VIEW, plan.tasks.all())
        .select_related("responsible_org", "phase")
        .prefetch_related("pilot_sites")
        .annotate(latest_percent=Coalesce(_latest_percent(), 0))
        .order_by("starts_on", "number", "pk")
    )


@dataclass(frozen=True)
class TimelineRow:
    task: Task
    bar: Bar | None
    milestones: list[tuple[Milestone, Bar | None]]
    overdue: bool


@dataclass(frozen=True)
class Timeline:
    start: date
    end: date
    ticks: list[tuple[str, Decimal]]
    today: Bar | None
    rows: list[TimelineRow]


def timeline(plan: Plan, tasks: list[Task], today: date) -> Timeline:
    """时间表: each task a bar over the plan's period, its milestones as marks, a line for today."""
    start, end = plan.starts_on, plan.ends_on
    for t in tasks:
        start, end = min(start, t.starts_on), max(end, t.due_on)
    milestones: dict[int, list[Milestone]] = {}
    for m in Milestone.objects.filter(task__in=[t.pk for t in tasks]).order_by("due_on", "pk"):
        milestones.setdefault(m.task_id, []).append(m)
    rows = [
        TimelineRow(
            t,
            bar(t.starts_on, t.due_on, start, end),
            [(m, bar(m.due_on, m.due_on, start, end)) for m in milestones.get(t.pk, [])],
            t.state != Task.State.DONE and t.due_on < today,
        )
        for t in tasks
    ]
    return Timeline(start, end, month_ticks(start, end), bar(today, today, start, end), rows)


def roadmap(plan: Plan, tasks: list[Task]) -> list[tuple[Phase | None, list[Task]]]:
    """路线图: the phases in order, each with its tasks; tasks without a phase last."""
    phases = list(plan.phases.order_by("position"))
    by_phase: dict[int | None, list[Task]] = {}
    for t in tasks:
        by_phase.setdefault(t.phase_id, []).append(t)
    result: list[tuple[Phase | None, list[Task]]] = [(p, by_phase.get(p.pk, [])) for p in phases]
    if by_phase.get(None):
        result.append((None, by_phase[None]))
    return result


# --- a plan's progress report for a date ---------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    number: str
    title: str
    phase: str
    responsible_org: str
    responsible_person: str
    due_on: date
    state: str
    progress: int
    milestones: str
    latest_on: date | None
    latest_text: str
    overdue: bool


REPORT_HEADERS = [
    "编号", "任务", "阶段", "责任单位", "责任人", "完成时限", "状态", "进度(%)", "节点完成", "最近报告日期", "最近进展", "超期",
]  # fmt: skip


def report_cells(row: ReportRow) -> list[Any]:
    """A report row as the workbook's cells, in ``REPORT_HEADERS`` order."""
    return [
        row.number,
        row.title,
        row.phase,
        row.responsible_org,
        row.responsible_person,
        row.due_on,
        row.state,
        row.progress,
        row.milestones,
        row.latest_on,
        row.latest_text,
        row.overdue,
    ]


def plan_report(user: Any, plan: Plan, on: date) -> tuple[list[ReportRow], Decimal | None]:
    """The plan as it stood on ``on``: each task's state, progress (the roll-up rule), milestones
    done by then and its latest report up to that day; and the plan's progress. Three queries.
    Only the tasks the user may see (as on the plan's page)."""
    tasks = list(
        scoped(user, Perm.REFORM_VIEW, plan.tasks.all())
        .select_related("responsible_org", "phase")
        .annotate(percent_on=_latest_percent(on))
        .order_by("number", "pk")
    )
    latest: dict[int, ProgressReport] = {}
    ids = [t.pk for t in tasks]
    for r in ProgressReport.objects.filter(task_id__in=ids, reported_on__lte=on).order_by(
        "task_id", "-reported_on", "-pk"
    ):
        latest.setdefault(r.task_id, r)
    counts = {
        row["task_id"]: (row["total"], row["done"])
        for row in Milestone.objects.filter(task_id__in=ids)
        .values("task_id")
        .annotate(
            total=Count("pk", filter=Q(due_on__lte=on) | Q(done_on__lte=on)),
            done=Count("pk", filter=Q(done_on__lte=on)),
        )
    }
    rows = []
    for t in tasks:
        done = t.completed_on is not None and t.completed_on <= on
        report = latest.get(t.pk)
        total, done_ms = counts.get(t.pk, (0, 0))
        if done:
            state = Task.State.DONE.label
        elif report is not None:
            state = Task.State.IN_PROGRESS.label
        else:
            state = Task.State.NOT_STARTED.label
        rows.append(
            ReportRow(
                t.number,
                t.title,
                t.phase.name if t.phase else "",
                t.responsible_org.name,
                t.responsible_person,
                t.due_on,
                state,
                task_progress(t.completed_on, t.percent_on, on),
                f"{done_ms}/{total}" if total else "—",
                report.reported_on if report else None,
                report.text if report else "",
                not done and t.due_on < on,
            )
        )
    return rows, plan_progress([r.progress for r in rows])


# --- the workbench ---------------------------------------------------------------------------------


def responsible_tasks(user: Any) -> QuerySet[Task]:
    """Tasks this user answers for: named as the responsible person, or their organisation's
    (reform.report over the responsible organisation)."""
    mine = scoped(user, Perm.REFORM_REPORT, Task.objects.all())
    return Task.objects.filter(Q(responsible_user=user) | Q(pk__in=mine.values("pk")))


def reform_todos(user: Any, today: date) -> tuple[int, int]:
    """(overdue tasks, overdue milestones of unfinished tasks) the user answers for. One query."""
    late_milestone = Q(milestones__done_on__isnull=True, milestones__due_on__lt=today) & ~Q(state=Task.State.DONE)
    counts = responsible_tasks(user).aggregate(
        tasks=Count("pk", filter=overdue_q(today), distinct=True),
        milestones=Count("milestones", filter=late_milestone, distinct=True),
    )
    return counts["tasks"], counts["milestones"]
