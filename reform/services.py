"""Changes to reform plans and tasks. Drawing up needs reform.manage over the plan's organisation;
reporting progress needs reform.report over the task's responsible organisation (or manage over
the plan's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, subtree_bounds
from reform.models import Milestone, Phase, Plan, ProgressReport, ReportAttachment, Task

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
ALLOWED_EXTENSIONS = {".jpg", ".jpeg", ".png", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt"}
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _require_manage(actor: Any, plan_or_org: Plan | Organisation) -> None:
    organisation = plan_or_org.organisation if isinstance(plan_or_org, Plan) else plan_or_org
    if not can_at(actor, Perm.REFORM_MANAGE, organisation):
        raise PermissionDenied("您没有管理该单位改革方案的权限")


def may_report(actor: Any, task: Task) -> bool:
    """The responsible organisation's officers report on a task; so may the plan's managers."""
    return can_at(actor, Perm.REFORM_REPORT, task.responsible_org) or can_at(
        actor, Perm.REFORM_MANAGE, task.plan.organisation
    )


def _within(org: Organisation, root: Organisation) -> bool:
    low, high = subtree_bounds(root.path)
    return low <= org.path < high


def _dates(start: date, end: date, *, start_field: str, end_field: str) -> None:
    for field, value in ((start_field, start), (end_field, end)):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError({field: f"日期须在 {FIRST_YEAR}—{LAST_YEAR} 年之间"})
    if start > end:
        raise ValidationError({end_field: "结束日期不能早于开始日期"})


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    year: int,
    starts_on: date,
    ends_on: date,
    kind: str = Plan.Kind.REFORM,
    summary: str = "",
) -> Plan:
    _require_manage(actor, organisation)
    if not title.strip():
        raise ValidationError({"title": "请填写方案名称"})
    if kind not in Plan.Kind.values:
        raise ValidationError({"kind": "方案类型无效"})
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": f"年度须在 {FIRST_YEAR}—{LAST_YEAR} 之间"})
    _dates(starts_on, ends_on, start_field="starts_on", end_field="ends_on")
    return Plan.objects.create(
        organisation=organisation,
        title=title.strip(),
        kind=kind,
        year=year,
        summary=summary.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )


@transaction.atomic
def phase_add(*, actor: Any, plan: Plan, name: str, starts_on: date, ends_on: date, goal: str = "") -> Phase:
    _require_manage(actor, plan)
    if not name.strip():
        raise ValidationError({"name": "请填写阶段名称"})
    _dates(starts_on, ends_on, start_field="starts_on", end_field="ends_on")
    if starts_on < plan.starts_on or ends_on > plan.ends_on:
        raise ValidationError({"ends_on": f"阶段须在方案期限（{plan.starts_on}—{plan.ends_on}）之内"})
    return Phase.objects.create(
        plan=plan,
        position=plan.phases.count() + 1,
        name=name.strip(),
        goal=goal.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )


@transaction.atomic
def task_add(
    *,
    actor: Any,
    plan: Plan,
    number: str,
    title: str,
    responsible_org: Organisation,
    starts_on: date,
    due_on: date,
    phase: Phase | None = None,
    description: str = "",
    responsible_person: str = "",
    responsible_user: Any = None,
    pilot_sites: Sequence[Organisation] = (),
) -> Task:
    """A task of the sheet. Its responsible organisation and pilot sites lie under the plan's."""
    _require_manage(actor, plan)
    if not number.strip() or not title.strip():
        raise ValidationError({"title": "请填写任务编号和任务内容"})
    if phase is not None and phase.plan_id != plan.pk:
        raise ValidationError({"phase": "阶段不属于该方案"})
    if not _within(responsible_org, plan.organisation):
        raise ValidationError({"responsible_org": f"责任单位须是{plan.organisation.name}或其下级组织"})
    outside = [o.name for o in pilot_sites if not _within(o, plan.organisation)]
    if outside:
        raise ValidationError({"pilot_sites": f"试点单位须在{plan.organisation.name}之下：{'、'.join(outside)}"})
    _dates(starts_on, due_on, start_field="starts_on", end_field="due_on")
    if responsible_user is not None and not can_at(responsible_user, Perm.REFORM_REPORT, responsible_org):
        raise ValidationError({"responsible_user": "责任人账号须能为责任单位填报进展（持有该单位的改革任务填报权限）"})
    try:
        with transaction.atomic():
            task = Task.objects.create(
                plan=plan,
                phase=phase,
                number=number.strip(),
                title=title.strip(),
                description=description.strip(),
                responsible_org=responsible_org,
                responsible_person=responsible_person.strip(),
                responsible_user=responsible_user,
                starts_on=starts_on,
                due_on=due_on,
            )
    except IntegrityError:
        raise ValidationError({"number": f"方案中已有编号为 {number.strip()} 的任务"}) from None
    task.pilot_sites.set(pilot_sites)
    return task


