"""Reform pages: the plan list, a plan's road map / task sheet / timetable, a task with its
milestones and progress reports, a plan's progress report for a date (and its xlsx)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.lists import ListPage
from core.views import add_refusal_message, form_submit
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404
from orgs.web import audited_export, perm_required
from reform import selectors, services
from reform.filtersets import PlanFilterSet, TaskFilterSet
from reform.forms import MilestoneForm, PhaseForm, PlanForm, ReportDateForm, ReportForm, TaskForm
from reform.models import Milestone, Plan, ReportAttachment, Task
from reform.progress import RULE, plan_progress, task_progress
from reform.tables import PlanTable, TaskTable


class PlanList(ListPage):
    """改革方案: the plans of the user's scope."""

    title = "改革方案"
    noun = "方案"
    unit = "个"
    table_class = PlanTable
    filterset_class = PlanFilterSet
    perm = Perm.REFORM_VIEW
    export_perm = Perm.REFORM_VIEW
    ordering = ("-year", "-id")
    create = ("reform:plan_create", "新建方案", Perm.REFORM_MANAGE)
    testid = "plan-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Plan]:
        return selectors.visible_plans(request.user, perm)


plan_list = PlanList.as_view()


class TaskList(ListPage):
    """任务单: every task the user may see, filterable by plan, state, overdue and 我负责的."""

    title = "任务单"
    noun = "任务"
    unit = "项"
    table_class = TaskTable
    filterset_class = TaskFilterSet
    perm = Perm.REFORM_VIEW
    export_perm = Perm.REFORM_VIEW
    hidden_filters = ("mine", "late_milestones")
    ordering = ("plan_id", "due_on", "number", "id")
    testid = "task-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Task]:
        return selectors.visible_tasks(request.user, perm)


task_list = TaskList.as_view()


@perm_required(Perm.REFORM_MANAGE)
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, user=request.user)
    done = form_submit(
        request,
        form,
        lambda cd: services.plan_create(actor=request.user, **cd),
        done="方案已创建，请添加阶段和任务",
        to=lambda plan: reverse("reform:plan_detail", args=[plan.pk]),
    )
    return done or render(request, "reform/form.html", {"form": form, "title": "新建改革方案"})


def _plan(request: HttpRequest, pk: int, perm: str = Perm.REFORM_VIEW) -> Plan:
    return get_scoped_or_404(request.user, perm, Plan.objects.select_related("organisation"), pk=pk)


VIEWS = {"roadmap": "路线图", "sheet": "任务单", "timeline": "时间表"}


@perm_required(Perm.REFORM_VIEW)
def plan_detail(request: HttpRequest, pk: int, **forms: Any) -> HttpResponse:
    plan = _plan(request, pk)
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "roadmap"
    today = timezone.localdate()
    tasks = selectors.plan_tasks(request.user, plan)
    can_manage = can_at(request.user, Perm.REFORM_MANAGE, plan.organisation)
    progress = {t.pk: task_progress(t.completed_on, t.latest_percent, today) for t in tasks}
    for t in tasks:
        t.progress = progress[t.pk]
        t.overdue = t.state != Task.State.DONE and t.due_on < today
    context: dict[str, Any] = {
        "plan": plan,
        "view": view,
        "views": VIEWS,
        "tasks": tasks,
        "progress": plan_progress(list(progress.values())),
        "rule": RULE,
        "can_manage": can_manage,
        "today": today,
        "roadmap": selectors.roadmap(plan, tasks),
        "timeline": selectors.timeline(plan, tasks, today),
    }
    if can_manage:
        context["phase_form"] = forms.get("phase_form") or PhaseForm()
        context["task_form"] = forms.get("task_form") or TaskForm(plan=plan, user=request.user)
    return render(request, "reform/plan_detail.html", context)


@require_POST
@perm_required(Perm.REFORM_MANAGE)
def phase_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, Perm.REFORM_MANAGE)
    form = PhaseForm(request.POST)
    act = lambda cd: services.phase_add(actor=request.user, plan=plan, **cd)  # noqa: E731
    done = form_submit(request, form, act, done="阶段已添加", to=lambda _: reverse("reform:plan_detail", args=[pk]))
    return done or plan_detail(request, pk, phase_form=form)


@require_POST
@perm_required(Perm.REFORM_MANAGE)
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, Perm.REFORM_MANAGE)
    form = TaskForm(request.POST, plan=plan, user=request.user)
    done = form_submit(
        request,
        form,
        lambda cd: services.task_add(actor=request.user, plan=plan, **cd),
        done="任务已添加",
        to=lambda _: f"{reverse('reform:plan_detail', args=[pk])}?view=sheet",
    )
    return done or plan_detail(request, pk, task_form=form)


