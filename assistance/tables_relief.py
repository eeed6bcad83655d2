"""Columns of the relief and scholarship lists (the page and its xlsx alike). No illness, no ID number:
the list is read by more people than need the medical facts; they are on the application's page."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables

from assistance.models import ReliefApplication
from core.lists import DateColumn, MoneyColumn, Table
from core.money import format_yuan


class ReliefTable(Table):
    number = tables.Column(
        verbose_name="编号", linkify=("assistance:relief_detail", {"pk": tables.A("pk")}), orderable=True
    )
    person = tables.Column(verbose_name="申请职工", accessor="person__name")
    organisation = tables.Column(verbose_name="所属工会", accessor="organisation__name")
    applied_on = DateColumn(verbose_name="申请日期", orderable=True, order_by=("applied_on", "id"))
    out_of_pocket = MoneyColumn(verbose_name="个人自付", total=True)
    state = tables.Column(verbose_name="状态", orderable=True)
    payment = tables.Column(verbose_name="支付", accessor="pk", orderable=False)
    amount = MoneyColumn(verbose_name="救助金额", total=True)

    def render_payment(self, record: ReliefApplication) -> str:
        return record.payment_status or "—"

    def value_payment(self, record: ReliefApplication) -> str:
        return record.payment_status

    def render_amount(self, value: Any) -> str:
        return format_yuan(value) if value is not None else "—"


class ScholarshipTable(Table):
    number = tables.Column(
        verbose_name="编号", linkify=("assistance:scholarship_detail", {"pk": tables.A("pk")}), orderable=True
    )
    year = tables.Column(verbose_name="年度", orderable=True)
    person = tables.Column(verbose_name="困难职工", accessor="person__name")
    child_name = tables.Column(verbose_name="子女")
    level = tables.Column(verbose_name="就读阶段")
    school = tables.Column(verbose_name="学校")
    organisation = tables.Column(verbose_name="所属工会", accessor="organisation__name")
    state = tables.Column(verbose_name="状态", orderable=True)
    amount = MoneyColumn(verbose_name="助学金额", total=True)

    def render_amount(self, value: Any) -> str:
        return format_yuan(value) if value is not None else "—"
