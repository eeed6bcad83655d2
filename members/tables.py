"""The member list's columns: the page shows the visible ones, ``?export=xlsx`` writes all of them."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.crypto import mask_id_number, mask_landline, mask_phone
from core.lists import DateColumn, MaskedColumn, Table, YesNoColumn
from members.models import Membership


class MemberTable(Table):
    member_no = tables.Column(verbose_name="会员编号", orderable=True)
    name = tables.Column(
        verbose_name="姓名",
        accessor="person__name",
        order_by=("person__name", "pk"),
        orderable=True,
        linkify=lambda record: reverse("members:detail", args=[record.person_id]),
    )
    sex = tables.Column(verbose_name="性别", accessor="person__sex")
    id_number = MaskedColumn(verbose_name="身份证号", accessor="person__id_number", mask=mask_id_number)
    mobile = MaskedColumn(verbose_name="手机号", accessor="person__mobile", mask=mask_phone)
    phone = MaskedColumn(verbose_name="联系电话", accessor="person__phone", mask=mask_landline, visible=False)
    organisation_code = tables.Column(verbose_name="所属工会编码", accessor="organisation__code", visible=False)
    organisation = tables.Column(verbose_name="所属工会", accessor="organisation__name")
    status = tables.Column(verbose_name="会籍状态")
    joined_on = DateColumn(verbose_name="入会日期", orderable=True, order_by=("joined_on", "pk"))
    ended_on = DateColumn(verbose_name="终止日期", visible=False)
    ethnicity = tables.Column(verbose_name="民族", accessor="person__ethnicity", visible=False)
    education = tables.Column(verbose_name="学历", accessor="person__education", visible=False)
    political_status = tables.Column(verbose_name="政治面貌", accessor="person__political_status", visible=False)
    employer = tables.Column(verbose_name="工作单位", accessor="person__employer", visible=False)
    post = tables.Column(verbose_name="岗位", accessor="person__post", visible=False)
    skill_level = tables.Column(verbose_name="技能等级", accessor="person__skill_level", visible=False)
    hukou_type = tables.Column(verbose_name="户籍类型", accessor="person__hukou_type", visible=False)
    migrant = YesNoColumn(verbose_name="农民工", accessor="person__is_migrant_worker")

    def render_status(self, record: Membership, value: str) -> Any:
        colour = "bg-green-lt" if record.status == Membership.Status.ACTIVE else "bg-secondary-lt"
        return format_html('<span class="badge {}">{}</span>', colour, value)

    def value_status(self, value: str) -> str:
        return value
