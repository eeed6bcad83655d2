"""The funds lists' columns: each serves the page and its ``?export=xlsx`` alike (core.lists)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.lists import DateColumn, DateTimeColumn, MoneyColumn, Table


def _link(name: str, *args: Any) -> Any:
    return lambda record: reverse(name, args=[a(record) for a in args])


class EntryTable(Table):
    date = DateColumn(verbose_name="日期", orderable=True, order_by=("date", "id"))
    number = tables.Column(
        verbose_name="凭证号",
        accessor="pk",
        orderable=True,
        linkify=_link("funds:entry_detail", lambda e: e.pk),
    )
    description = tables.Column(verbose_name="摘要")
    amount = MoneyColumn(verbose_name="金额", total=True, orderable=True)
    rule = tables.Column(verbose_name="依据", attrs={"td": {"class": "small text-secondary"}})
    prepared_by = tables.Column(verbose_name="制单人", default="—")
    approved_by = tables.Column(verbose_name="审批人", default="—")
    reversal_of = tables.Column(verbose_name="冲销的原凭证", accessor="reversal_of__number", visible=False)

    def render_number(self, record: Any) -> str:
        badge = mark_safe(' <span class="badge bg-orange-lt">冲销</span>') if record.reversal_of_id else ""
        return format_html("{}{}", record.number, badge)

    def value_number(self, record: Any) -> str:
        return record.number


class AccountTable(Table):
    code = tables.Column(
        verbose_name="科目编码", orderable=True, linkify=_link("funds:account_detail", lambda a: a.code)
    )
    name = tables.Column(verbose_name="科目名称")
    type = tables.Column(verbose_name="类别")
    organisation = tables.Column(verbose_name="所属组织", accessor="organisation__name")
    debit_total = MoneyColumn(verbose_name="借方合计")
    credit_total = MoneyColumn(verbose_name="贷方合计")
    balance = MoneyColumn(verbose_name="余额", attrs={"td": {"class": "text-end text-nowrap fw-bold"}})


class PaymentTable(Table):
    beneficiary_name = tables.Column(verbose_name="收款单位/人")
    org_code = tables.Column(verbose_name="组织编码", accessor="beneficiary_org__code", visible=False, default="")
    credit_code = tables.Column(
        verbose_name="统一社会信用代码", accessor="beneficiary_org__credit_code", visible=False, default=""
    )
    programme = tables.Column(verbose_name="项目", accessor="programme__name")
    period_key = tables.Column(verbose_name="期间", orderable=True)
    amount = MoneyColumn(verbose_name="金额", total=True, orderable=True)
    entry = tables.Column(
        verbose_name="凭证号", accessor="entry__number", linkify=_link("funds:entry_detail", lambda p: p.entry_id)
    )
    status = tables.Column(verbose_name="支付状态", accessor="get_status_display")
    paid_at = DateTimeColumn(verbose_name="审批入账时间", orderable=True, order_by=("paid_at", "id"))


class ProgrammeTable(Table):
    code = tables.Column(verbose_name="编码", orderable=True)
    name = tables.Column(verbose_name="项目", linkify=_link("funds:programme_detail", lambda p: p.code), orderable=True)
    beneficiary_type = tables.Column(verbose_name="受益对象")
    period_type = tables.Column(verbose_name="周期")
    fund = tables.Column(verbose_name="支付基金", accessor="fund__name")
    steps = tables.Column(verbose_name="审批环节", accessor="step_labels")
    prorate = tables.Column(verbose_name="余额不足时")

    def render_steps(self, value: list[str]) -> str:
        return " → ".join(value)

    def value_steps(self, value: list[str]) -> str:
        return self.render_steps(value)

    def render_prorate(self, value: bool) -> str:
        return "按比例核减" if value else "拒绝审批"

    def value_prorate(self, value: bool) -> str:
        return self.render_prorate(value)


class CycleTable(Table):
    programme = tables.Column(verbose_name="项目", accessor="programme__name")
    period_key = tables.Column(verbose_name="期间", orderable=True, linkify=_link("funds:cycle_detail", lambda c: c.pk))
    state = tables.Column(verbose_name="状态")
    total = MoneyColumn(verbose_name="合计", total=True, orderable=True)
    beneficiaries = tables.Column(verbose_name="对象数", attrs={"td": {"class": "text-end"}})
    prepared_by = tables.Column(verbose_name="制单", default="—")
    reviewed_by = tables.Column(verbose_name="复核", default="—")
    paid_at = DateTimeColumn(verbose_name="支付时间", default="—")


class DonationTable(Table):
    receipt_no = tables.Column(verbose_name="收据编号", orderable=True)
    received_on = DateColumn(verbose_name="到账日期", orderable=True, order_by=("received_on", "id"))
    donor = tables.Column(verbose_name="捐赠方", accessor="shown_donor")
    donor_kind = tables.Column(verbose_name="类型")
    amount = MoneyColumn(verbose_name="金额", total=True, orderable=True)
    fund = tables.Column(verbose_name="接收基金", accessor="fund__name")
    note = tables.Column(verbose_name="备注", visible=False, default="")
    receipt = tables.Column(
        verbose_name="",
        accessor="pk",
        exclude_from_export=True,
        linkify=_link("funds:donation_receipt", lambda d: d.pk),
    )

    def render_receipt(self) -> str:
        return "收据"


class EntitlementTable(Table):
    """A cycle's entitlements; ``adjustable`` adds the 调整 link (a preparer, while the cycle is editable)."""

    beneficiary_name = tables.Column(verbose_name="受益对象")
    explanation = tables.Column(verbose_name="计算说明", attrs={"td": {"class": "small"}})
    amount = MoneyColumn(verbose_name="计算金额", total=True)
    adjusted_amount = MoneyColumn(verbose_name="调整后金额", default="")
    adjust_reason = tables.Column(verbose_name="调整理由", visible=False, default="")
    approved_amount = MoneyColumn(verbose_name="核定金额", total=True, default="")
    adjust = tables.Column(verbose_name="", accessor="pk", exclude_from_export=True, empty_values=())

    def __init__(self, *args: Any, adjustable: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.adjustable = adjustable

    def render_explanation(self, value: str, record: Any) -> str:
        if not record.adjust_reason:
            return value
        return format_html(
            '{}<div class="text-warning">调整理由：{}（{}）</div>', value, record.adjust_reason, record.adjusted_by
        )

    def render_adjust(self, record: Any) -> str:
        if not self.adjustable:
            return ""
        return format_html('<a href="{}">调整</a>', reverse("funds:entitlement_adjust", args=[record.pk]))
