"""The cadres lists' columns: the page and ``?export=xlsx`` alike."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse

from cadres import selectors
from cadres.models import Evaluation
from core.lists import DateColumn, Table, YesNoColumn


class PostTable(Table):
    organisation = tables.Column(verbose_name="工会", accessor="organisation__name")
    name = tables.Column(verbose_name="姓名", accessor="cadre__name", orderable=True)
    role = tables.Column(verbose_name="职务", accessor="get_role_display", order_by=("role",), orderable=True)
    full_time = YesNoColumn(verbose_name="专职")
    rank = tables.Column(verbose_name="职级", accessor="get_rank_display", default="—")
    separate_quota = YesNoColumn(verbose_name="职数单列")
    selection = tables.Column(verbose_name="产生方式", accessor="get_selection_display")
    term_start = DateColumn(verbose_name="任期起")
    term_end = DateColumn(verbose_name="任期止", orderable=True, order_by=("term_end", "id"))
    started_on = DateColumn(verbose_name="任职日期")
    ended_on = DateColumn(verbose_name="离任日期", default="在任")
    action = tables.Column(
        verbose_name="操作",
        accessor="pk",
        exclude_from_export=True,
        linkify=lambda record: reverse("cadres:post_end", args=[record.pk]),
    )

    def render_action(self, record) -> str:
        return "离任" if record.ended_on is None else "查看"


class StaffingTable(Table):
    name = tables.Column(verbose_name="组织", orderable=True)
    code = tables.Column(verbose_name="编码")
    kind = tables.Column(verbose_name="类型", accessor="get_kind_display")
    chair_name = tables.Column(verbose_name="主席", default="—")
    chair_full_time = YesNoColumn(verbose_name="主席专职")
    full_time_vice = YesNoColumn(verbose_name="有专职副主席")
    missing = tables.Column(verbose_name="空缺的必设职务", accessor="pk", default="—")

    def render_missing(self, record) -> str:
        return selectors.vacant_labels(record) or "—"

    def value_missing(self, record) -> str:
        return selectors.vacant_labels(record)


class RecruitmentTable(Table):
    title = tables.Column(
        verbose_name="招聘名称", linkify=lambda record: reverse("cadres:recruitment_detail", args=[record.pk])
    )
    organisation = tables.Column(verbose_name="招聘单位", accessor="organisation__name")
    positions = tables.Column(verbose_name="招聘人数")
    opened_on = DateColumn(verbose_name="报名开始", orderable=True)
    state = tables.Column(verbose_name="阶段", accessor="get_state_display")
    notice_end = DateColumn(verbose_name="公示结束", default="—")


RESULTS = dict(Evaluation.Result.choices)


class WorkerTable(Table):
    name = tables.Column(
        verbose_name="姓名", orderable=True, linkify=lambda record: reverse("cadres:worker_detail", args=[record.pk])
    )
    organisation = tables.Column(verbose_name="聘用单位", accessor="organisation__name")
    stage = tables.Column(verbose_name="阶段", accessor="get_stage_display")
    hired_on = DateColumn(verbose_name="聘用日期", orderable=True)
    pay_grade = tables.Column(verbose_name="薪酬等级", accessor="pay_grade__name", default="—")
    serving = tables.Column(verbose_name="服务工会（联络）", default="—")
    last_result = tables.Column(verbose_name="最近年度评价", default="—")

    def render_last_result(self, record) -> str:
        return f"{record.last_year} 年 {RESULTS.get(record.last_result, '')}"

    def value_last_result(self, record) -> str:
        return f"{record.last_year} 年 {RESULTS.get(record.last_result, '')}" if record.last_year else ""


class ClassTable(Table):
    title = tables.Column(
        verbose_name="培训班", linkify=lambda record: reverse("cadres:class_detail", args=[record.pk])
    )
    organisation = tables.Column(verbose_name="主办工会", accessor="organisation__name")
    mode = tables.Column(verbose_name="培训方式", accessor="get_mode_display")
    batch = tables.Column(verbose_name="批次", default="—")
    starts_on = DateColumn(verbose_name="开班日期", orderable=True, order_by=("starts_on", "id"))
    ends_on = DateColumn(verbose_name="结业日期")
    hours = tables.Column(verbose_name="学时")


class RecordTable(Table):
    name = tables.Column(verbose_name="姓名", accessor="cadre__name", orderable=True)
    organisation = tables.Column(verbose_name="所在工会", accessor="organisation__name")
    training_class = tables.Column(
        verbose_name="培训班",
        accessor="training_class__title",
        linkify=lambda record: reverse("cadres:class_detail", args=[record.training_class_id]),
    )
    mode = tables.Column(verbose_name="方式", accessor="training_class__get_mode_display")
    organiser = tables.Column(verbose_name="主办", accessor="training_class__organisation__name")
    hours = tables.Column(verbose_name="学时", accessor="training_class__hours")
    status = tables.Column(verbose_name="状态", accessor="get_status_display")
    completed_on = DateColumn(verbose_name="结业日期", default="—")


class CoverageTable(Table):
    name = tables.Column(verbose_name="姓名", accessor="cadre__name", orderable=True)
    organisation = tables.Column(verbose_name="工会（本年度最后任职）", accessor="organisation__name")
    role = tables.Column(verbose_name="职务", accessor="get_role_display")
    trained = YesNoColumn(verbose_name="已培训")
    trained_on = DateColumn(verbose_name="结业日期", default="—")
