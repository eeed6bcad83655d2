"""The event and participation lists' columns: the page and ``?export=xlsx`` alike."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse

from core.lists import DateColumn, DateTimeColumn, MoneyColumn, Table, YesNoColumn


class ActivityTable(Table):
    organisation = tables.Column(verbose_name="举办工会", accessor="organisation__name")
    title = tables.Column(
        verbose_name="活动名称", linkify=lambda record: reverse("activities:detail", args=[record.pk])
    )
    kind = tables.Column(verbose_name="类型")
    skill = tables.Column(verbose_name="工种/项目", default="—")
    held_on = DateColumn(verbose_name="举办日期", orderable=True, order_by=("held_on", "id"))
    participants = tables.Column(verbose_name="参加人数", orderable=True, attrs={"td": {"class": "text-end"}})
    state = tables.Column(verbose_name="状态")
    reported_at = DateTimeColumn(verbose_name="报送时间", format="Y-m-d", default="未报送")


class RegistrationTable(Table):
    person = tables.Column(verbose_name="姓名", accessor="person__name")
    activity = tables.Column(
        verbose_name="活动",
        accessor="activity__title",
        linkify=lambda record: reverse("activities:detail", args=[record.activity_id]),
    )
    organisation = tables.Column(verbose_name="举办工会", accessor="activity__organisation__name")
    held_on = DateColumn(verbose_name="举办日期", accessor="activity__held_on", orderable=True)
    channel = tables.Column(verbose_name="报名方式")
    attended = YesNoColumn(verbose_name="到场", default="未记录")
    score = tables.Column(verbose_name="成绩", default="—", attrs={"td": {"class": "text-end"}})
    rank = tables.Column(verbose_name="名次", default="—", orderable=True, attrs={"td": {"class": "text-end"}})
    award = tables.Column(verbose_name="奖项", default="—")


class NominationTable(Table):
    year = tables.Column(verbose_name="评选年度", accessor="selection__year", orderable=True)
    person = tables.Column(
        verbose_name="被推荐人",
        accessor="person__name",
        linkify=lambda record: reverse("activities:selection", args=[record.selection_id]),
    )
    union = tables.Column(verbose_name="推荐工会", accessor="union__name")
    trade = tables.Column(verbose_name="工种/岗位")
    combined_score = tables.Column(verbose_name="综合得分", default="—", attrs={"td": {"class": "text-end"}})
    rank = tables.Column(verbose_name="名次", default="—", orderable=True, attrs={"td": {"class": "text-end"}})
    outcome = tables.Column(verbose_name="结果")
    nominated_at = DateTimeColumn(verbose_name="推荐时间", format="Y-m-d")


class StudioTable(Table):
    name = tables.Column(
        verbose_name="工作室名称", linkify=lambda record: reverse("activities:studio", args=[record.pk])
    )
    kind = tables.Column(verbose_name="类型")
    union = tables.Column(verbose_name="所属工会", accessor="union__name")
    leader = tables.Column(verbose_name="领办人", accessor="leader__name")
    level = tables.Column(verbose_name="级别")
    plaque_on = DateColumn(verbose_name="授牌日期", orderable=True)
    field = tables.Column(verbose_name="专业领域", default="—")


class InnovationTable(Table):
    number = tables.Column(
        verbose_name="编号", linkify=lambda record: reverse("activities:innovation", args=[record.pk]), orderable=True
    )
    kind = tables.Column(verbose_name="类别")
    title = tables.Column(verbose_name="项目名称")
    applicant = tables.Column(verbose_name="申报人/单位", accessor="applicant", orderable=False)
    union = tables.Column(verbose_name="申报单位", accessor="union__name")
    submitted_at = DateTimeColumn(verbose_name="申报时间", format="Y-m-d", orderable=True)
    # one column for the state and the grade (待评审, or the grade given), so the amount and its 合计 stay in view
    grade = tables.Column(verbose_name="评审", empty_values=(), orderable=False)
    amount = MoneyColumn(verbose_name="奖励金额（元）", total=True)
    reward_status = tables.Column(verbose_name="发放", accessor="reward_status", orderable=False)

    def render_grade(self, record: Any) -> str:
        return record.get_grade_display() if record.grade else record.get_state_display()

    def value_grade(self, record: Any) -> str:
        return self.render_grade(record)
