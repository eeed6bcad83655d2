"""Columns of the bank pages (docs/bank.md): the same on the page and in the xlsx (core.lists).
Account numbers are masked in every list and export; only the bank file carries them whole."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse

from core.lists import DateColumn, DateTimeColumn, MaskedColumn, MoneyColumn, Table
from funds.models import mask_bank_number


def _link(name: str, *args: Any) -> Any:
    return lambda record: reverse(name, args=[a(record) for a in args])


class BatchTable(Table):
    number = tables.Column(
        verbose_name="批次号", orderable=True, linkify=_link("funds:batch_detail", lambda b: b.pk), order_by=("id",)
    )
    state = tables.Column(verbose_name="状态", accessor="get_state_display")
    count = tables.Column(verbose_name="笔数")
    total = MoneyColumn(verbose_name="合计", total=True)
    checksum = tables.Column(verbose_name="金额校验码", attrs={"td": {"class": "font-monospace small"}})
    created_by = tables.Column(verbose_name="编制人")
    created_at = DateTimeColumn(verbose_name="编制时间", orderable=True, order_by=("created_at", "id"))
    sent_at = DateTimeColumn(verbose_name="发送时间", default="—")


class BatchLineTable(Table):
    seq = tables.Column(verbose_name="序号")
    reference = tables.Column(verbose_name="业务参考号", attrs={"td": {"class": "font-monospace small"}})
    beneficiary = tables.Column(verbose_name="收款单位/人", accessor="payment__beneficiary_name")
    holder = tables.Column(verbose_name="户名", accessor="account__holder_name")
    number = MaskedColumn(verbose_name="账号", accessor="account__number", mask=mask_bank_number)
    amount = MoneyColumn(verbose_name="金额", total=True)
    result = tables.Column(verbose_name="银行结果", accessor="get_result_display")
    reason = tables.Column(verbose_name="退回原因", default="")


class PayeeAccountTable(Table):
    owner = tables.Column(
        verbose_name="收款对象", accessor="owner_name", linkify=_link("funds:payee_account_detail", lambda a: a.pk)
    )
    holder_name = tables.Column(verbose_name="户名")
    number = MaskedColumn(verbose_name="账号", mask=mask_bank_number)
    bank_name = tables.Column(verbose_name="开户行")
    bank_code = tables.Column(verbose_name="联行号")
    valid_from = DateColumn(verbose_name="启用日期", orderable=True)
    valid_to = DateColumn(verbose_name="停用日期", default="—")
    status = tables.Column(verbose_name="核验状态", accessor="get_status_display")
    entered_by = tables.Column(verbose_name="录入人")
    verified_by = tables.Column(verbose_name="核验人", default="—")


class MissingAccountTable(Table):
    beneficiary_name = tables.Column(verbose_name="收款单位/人", orderable=True)
    programme = tables.Column(verbose_name="项目", accessor="programme__name")
    period_key = tables.Column(verbose_name="期间")
    amount = MoneyColumn(verbose_name="金额", total=True)
    action = tables.Column(verbose_name="操作", accessor="pk", exclude_from_export=True)

    def render_action(self, record: Any) -> Any:
        from django.utils.html import format_html

        if record.beneficiary_org_id:
            url = reverse("funds:payee_account_new", args=["org", record.beneficiary_org_id])
            return format_html('<a href="{}" data-testid="enter-account">登记账户</a>', url)
        return "在困难职工档案中登记"


class ReturnedTable(Table):
    beneficiary_name = tables.Column(verbose_name="收款单位/人", orderable=True)
    programme = tables.Column(verbose_name="项目", accessor="programme__name")
    period_key = tables.Column(verbose_name="期间")
    amount = MoneyColumn(verbose_name="金额", total=True)
    return_reason = tables.Column(verbose_name="退回原因")
    status_at = DateTimeColumn(verbose_name="退回时间", orderable=True, order_by=("status_at", "id"))
    stage = tables.Column(verbose_name="进度", accessor="pk", exclude_from_export=True)

    def render_stage(self, record: Any) -> Any:
        from django.utils.html import format_html

        url = reverse("funds:returned_detail", args=[record.pk])
        return format_html('<a href="{}" data-testid="returned-open">{}</a>', url, self.value_stage(record))

    def value_stage(self, record: Any) -> str:
        request = getattr(
            record, "reissue_request", None
        )  # none yet: the reverse accessor raises, getattr answers None
        return "重新支付待审批" if request is not None else "待更正账户、申请重新支付"
