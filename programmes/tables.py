"""The organisation programmes' lists: start-up grants and the tax bureau's dues (page and xlsx alike)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse

from core.lists import DateTimeColumn, MoneyColumn, Table


class GrantTable(Table):
    beneficiary_name = tables.Column(
        verbose_name="工会", linkify=lambda record: reverse("programmes:grant_detail", args=[record.pk])
    )
    period_key = tables.Column(verbose_name="批次")
    amount = MoneyColumn(verbose_name="拨付金额", total=True, orderable=True)
    spent = MoneyColumn(verbose_name="已使用", total=True)
    unspent = MoneyColumn(verbose_name="未使用", total=True, orderable=True)
    paid_at = DateTimeColumn(verbose_name="拨付时间", format="Y-m-d", orderable=True, order_by=("paid_at", "id"))


class DuesTable(Table):
    credit_code = tables.Column(verbose_name="统一社会信用代码", orderable=True)
    name = tables.Column(verbose_name="单位名称")
    year = tables.Column(verbose_name="年度", orderable=True)
    payroll_base = MoneyColumn(verbose_name="工资总额", total=True)
    dues_paid = MoneyColumn(verbose_name="已缴工会经费", total=True, orderable=True)
    organisation = tables.Column(verbose_name="匹配工会", accessor="organisation__name", default="未匹配")
