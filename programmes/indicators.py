"""Assessment indicators over the programmes' data: dues the tax bureau collected, start-up grants used.

Registered with ``assessment.registry`` in ``ready()`` (this app lies below ``assessment``, so the
indicators reading its tables live here).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone

from assessment.formulas import q1
from assessment.models import ORG_ASSESSEE_KINDS
from assessment.registry import IndicatorDef, Measure, RowColumn, Run, register_indicator
from core.money import format_yuan
from funds.models import Payment
from orgs.roles import Perm
from orgs.scope import subtree_q
from programmes.models import DuesRecord, GrantUsage

ALL_KINDS = ORG_ASSESSEE_KINDS  # organisations only: dues and grants are no social worker's


def _dues_by_owner(run: Run, year: int) -> dict[int, tuple[Decimal, list[int]]]:
    rows = (
        DuesRecord.objects.filter(subtree_q("organisation__path", run.root_path), year=year)
        .values_list("pk", "organisation__path", "dues_paid")
        .order_by("pk")
    )
    out: dict[int, tuple[Decimal, list[int]]] = {}
    for pk, path, paid in rows:
        owner = run.owner(path)
        if owner is not None:
            total, ids = out.get(owner, (Decimal(0), []))
            ids.append(pk)
            out[owner] = (total + paid, ids)
    return out


def dues_paid(run: Run) -> dict[int, Measure]:
    return {
        owner: Measure(total, ids, f"{run.year} 年税务代收工会经费 {format_yuan(total)} 元（{len(ids)} 户）")
        for owner, (total, ids) in _dues_by_owner(run, run.year).items()
    }


def dues_growth(run: Run) -> dict[int, Measure]:
    now, before = _dues_by_owner(run, run.year), _dues_by_owner(run, run.year - 1)
    out = {}
    for owner in set(now) | set(before):
        total, ids = now.get(owner, (Decimal(0), []))
        prior, prior_ids = before.get(owner, (Decimal(0), []))
        if not prior:
            out[owner] = Measure(None, ids, f"{run.year - 1} 年无缴费，不计增长率")
            continue
        growth = q1((total - prior) * 100 / prior)
        out[owner] = Measure(
            growth,
            ids + prior_ids,
            f"{run.year} 年 {format_yuan(total)} 元，{run.year - 1} 年 {format_yuan(prior)} 元，增长 {growth}%",
        )
    return out


def startup_grants_used(run: Run) -> dict[int, Measure]:
    end = datetime.combine(run.end, time.max, tzinfo=timezone.get_current_timezone())
    granted: dict[int, Decimal] = defaultdict(Decimal)
    payments = Payment.objects.filter(
        subtree_q("beneficiary_org__path", run.root_path), programme__plugin_key="startup_grant", paid_at__lte=end
    ).values_list("beneficiary_org__path", "amount")
    for path, amount in payments:
        owner = run.owner(path)
        if owner is not None:
            granted[owner] += amount
    used: dict[int, Decimal] = defaultdict(Decimal)
    usage_ids: dict[int, list[int]] = defaultdict(list)
    usages = GrantUsage.objects.filter(
        subtree_q("payment__beneficiary_org__path", run.root_path),
        payment__programme__plugin_key="startup_grant",
        spent_on__lte=run.end,
    ).values_list("pk", "payment__beneficiary_org__path", "amount")
    for pk, path, amount in usages:
        owner = run.owner(path)
        if owner is not None:
            used[owner] += amount
            usage_ids[owner].append(pk)
    out = {}
    for owner, amount in granted.items():
        share = min(Decimal(100), q1(used[owner] * 100 / amount)) if amount else Decimal(0)
        out[owner] = Measure(
            share,
            usage_ids[owner],
            f"启动经费 {format_yuan(amount)} 元，已报告使用 {format_yuan(used[owner])} 元（{share}%）",
        )
    return out


DUES_COLUMNS = (
    RowColumn("统一社会信用代码", "credit_code"),
    RowColumn("单位名称", "name"),
    RowColumn("年度", "year"),
    RowColumn("已缴工会经费", "dues_paid"),
)

INDICATORS = (
    IndicatorDef(
        "dues_paid",
        "工会经费缴纳额",
        "本年度税务代收的工会经费合计（元，按匹配到本工会及下属工会的缴费记录）",
        "元",
        ALL_KINDS,
        dues_paid,
        "programmes.DuesRecord",
        Perm.FUND_VIEW,
        DUES_COLUMNS,
        Decimal("0"),
        Decimal("100000"),
        absent_is_zero=True,
    ),
    IndicatorDef(
        "dues_growth",
        "工会经费增长率",
        "（本年度税务代收经费 − 上年度）÷ 上年度，%；上年度无缴费的不计此项",
        "%",
        ALL_KINDS,
        dues_growth,
        "programmes.DuesRecord",
        Perm.FUND_VIEW,
        DUES_COLUMNS,
        Decimal("0"),
        Decimal("10"),
    ),
    IndicatorDef(
        "startup_grants_used",
        "启动经费使用报告率",
        "期末前已拨付的新建工会启动经费中已报告使用的比例（已登记使用金额 ÷ 拨付金额，%，至多 100）；未获拨付的不计此项",
        "%",
        ALL_KINDS,
        startup_grants_used,
        "programmes.GrantUsage",
        Perm.FUND_VIEW,
        (
            RowColumn("用途", "purpose"),
            RowColumn("金额", "amount"),
            RowColumn("支出日期", "spent_on"),
            RowColumn("工会", "payment__beneficiary_org__name"),
        ),
        Decimal("0"),
        Decimal("100"),
    ),
)


def register() -> None:
    for definition in INDICATORS:
        register_indicator(definition)
