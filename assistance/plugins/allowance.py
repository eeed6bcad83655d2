"""The monthly living allowance (生活补助) as a plug-in of the funds engine: person beneficiaries,
a monthly programme paid from 3104 困难职工帮扶资金.

The rule (``month_payable``; docs/assistance-allowance.md states it): month M is payable for a file
when, on M's first day, the file

- was approved before that day (approved 31 January → February first; approved 1 February → March),
- had not exited before that day (an exit mid-month: that month is paid, the next is not), and
- is covered by a verification span (``Verification``: the approval or a yearly re-verification,
  ``done_on`` ≤ first day ≤ ``valid_until``): a lapsed month is never paid; a late re-verification
  restores payment from the next month whose first day it covers.

The month's amount is the programme's ``monthly_amount`` in force on the month's first day. Each
month is paid once ever (``AllowanceMonth``, unique per file and month): a cycle for month M pays M
and, as explicit arrears lines (补发), every earlier payable month within ``arrears_months`` that no
cycle has paid — named in the explanation, the inputs and the bank list.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse

from assistance.models import AllowanceMonth, HardshipFile, Verification
from assistance.plugins._params import int_param, money_param, refuse
from core.money import format_yuan, from_fen
from funds.engine import Param, ParameterHistory, ParamKind, PeriodSpan
from funds.models import Cycle, Entitlement, Payment

DEFAULT_MONTHLY_AMOUNT = Decimal("200.00")  # the report: 每人每月 200 元
DEFAULT_ARREARS_MONTHS = 12
MAX_ARREARS_MONTHS = 36
BATCH = 2000


# --- the month rule (pure) --------------------------------------------------------------------


def add_months(first_day: date, months: int) -> date:
    """The first day of the month ``months`` after (or before, negative) ``first_day``'s month."""
    index = first_day.year * 12 + first_day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_key(first_day: date) -> str:
    return f"{first_day.year:04d}-{first_day.month:02d}"


def month_payable(
    first_day: date,
    *,
    approved_on: date | None,
    exited_on: date | None,
    spans: Sequence[tuple[date, date]],
) -> bool:
    """Whether the allowance is payable for the month beginning ``first_day`` (see the module docstring)."""
    if approved_on is None or approved_on >= first_day:
        return False
    if exited_on is not None and exited_on < first_day:
        return False
    return any(done_on <= first_day <= valid_until for done_on, valid_until in spans)


class MonthLine(NamedTuple):
    """One month of one file in an entitlement (a tuple: a cycle builds tens of thousands)."""

    file_id: int
    file_no: str
    month: date
    amount: Decimal
    arrears: bool

    def as_input(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_no": self.file_no,
            "month": month_key(self.month),
            "amount": str(self.amount),
            "arrears": self.arrears,
        }


def explain(lines: Sequence[MonthLine], month: date) -> str:
    """The entitlement's explanation: the month itself and each arrears month, by name."""
    total = sum((ln.amount for ln in lines), Decimal("0.00"))
    current = [ln for ln in lines if not ln.arrears]
    arrears = [ln for ln in lines if ln.arrears]
    files = sorted({ln.file_no for ln in lines})
    parts = [f"档案 {'、'.join(files)}"]
    if current:
        parts.append(f"{month_key(month)} 生活补助 {format_yuan(current[0].amount)} 元")
    else:
        parts.append(f"{month_key(month)} 不符合发放条件")
    if arrears:
        named = "、".join(f"{month_key(ln.month)}（{format_yuan(ln.amount)} 元）" for ln in arrears)
        subtotal = sum((ln.amount for ln in arrears), Decimal("0.00"))
        parts.append(f"补发 {len(arrears)} 个月：{named}，计 {format_yuan(subtotal)} 元")
    return "；".join(parts) + f"；合计 {format_yuan(total)} 元"


# --- the plug-in ------------------------------------------------------------------------------


@dataclass(slots=True)
class Beneficiary:
    """A person the cycle pays, as the engine needs them (``pk`` and a name) with their months: a
    cycle of 20,000 builds no 20,000 ``Person`` instances."""

    pk: int
    name: str
    lines: list[MonthLine] = field(default_factory=list)

    def __str__(self) -> str:
        return self.name


def _month_of(period: PeriodSpan) -> date:
    start = period.start
    if start.day != 1 or add_months(start, 1).toordinal() - 1 != period.end.toordinal():
        raise ValidationError(f"生活补助按自然月发放：期间“{period.key}”不是一个月，应填写如 2026-11")
    return start