@transaction.atomic
def milestone_add(*, actor: Any, task: Task, title: str, due_on: date) -> Milestone:
    _require_manage(actor, task.plan)
    if not title.strip():
        raise ValidationError({"title": "请填写节点内容"})
    if not task.starts_on <= due_on <= task.due_on:
        raise ValidationError({"due_on": f"节点时限须在任务期限（{task.starts_on}—{task.due_on}）之内"})
    return Milestone.objects.create(task=task, title=title.strip(), due_on=due_on)


@transaction.atomic
def milestone_done(*, actor: Any, milestone: Milestone, done_on: date | None = None) -> Milestone:
    milestone = (
        Milestone.objects.select_for_update()
        .select_related("task__plan__organisation", "task__responsible_org")
        .get(pk=milestone.pk)
    )
    if not may_report(actor, milestone.task):
        raise PermissionDenied("您不是该任务的责任单位，不能确认节点")
    done_on = done_on or timezone.localdate()
    if milestone.done_on is not None:
        raise ValidationError("该节点已完成")
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "完成日期不能晚于今天"})
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    return milestone


def _check_files(files: Sequence[UploadedFile]) -> None:
    if len(files) > MAX_FILES:
        raise ValidationError({"attachments": f"附件最多 {MAX_FILES} 个"})
    for f in files:
        if PurePath(f.name or "").suffix.lower() not in ALLOWED_EXTENSIONS:
            raise ValidationError(
                {"attachments": f"附件“{f.name}”的类型不允许（可上传图片、PDF、Word、Excel、PPT、文本）"}
            )
        if f.size and f.size > MAX_FILE_BYTES:
            raise ValidationError({"attachments": f"附件“{f.name}”超过 10 MB"})


def _lock(task: Task) -> Task:
    return Task.objects.select_for_update().select_related("plan__organisation", "responsible_org").get(pk=task.pk)


@transaction.atomic
def progress_report(
    *,
    actor: Any,
    task: Task,
    reported_on: date,
    percent: int,
    text: str,
    files: Sequence[UploadedFile] = (),
) -> ProgressReport:
    """A dated progress report (with files). The first report starts the task."""
    task = _lock(task)
    if not may_report(actor, task):
        raise PermissionDenied("您不是该任务的责任单位，不能填报进展")
    if task.state == Task.State.DONE:
        raise ValidationError("任务已完成，不能再填报进展")
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": "完成比例须在 0—100 之间"})
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": "报告日期不能晚于今天"})
    if reported_on < task.starts_on:
        raise ValidationError({"reported_on": f"报告日期不能早于任务开始日期（{task.starts_on}）"})
    if not text.strip():
        raise ValidationError({"text": "请填写进展情况"})
    _check_files(files)
    report = ProgressReport.objects.create(
        task=task, reported_on=reported_on, percent=percent, text=text.strip(), reported_by=actor
    )
    for f in files:
        ReportAttachment.objects.create(
            report=report, file=f, name=PurePath(f.name or "附件").name[:200], size=f.size or 0, uploaded_by=actor
        )
    if can_proceed(task.t_start):
        task.t_start()
        task.save(update_fields=["state"])
    return report


@transaction.atomic
def task_complete(*, actor: Any, task: Task, completed_on: date | None = None) -> Task:
    task = _lock(task)
    if not may_report(actor, task):
        raise PermissionDenied("您不是该任务的责任单位，不能办结")
    if not can_proceed(task.t_complete):
        raise ValidationError("任务已完成")
    completed_on = completed_on or timezone.localdate()
    if completed_on > timezone.localdate() or completed_on < task.starts_on:
        raise ValidationError({"completed_on": "完成日期须在任务开始日期与今天之间"})
    open_milestones = task.milestones.filter(done_on__isnull=True).count()
    if open_milestones:
        raise ValidationError(f"还有 {open_milestones} 个节点未完成，请先确认节点")
    task.t_complete()
    task.completed_on = completed_on
    task.save(update_fields=["state", "completed_on"])
    return task


@transaction.atomic
def task_reopen(*, actor: Any, task: Task) -> Task:
    """Only the plan's managers reopen a finished task (the responsible unit cannot undo its own close)."""
    task = _lock(task)
    _require_manage(actor, task.plan)
    if not can_proceed(task.t_reopen):
        raise ValidationError("只有已完成的任务可以重新打开")
    task.t_reopen()
    task.completed_on = None
    task.save(update_fields=["state", "completed_on"])
    return task
