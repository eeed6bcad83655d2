"""The plan list's and the task sheet's columns: the page and ``?export=xlsx`` alike."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone

from core.lists import DateColumn, Table


class PlanTable(Table):
    title = tables.Column(
        verbose_name="方案名称", linkify=lambda record: reverse("reform:plan_detail", args=[record.pk])
    )
    organisation = tables.Column(verbose_name="制定单位", accessor="organisation__name")
    kind = tables.Column(verbose_name="类型")
    year = tables.Column(verbose_name="年度", orderable=True)
    starts_on = DateColumn(verbose_name="开始日期")
    ends_on = DateColumn(verbose_name="完成日期", orderable=True)
    task_count = tables.Column(verbose_name="任务数", attrs={"td": {"class": "text-end"}})
    done_count = tables.Column(verbose_name="已完成", attrs={"td": {"class": "text-end"}})


class TaskTable(Table):
    """任务单: what, who, by when, how far."""

    number = tables.Column(verbose_name="编号")
    title = tables.Column(verbose_name="任务", linkify=lambda record: reverse("reform:task_detail", args=[record.pk]))
    plan = tables.Column(verbose_name="方案", accessor="plan__title")
    responsible_org = tables.Column(verbose_name="责任单位", accessor="responsible_org__name")
    responsible_person = tables.Column(verbose_name="责任人", default="—")
    due_on = DateColumn(verbose_name="完成时限", orderable=True, order_by=("due_on", "id"))
    state = tables.Column(verbose_name="状态", empty_values=())
    latest_percent = tables.Column(verbose_name="进度(%)", attrs={"td": {"class": "text-end"}})
    milestones = tables.Column(verbose_name="节点完成", empty_values=())

    def render_state(self, record) -> str:
        label = record.get_state_display()
        if record.state != "done" and record.due_on < timezone.localdate():
            return f"{label}（已超期）"
        return label

    def value_state(self, record) -> str:
        return self.render_state(record)

    def render_latest_percent(self, record) -> int:
        return 100 if record.state == "done" else record.latest_percent

    def value_latest_percent(self, record) -> int:
        return self.render_latest_percent(record)

    def render_milestones(self, record) -> str:
        return f"{record.milestones_done}/{record.milestone_count}" if record.milestone_count else "—"

    def value_milestones(self, record) -> str:
        return self.render_milestones(record)