class MonthlyAllowance:
    key = "assistance_allowance"
    label = "困难职工生活补助（按月）"
    beneficiary_type = "person"
    uses_parameter_history = True  # each month (the arrears too) at the amount in force on its first day
    parameters = (
        Param(
            "monthly_amount",
            "每月补助标准（元）",
            ParamKind.MONEY,
            default=str(DEFAULT_MONTHLY_AMOUNT),
            minimum=Decimal("0.01"),
            help="在档困难职工每人每月的生活补助；各月按该月第一天生效的标准计算",
        ),
        Param(
            "arrears_months",
            "补发追溯月数",
            ParamKind.INT,
            default=DEFAULT_ARREARS_MONTHS,
            minimum=0,
            maximum=MAX_ARREARS_MONTHS,
            help="本月之前多少个月内应发未发的月份在本月补发（逐月列明）；更早的月份须另行处理",
        ),
    )

    def validate_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(params, dict):
            raise refuse("monthly_amount", "参数格式错误")
        amount = money_param(params, "monthly_amount", "每月补助标准", minimum=Decimal("0.01"))
        months = int_param(
            params,
            "arrears_months",
            "补发追溯月数",
            default=DEFAULT_ARREARS_MONTHS,
            minimum=0,
            maximum=MAX_ARREARS_MONTHS,
        )
        return {"monthly_amount": str(amount), "arrears_months": months}

    def eligible(
        self, period: PeriodSpan, params: dict[str, Any], *, history: ParameterHistory | None = None
    ) -> Iterable[Beneficiary]:
        """Everyone with a payable month in the window, with those months: three queries (files,
        verification spans in the window, months already paid), the rule applied in Python."""
        month = _month_of(period)
        window_start = add_months(month, -int(params["arrears_months"]))
        months = [add_months(window_start, i) for i in range(int(params["arrears_months"]) + 1)]
        amounts = {m: _amount_on(m, params, history) for m in months}
        files = HardshipFile.objects.filter(
            state__in=[HardshipFile.State.ACTIVE, HardshipFile.State.EXITED], approved_on__lt=month
        ).filter(Q(exited_on__isnull=True) | Q(exited_on__gte=window_start))
        file_ids = files.values("pk")
        spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
        for file_id, done_on, valid_until in Verification.objects.filter(
            file__in=file_ids, valid_until__gte=window_start, done_on__lte=month
        ).values_list("file_id", "done_on", "valid_until"):
            spans[file_id].append((done_on, valid_until))
        # A month whose own cycle is still open (computed, reviewed, approving) is that cycle's to
        # pay: a later cycle does not take it as arrears (once that cycle is paid, what it left out is).
        held = {
            date.fromisoformat(f"{key}-01")
            for key in Cycle.objects.filter(programme__plugin_key=self.key)
            .exclude(state__in=[Cycle.State.PAID, Cycle.State.FAILED])
            .exclude(period_key=period.key)
            .values_list("period_key", flat=True)
            if len(key) == 7
        }
        months = [m for m in months if m == month or m not in held]
        paid: set[tuple[int, date]] = set(
            AllowanceMonth.objects.filter(file__in=file_ids, month__gte=window_start, month__lte=month).values_list(
                "file_id", "month"
            )
        )
        beneficiaries: dict[int, Beneficiary] = {}
        rows = files.order_by("organisation__path", "file_no").values_list(
            "pk", "file_no", "person_id", "person__name", "approved_on", "exited_on"
        )
        for file_id, file_no, person_id, name, approved_on, exited_on in rows.iterator(chunk_size=BATCH):
            file_spans = spans.get(file_id, ())
            for m in months[bisect_right(months, approved_on) :]:  # months after approval only
                amount = amounts[m]
                if amount is None or (file_id, m) in paid:
                    continue
                if month_payable(m, approved_on=approved_on, exited_on=exited_on, spans=file_spans):
                    if person_id not in beneficiaries:
                        beneficiaries[person_id] = Beneficiary(person_id, name)
                    beneficiaries[person_id].lines.append(MonthLine(file_id, file_no, m, amount, m != month))
        for b in beneficiaries.values():
            b.lines.sort(key=lambda ln: ln.month)
        return list(beneficiaries.values())

    def compute(self, person: Beneficiary, period: PeriodSpan, params: dict[str, Any]) -> tuple[Decimal, str, dict]:
        lines = person.lines
        month = period.start
        total = sum((ln.amount for ln in lines), Decimal("0.00"))
        inputs = {
            "month": month_key(month),
            "months": [ln.as_input() for ln in lines],
            "arrears_count": sum(1 for ln in lines if ln.arrears),
        }
        return total, explain(lines, month), inputs

    def cycle_links(self, cycle: Cycle) -> list[tuple[str, str]]:
        if cycle.state != Cycle.State.PAID:
            return []
        return [("银行代发清单（含账号与发放月份）", reverse("assistance:allowance_bank_list", args=[cycle.pk]))]

    def after_payment(self, cycle: Cycle) -> None:
        """Claim every month the cycle's payments paid (in the approval's transaction): a month some
        other cycle paid meanwhile makes the approval fail whole, naming the file and month.

        Set-based: the months are read out of each paid entitlement's ``inputs`` inside the database
        (``json_each`` / ``jsonb_array_elements``), checked against the payments in one query and
        claimed with one ``INSERT … SELECT`` — no row becomes a Python object."""
        months_sql, params = _paid_months_sql(cycle)
        qn = connection.ops.quote_name
        payment = qn(Payment._meta.db_table)
        with connection.cursor() as cursor:
            # A month is paid whole or not at all: the months' ledger must agree with the money.
            cursor.execute(
                f"SELECT p.beneficiary_name, p.amount, COALESCE(SUM(m.amount), 0) FROM {payment} p "
                f"LEFT JOIN ({months_sql}) m ON m.payment_id = p.id WHERE p.cycle_id = %s "
                f"GROUP BY p.id, p.beneficiary_name, p.amount HAVING p.amount <> COALESCE(SUM(m.amount), 0) "
                f"ORDER BY p.id LIMIT 1",
                [*params, cycle.pk],
            )
            mismatch = cursor.fetchone()
        if mismatch:
            name, paid, owed = mismatch
            raise ValidationError(
                f"生活补助按月核定：{name} 的核定金额 {format_yuan(from_fen(paid))} 元与所列月份合计 "
                f"{format_yuan(from_fen(owed))} 元不符；如需暂缓发放，请将其金额调整为 0（该月份以后补发）"
            )
        table = qn(AllowanceMonth._meta.db_table)
        columns = ", ".join(qn(c) for c in CLAIM_COLUMNS)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT file_id, person_id, month, amount, arrears, %s, %s, "
                    f"payment_id FROM ({months_sql}) m ORDER BY payment_id, month",
                    [cycle.programme_id, cycle.pk, *params],
                )
        except IntegrityError:
            raise ValidationError(_already_paid_message(months_sql, params)) from None


