"""Tables of the allowance's lists: the same columns on the page and in the xlsx."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse

from core.lists import DateColumn, DateTimeColumn, MoneyColumn, Table, YesNoColumn


def mask_bank_account(value: str | None) -> str:
    """6222 **** **** 1234: the bank and the last four digits, never the whole number."""
    digits = "".join(ch for ch in (value or "") if not ch.isspace())
    if not digits:
        return ""
    if len(digits) <= 8:
        return "*" * (len(digits) - 2) + digits[-2:]
    return f"{digits[:4]} **** **** {digits[-4:]}"


class AllowanceMonthTable(Table):
    file_no = tables.Column(verbose_name="档案编号", accessor="file__file_no", orderable=True)
    name = tables.Column(verbose_name="姓名", accessor="person__name")
    organisation = tables.Column(verbose_name="所属工会", accessor="file__organisation__name")
    month = DateColumn(verbose_name="补助月份", orderable=True, format="Y-m")
    amount = MoneyColumn(verbose_name="金额（元）", total=True)
    arrears = YesNoColumn(verbose_name="补发")
    cycle = tables.Column(
        verbose_name="发放周期",
        accessor="cycle",
        linkify=lambda record: reverse("funds:cycle_detail", args=[record.cycle_id]),
    )
    paid_at = DateTimeColumn(verbose_name="支付时间", accessor="payment__paid_at")


class HolidayPaymentTable(Table):
    programme = tables.Column(verbose_name="慰问项目", accessor="programme__name")
    campaign = tables.Column(verbose_name="慰问活动", accessor="entitlement__inputs__campaign")
    file_no = tables.Column(verbose_name="档案编号", accessor="entitlement__inputs__file_no")
    name = tables.Column(verbose_name="姓名", accessor="beneficiary_name")
    organisation = tables.Column(verbose_name="所属工会", accessor="beneficiary_person__organisation__name")
    explanation = tables.Column(
        verbose_name="计算说明", accessor="entitlement__explanation", attrs={"td": {"class": "small"}}
    )
    amount = MoneyColumn(verbose_name="金额（元）", total=True)
    paid_at = DateTimeColumn(verbose_name="支付时间", orderable=True)


class BankAccountColumn(tables.Column):
    """Masked on the page always; in the xlsx whole only for holders of the PII permission (the
    export is audited), since that list is what the bank pays from."""

    def render(self, value: Any) -> str:
        return mask_bank_account(value) or "—"

    def value(self, value: Any, **kwargs: Any) -> str:
        table = kwargs.get("table")
        return (value or "") if getattr(table, "full_accounts", False) else mask_bank_account(value)


class BankListTable(Table):
    file_no = tables.Column(verbose_name="档案编号", accessor="file_no")
    name = tables.Column(verbose_name="收款人", accessor="beneficiary_name")
    bank_name = tables.Column(verbose_name="开户行", accessor="bank_name", default="（未登记）")
    holder = tables.Column(verbose_name="户名", accessor="bank_holder", default="")
    account = BankAccountColumn(verbose_name="银行账号", accessor="bank_account", orderable=False, default="")
    amount = MoneyColumn(verbose_name="金额（元）", total=True)
    explanation = tables.Column(
        verbose_name="发放月份与说明", accessor="entitlement__explanation", attrs={"td": {"class": "small"}}
    )

    def __init__(self, *args: Any, full_accounts: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.full_accounts = full_accounts
