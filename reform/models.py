"""Reform plans (改革方案) run as a task list: phases (the road map), tasks with a responsible
organisation and person, deadlines, milestones and pilot sites (the task sheet and the timetable),
and dated progress reports with attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from orgs.models import Organisation
from orgs.scope import subtree_q
from orgs.scopespec import ScopeSpec


def _responsible_grant(grant: object, perm: str) -> Q | None:
    """An officer sees a plan when a task of it is their organisation's to do (the town that leads a
    pilot sees the district's plan), though the plan belongs to an organisation above them."""
    path_q = (
        subtree_q("responsible_org__path", grant.path)
        if grant.mode == "subtree"
        else Q(responsible_org__path=grant.path)
    )  # type: ignore[attr-defined]
    return Q(Exists(Task.objects.filter(plan=OuterRef("pk")).filter(path_q)))


class Plan(models.Model):
    class Kind(models.TextChoices):
        REFORM = "reform", "改革方案"
        PILOT = "pilot", "试点方案"
        WORK = "work", "工作方案"

    organisation = models.ForeignKey(
        Organisation, verbose_name="制定单位", on_delete=models.PROTECT, related_name="reform_plans"
    )
    title = models.CharField("方案名称", max_length=160)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.REFORM)
    year = models.PositiveSmallIntegerField("年度")
    summary = models.TextField("主要内容", blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("完成日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords()

    data_scope = ScopeSpec(paths=("organisation__path",), extra=_responsible_grant)

    class Meta:
        verbose_name = "改革方案"
        verbose_name_plural = "改革方案"
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="reform_plan_dates"),
        ]

    def __str__(self) -> str:
        return self.title


class Phase(models.Model):
    """A stage of the road map (路线图): e.g. 动员部署、试点推进、总结推广."""

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("阶段", max_length=60)
    goal = models.CharField("阶段目标", max_length=300, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")

    data_scope = ScopeSpec(paths=("plan__organisation__path",))

    class Meta:
        verbose_name = "阶段"
        verbose_name_plural = "阶段"
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="reform_phase_position"),
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="reform_phase_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    class State(models.TextChoices):
        NOT_STARTED = "not_started", "未启动"
        IN_PROGRESS = "in_progress", "推进中"
        DONE = "done", "已完成"

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="tasks")
    phase = models.ForeignKey(
        Phase, verbose_name="阶段", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    number = models.CharField("编号", max_length=12)
    title = models.CharField("任务", max_length=200)
    description = models.TextField("工作要求", blank=True)
    responsible_org = models.ForeignKey(
        Organisation, verbose_name="责任单位", on_delete=models.PROTECT, related_name="reform_tasks"
    )
    responsible_person = models.CharField("责任人", max_length=60, blank=True)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reform_tasks",
    )
    starts_on = models.DateField("开始日期")
    due_on = models.DateField("完成时限", db_index=True)
    state = FSMField("状态", max_length=12, choices=State.choices, default=State.NOT_STARTED, protected=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    pilot_sites = models.ManyToManyField(Organisation, verbose_name="试点单位", blank=True, related_name="+")

    history = HistoricalRecords()

    data_scope = ScopeSpec(paths=("plan__organisation__path", "responsible_org__path"))

    class Meta:
        verbose_name = "改革任务"
        verbose_name_plural = "改革任务"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="reform_task_number"),
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("due_on")), name="reform_task_dates"),
            models.CheckConstraint(
                condition=Q(state="done", completed_on__isnull=False)
                | (~Q(state="done") & Q(completed_on__isnull=True)),
                name="reform_task_completed_when_done",
            ),
        ]
        indexes = [models.Index(fields=["responsible_org", "state", "due_on"], name="reform_task_todo")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @transition(field=state, source=State.NOT_STARTED, target=State.IN_PROGRESS)
    def t_start(self) -> None:
        pass

    @transition(field=state, source=[State.NOT_STARTED, State.IN_PROGRESS], target=State.DONE)
    def t_complete(self) -> None:
        pass

    @transition(field=state, source=State.DONE, target=State.IN_PROGRESS)
    def t_reopen(self) -> None:
        pass


class Milestone(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=200)
    due_on = models.DateField("节点时限")
    done_on = models.DateField("完成日期", null=True, blank=True)

    data_scope = ScopeSpec(paths=("task__plan__organisation__path", "task__responsible_org__path"))

    class Meta:
        verbose_name = "节点"
        verbose_name_plural = "节点"
        ordering = ["task", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField("报告日期")
    percent = models.PositiveSmallIntegerField("完成比例（%）")
    text = models.TextField("进展情况")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("填报时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("task__plan__organisation__path", "task__responsible_org__path"))

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["task", "-reported_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="reform_report_percent")]
        indexes = [models.Index(fields=["task", "reported_on"], name="reform_report_task_on")]

    def __str__(self) -> str:
        return f"{self.task} {self.reported_on}"


def _attachment_path(instance: ReportAttachment, filename: str) -> str:
    return f"reform/{instance.report.task_id}/{instance.report_id}/{filename}"


class ReportAttachment(models.Model):
    """A file of a progress report; served only through the scoped view, never from /media directly."""

    report = models.ForeignKey(
        ProgressReport, verbose_name="进展报告", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=_attachment_path)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("report__task__plan__organisation__path", "report__task__responsible_org__path"))

    class Meta:
        verbose_name = "进展报告附件"
        verbose_name_plural = "进展报告附件"

    def __str__(self) -> str:
        return self.name
