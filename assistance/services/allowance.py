"""Running the monthly living allowance: a month's cycle created (or reused) and computed by the
funds engine, and what it holds summed for a person to read. Approval stays a person's act on the
cycle page (four-eyes: whoever prepared never approves; the system actor never approves)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum

from assistance.plugins.allowance import DEFAULT_ARREARS_MONTHS, DEFAULT_MONTHLY_AMOUNT, MonthlyAllowance
from core.money import format_yuan
from funds import services as funds_services
from funds.models import Account, Cycle, Entitlement, Payment, Programme
from funds.tasks import cycle_compute_run
from orgs.models import Organisation

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
ALLOWANCE_FUND = "3104"


def parse_month(raw: str) -> str:
    """A month as the command and pages take it ("2026-03"), refused in Chinese when it is not one."""
    text = (raw or "").strip()
    m = _MONTH.match(text)
    if not m:
        raise ValidationError(f"月份格式错误：“{raw}”，应填写如 2026-03")
    year, month = int(m.group(1)), int(m.group(2))
    if not 2000 <= year <= 2100:
        raise ValidationError(f"月份“{raw}”的年份 {year} 无效：应在 2000 年至 2100 年之间")
    if not 1 <= month <= 12:
        raise ValidationError(f"月份“{raw}”的月 {month} 无效：应为 01 至 12")
    return f"{year:04d}-{month:02d}"


def allowance_programme(code: str | None = None) -> Programme:
    """The allowance programme: the one named, or the only active one."""
    qs = Programme.objects.filter(plugin_key=MonthlyAllowance.key, active=True)
    if code:
        programme = qs.filter(code=code).first()
        if programme is None:
            raise ValidationError(f"没有编码为“{code}”的启用中的生活补助项目")
        return programme
    found = list(qs[:2])
    if not found:
        raise ValidationError("尚未设立生活补助项目：请先在资金项目中按“困难职工生活补助（按月）”规则设立")
    if len(found) > 1:
        raise ValidationError("有多个启用中的生活补助项目，请用 --programme 指明项目编码")
    return found[0]


@dataclass(frozen=True)
class AllowanceRun:
    cycle: Cycle
    created: bool
    people: int
    files: int
    total: Decimal
    arrears_months: int
    arrears_total: Decimal
    paid_people: int
    paid_total: Decimal

    def lines(self) -> list[str]:
        c = self.cycle
        head = f"{c.programme.name} {c.period_key}：发放周期 #{c.pk}（{'新建' if self.created else '已有'}，{c.get_state_display()}）"
        out = [head]
        if c.state == Cycle.State.FAILED:
            out.append(f"计算失败：{c.error}")
            return out
        if c.state == Cycle.State.PAID:
            out.append(f"本月已支付：{self.paid_people} 人，{format_yuan(self.paid_total)} 元；本次未再发放任何款项")
            return out
        out.append(
            f"应发 {self.people} 人（档案 {self.files} 户），合计 {format_yuan(self.total)} 元；"
            f"其中补发 {self.arrears_months} 个月，{format_yuan(self.arrears_total)} 元"
        )
        out.append("待财务复核、审批人审批后支付（发放周期页面），命令不代为审批")
        return out


def _summary(cycle: Cycle, created: bool) -> AllowanceRun:
    people = files = arrears_months = 0
    arrears_total = Decimal("0.00")
    file_ids: set[int] = set()
    for inputs in Entitlement.objects.filter(cycle=cycle).values_list("inputs", flat=True).iterator(chunk_size=2000):
        people += 1
        for line in (inputs or {}).get("months", ()):
            file_ids.add(line["file_id"])
            if line["arrears"]:
                arrears_months += 1
                arrears_total += Decimal(line["amount"])
    files = len(file_ids)
    paid = Payment.objects.filter(cycle=cycle).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    return AllowanceRun(
        cycle=cycle,
        created=created,
        people=people,
        files=files,
        total=cycle.total,
        arrears_months=arrears_months,
        arrears_total=arrears_total,
        paid_people=Payment.objects.filter(cycle=cycle).count(),
        paid_total=paid,
    )


def allowance_month_run(
    *, actor: Any, month: str, programme_code: str | None = None, recompute: bool = False
) -> AllowanceRun:
    """Create the month's cycle and compute it, or reuse the one there is (recomputed on request while
    it is not approved). Never approves: a paid month stays paid, an unpaid one waits for its approvers."""
    key = parse_month(month)
    programme = allowance_programme(programme_code)
    cycle = Cycle.objects.filter(programme=programme, period_key=key).first()
    created = cycle is None
    if created:
        cycle = funds_services.cycle_create(actor=actor, programme=programme, period_key=key)
    elif recompute and cycle.state in (Cycle.State.COMPUTED, Cycle.State.REVIEWED, Cycle.State.FAILED):
        cycle = funds_services.cycle_recompute(actor=actor, cycle=cycle)
    if cycle.state == Cycle.State.COMPUTING:
        # The command waits for the figures it prints: run the computation here if no worker has.
        cycle_compute_run(cycle.pk)
    cycle.refresh_from_db()
    return _summary(cycle, created)


def allowance_programme_ensure(
    *,
    actor: Any,
    organisation: Organisation,
    code: str = "SHBZ",
    effective_from: date,
    approval_chain: list[dict[str, str]] | None = None,
) -> Programme:
    """The district's allowance programme with its default parameters (idempotent; the demo uses it)."""
    existing = Programme.objects.filter(code=code).first()
    if existing is not None:
        return existing
    fund = Account.objects.filter(code=ALLOWANCE_FUND).first()
    if fund is None:
        raise ValidationError(f"尚未设置{ALLOWANCE_FUND}困难职工帮扶资金科目")
    programme = funds_services.programme_create(
        actor=actor,
        code=code,
        name="困难职工生活补助",
        plugin_key=MonthlyAllowance.key,
        period_type=Programme.PeriodType.MONTHLY,
        fund=fund,
        organisation=organisation,
        approval_chain=approval_chain,
        description="在档困难职工每人每月生活补助；按月发放，应发未发的月份逐月补发",
    )
    funds_services.parameter_version_add(
        actor=actor,
        programme=programme,
        effective_from=effective_from,
        params={"monthly_amount": str(DEFAULT_MONTHLY_AMOUNT), "arrears_months": DEFAULT_ARREARS_MONTHS},
        note="每人每月 200 元（改革方案）",
    )
    return programme