def _report_date(request: HttpRequest) -> tuple[ReportDateForm, date]:
    form = ReportDateForm(request.GET)
    on = form.cleaned_data["on"] if form.is_valid() and form.cleaned_data["on"] else timezone.localdate()
    return form, on


@perm_required(Perm.REFORM_VIEW)
def plan_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan's progress report for a date (截至某日的进展报告), on the page or as xlsx."""
    plan = _plan(request, pk)
    form, on = _report_date(request)
    rows, progress = selectors.plan_report(request.user, plan, on)
    if request.GET.get("export") == "xlsx":
        return audited_export(
            request,
            what=f"改革进展报告：{plan.title}（截至{on:%Y-%m-%d}）",
            filename=f"改革进展报告-{plan.pk}-{on:%Y%m%d}.xlsx",
            headers=selectors.REPORT_HEADERS,
            rows=[selectors.report_cells(r) for r in rows],
            count=len(rows),
        )
    if request.GET.get("export"):
        raise Http404("不支持该导出格式")
    return render(
        request,
        "reform/plan_report.html",
        {"plan": plan, "form": form, "on": on, "rows": rows, "progress": progress, "rule": RULE},
    )


def _task(request: HttpRequest, pk: int) -> Task:
    return get_scoped_or_404(
        request.user,
        Perm.REFORM_VIEW,
        Task.objects.select_related("plan__organisation", "responsible_org", "phase"),
        pk=pk,
    )


@perm_required(Perm.REFORM_VIEW)
def task_detail(request: HttpRequest, pk: int, **forms: Any) -> HttpResponse:
    task = _task(request, pk)
    today = timezone.localdate()
    may_report = services.may_report(request.user, task)
    can_manage = can_at(request.user, Perm.REFORM_MANAGE, task.plan.organisation)
    reports = list(task.reports.select_related("reported_by").prefetch_related("attachments"))
    latest = reports[0].percent if reports else None
    return render(
        request,
        "reform/task_detail.html",
        {
            "task": task,
            "today": today,
            "progress": task_progress(task.completed_on, latest, today),
            "rule": RULE,
            "pilot_sites": list(task.pilot_sites.order_by("path")),
            "milestones": list(task.milestones.all()),
            "reports": reports,
            "may_report": may_report and task.state != Task.State.DONE,
            "may_complete": may_report and task.state != Task.State.DONE,
            "may_reopen": can_manage and task.state == Task.State.DONE,
            "report_form": forms.get("report_form")
            or (ReportForm(initial={"reported_on": today}) if may_report else None),
            "milestone_form": forms.get("milestone_form") or (MilestoneForm() if can_manage else None),
            "overdue": task.state != Task.State.DONE and task.due_on < today,
        },
    )


@require_POST
@perm_required(Perm.REFORM_REPORT)
def report_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = ReportForm(request.POST, request.FILES)

    def act(cd: dict[str, Any]) -> Any:
        return services.progress_report(
            actor=request.user,
            task=task,
            reported_on=cd["reported_on"],
            percent=cd["percent"],
            text=cd["text"],
            files=cd["attachments"],
        )

    done = form_submit(request, form, act, done="进展已填报", to=lambda _: reverse("reform:task_detail", args=[pk]))
    return done or task_detail(request, pk, report_form=form)


@require_POST
@perm_required(Perm.REFORM_MANAGE)
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = MilestoneForm(request.POST)
    act = lambda cd: services.milestone_add(actor=request.user, task=task, **cd)  # noqa: E731
    done = form_submit(request, form, act, done="节点已添加", to=lambda _: reverse("reform:task_detail", args=[pk]))
    return done or task_detail(request, pk, milestone_form=form)


@require_POST
@perm_required(Perm.REFORM_REPORT)
def milestone_done(request: HttpRequest, pk: int, milestone: int) -> HttpResponse:
    task = _task(request, pk)
    row = Milestone.objects.filter(task=task, pk=milestone).first()
    if row is None:
        raise Http404("未找到该节点")
    try:
        services.milestone_done(actor=request.user, milestone=row)
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, "节点已确认完成")
    return redirect("reform:task_detail", pk=task.pk)


TASK_ACTIONS = {"complete": (services.task_complete, "任务已办结"), "reopen": (services.task_reopen, "任务已重新打开")}


@require_POST
@perm_required(Perm.REFORM_REPORT)
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    task = _task(request, pk)
    if action not in TASK_ACTIONS:
        raise Http404("没有这个操作")
    service, done = TASK_ACTIONS[action]
    try:
        service(actor=request.user, task=task)
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, done)
    return redirect("reform:task_detail", pk=task.pk)


@perm_required(Perm.REFORM_VIEW)
def attachment_download(request: HttpRequest, pk: int, att: int) -> FileResponse:
    task = _task(request, pk)
    attachment = ReportAttachment.objects.filter(report__task=task, pk=att).first()
    if attachment is None:
        raise Http404("未找到该附件")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("附件文件已不存在") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)