CLAIM_COLUMNS = ("file_id", "person_id", "month", "amount", "arrears", "programme_id", "cycle_id", "payment_id")


def _paid_months_sql(cycle: Cycle) -> tuple[str, list[Any]]:
    """A SELECT of one row per month listed in the ``inputs`` of each payment of ``cycle``:
    payment_id, person_id, file_id, month (its first day), amount (fen, as money is stored) and arrears."""
    qn = connection.ops.quote_name
    payment, entitlement = qn(Payment._meta.db_table), qn(Entitlement._meta.db_table)
    joined = f"FROM {payment} p JOIN {entitlement} e ON e.id = p.entitlement_id"
    if connection.vendor == "postgresql":
        sql = (
            "SELECT p.id AS payment_id, p.beneficiary_person_id AS person_id, (j->>'file_id')::bigint AS file_id, "
            "((j->>'month') || '-01')::date AS month, round((j->>'amount')::numeric * 100)::bigint AS amount, "
            "(j->>'arrears')::boolean AS arrears "
            f"{joined} CROSS JOIN LATERAL jsonb_array_elements(COALESCE(e.inputs->'months', '[]'::jsonb)) j "
            "WHERE p.cycle_id = %s"
        )
    else:
        # The amounts are two-decimal strings ("200.00"): × 100 as a double is exact after rounding
        # for any amount below 2^53 fen.
        sql = (
            "SELECT p.id AS payment_id, p.beneficiary_person_id AS person_id, "
            "CAST(json_extract(j.value, '$.file_id') AS INTEGER) AS file_id, "
            "json_extract(j.value, '$.month') || '-01' AS month, "
            "CAST(ROUND(CAST(json_extract(j.value, '$.amount') AS REAL) * 100) AS INTEGER) AS amount, "
            "CASE WHEN json_extract(j.value, '$.arrears') THEN 1 ELSE 0 END AS arrears "
            f"{joined}, json_each(e.inputs, '$.months') j WHERE p.cycle_id = %s"
        )
    return sql, [cycle.pk]


def _amount_on(first_day: date, params: dict[str, Any], history: ParameterHistory | None) -> Decimal | None:
    """The monthly amount in force on ``first_day``; None when no parameter version was (not payable)."""
    if history is None:
        return Decimal(params["monthly_amount"])
    in_force = history(first_day)
    return Decimal(in_force[1]["monthly_amount"]) if in_force else None


def _already_paid_message(months_sql: str, params: list[Any]) -> str:
    """Name (up to five of) the files and months another cycle has paid (the refused claim's failure path)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT file_id, month FROM ({months_sql}) m", params)
        claims = cursor.fetchall()
    taken = (
        AllowanceMonth.objects.filter(file_id__in={c[0] for c in claims}, month__in={c[1] for c in claims})
        .select_related("file")
        .order_by("file__file_no", "month")[:5]
    )
    named = "、".join(f"{t.file.file_no} {month_key(t.month)}" for t in taken) or "部分月份"
    return f"以下档案月份的生活补助已由其他周期发放，本次审批未执行：{named}；请重新计算本周期后再审批"


PLUGINS = (MonthlyAllowance(),)
