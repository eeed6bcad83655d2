"""Demo money: fund accounts and budgets, the warmth-fund donations, and the three organisation
programmes run through their cycles (start-up grants paid, a dues-rebate year, the joint-union
pilot in 仁和镇, 后沙峪镇 and 胜利街道). Deterministic and idempotent (each part is skipped when present).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from activities.models import Activity
from assessment.demo import publish_joint_unions
from core.models import User
from core.money import format_yuan
from core.system import system_actor
from funds import services, tasks
from funds.models import BudgetAllocation, Cycle, Donation, Payment, Programme
from orgs.models import Organisation
from orgs.scope import subtree_q
from programmes.models import DuesRecord, GrantUsage
from programmes.services import dues_import, grant_usage_record

SEED = 20171010
K = Organisation.Kind

ALLOCATIONS = [
    ("3101", "500000.00", "年度预算：基层新建工会组织专项基金"),
    ("3102", "600000.00", "年度预算：税务代收经费返还"),
    ("3103", "300000.00", "年度预算：联合工会经费保障试点"),
    ("3104", "300000.00", "年度预算：困难职工帮扶"),
    ("3106", "300000.00", "年度预算：金秋助学"),
]
MEMBER_LINKED_FUNDS = {"3101", "3103"}
# 北京市温暖基金会(顺义区)职工专项温暖基金: 10 donors, about 150,000 yuan.
DONATIONS = [
    ("unit", "30000.00"),
    ("unit", "20000.00"),
    ("unit", "20000.00"),
    ("unit", "15000.00"),
    ("unit", "15000.00"),
    ("unit", "12000.00"),
    ("unit", "10000.00"),
    ("unit", "10000.00"),
    ("unit", "10000.00"),
    ("person", "9200.00"),
]
STARTUP_PARAMS = {
    "window_start": "2024-01-01",
    "window_end": "2026-06-30",
    "count_days_after_founding": 365,
    "tiers": [
        {"min_members": 1, "rate": "150.00"},
        {"min_members": 51, "rate": "120.00"},
        {"min_members": 201, "rate": "100.00"},
    ],
}
DUES_PARAMS = {"retention_ratio": "0.40", "growth_share": "0.5", "new_share": "1", "require_assessment_pass": False}
JOINT_PARAMS = {
    "member_rate": "20.00",
    "activity_rate": "500.00",
    "activity_cap": "3000.00",
    "assessment_base": "5000.00",
    "score_bands": [
        {"min_score": "90", "coefficient": "1.2"},
        {"min_score": "80", "coefficient": "1.0"},
        {"min_score": "60", "coefficient": "0.6"},
    ],
    "pilot_only": True,
}
PILOT_AREAS = ("SY-101", "SY-102", "SY-201")  # 仁和镇, 后沙峪镇, 胜利街道: two joint unions each


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _pilot_unions(root: Organisation) -> list[Organisation]:
    chosen = []
    for code in PILOT_AREAS:
        area = Organisation.objects.filter(code=code).first()
        if area is None:
            continue
        chosen += list(
            Organisation.objects.filter(subtree_q("path", area.path))
            .filter(kind__in=[K.VILLAGE_JOINT, K.COMMUNITY_JOINT], status=Organisation.Status.ACTIVE)
            .order_by("code")[:2]
        )
    return chosen


def _programme(root, code, name, plugin_key, period_type, fund, params, chain, description) -> Programme:
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        programme = services.programme_create(
            actor=system_actor(),
            code=code,
            name=name,
            plugin_key=plugin_key,
            period_type=period_type,
            fund=fund,
            organisation=root,
            approval_chain=chain,
            description=description,
        )
        services.parameter_version_add(
            actor=system_actor(), programme=programme, effective_from=date(2024, 1, 1), params=params, note="试行办法"
        )
    return programme


def _run(programme: Programme, key: str, preparer, approver, *, pay: bool = True) -> Cycle:
    cycle = Cycle.objects.filter(programme=programme, period_key=key).first()
    if cycle is None:
        cycle = services.cycle_create(actor=preparer, programme=programme, period_key=key)
    if cycle.state == Cycle.State.COMPUTING:  # no task worker runs during the demo command: compute here
        tasks.cycle_compute_run(cycle.pk)
        cycle.refresh_from_db()
    if pay and cycle.state == Cycle.State.COMPUTED:
        cycle = services.cycle_review(actor=preparer, cycle=cycle)
    if pay and cycle.state == Cycle.State.REVIEWED:
        cycle = services.cycle_approve(actor=approver, cycle=cycle)
    return cycle


def _dues_csv(rows: list[tuple[str, str, int, Decimal, Decimal]]) -> bytes:
    lines = ["统一社会信用代码,单位名称,年度,工资总额,已缴工会经费"]
    lines += [f"{c},{n},{y},{p},{d}" for c, n, y, p, d in rows]
    return "\n".join(lines).encode("utf-8")


def _dues(root: Organisation, rng: random.Random, preparer) -> None:
    if DuesRecord.objects.exists():
        return
    firms = list(
        Organisation.objects.filter(kind=K.ENTERPRISE, status=Organisation.Status.ACTIVE)
        .exclude(credit_code="")
        .order_by("code")
    )
    from core.validators import credit_code_check_char

    strangers = []
    for i in range(5):  # enterprises paying dues that have no union yet: reported as unmatched
        body = f"91110113MA{rng.randint(1000000, 9999999)}"
        strangers.append((body + credit_code_check_char(body), f"顺义区未建会企业{i + 1}有限公司"))
    by_year: dict[int, list] = {2024: [], 2025: []}
    for firm in firms:
        payroll = Decimal(rng.randint(10, 300)) * Decimal("10000")
        first_year = 2024 if rng.random() < 0.9 else 2025
        for year in (2024, 2025):
            if year < first_year:
                continue
            base = payroll * Decimal(str(round(rng.uniform(0.85, 1.25), 2)))
            by_year[year].append(
                (firm.credit_code, firm.employer_name or firm.name, year, base, base * Decimal("0.02"))
            )
    for code, name in strangers:
        by_year[2025].append((code, name, 2025, Decimal("1000000"), Decimal("20000")))
    for year, rows in by_year.items():
        dues_import(
            actor=preparer, district=root, filename=f"税务局代收工会经费{year}.csv", content=_dues_csv(rows), year=year
        )


def _pilot_activity(unions: list[Organisation], rng: random.Random, reporter, reviewer) -> None:
    if Activity.objects.filter(organisation__in=unions).exists():
        return
    titles = ["职工健步走", "职工问卷调查", "插花技能培训", "消防设备使用培训", "送清凉慰问", "职工趣味运动会"]
    rows = []
    for org in unions:
        for _ in range(rng.randint(3, 9)):
            held = date(2026, 7, 1) + timedelta(days=rng.randint(0, 91))
            rows.append(
                Activity(
                    organisation=org,
                    title=rng.choice(titles),
                    kind=rng.choice(Activity.Kind.values),
                    held_on=held,
                    participants=rng.randint(15, 120),
                    reported_by=reporter,
                    reported_at=timezone.make_aware(datetime.combine(held + timedelta(days=2), datetime.min.time())),
                    # the union above has reviewed the report: only reviewed events count for the subsidy
                    state=Activity.State.REVIEWED,
                    reviewed_by=reviewer,
                    reviewed_at=timezone.make_aware(datetime.combine(held + timedelta(days=4), datetime.min.time())),
                )
            )
    Activity.objects.bulk_create(rows)


@transaction.atomic
def build(options: dict) -> str:
    rng = random.Random(SEED)
    root = Organisation.objects.get(depth=1, code="SY")
    accounts = services.standard_accounts_ensure(district=root)
    caiwu, caiwu2 = _user("caiwu"), _user("caiwu2")
    if not BudgetAllocation.objects.exists():
        # Member-linked grants grow with the roster: a larger demo district gets a larger budget.
        scale = max(1, -(-int(options.get("members") or 3000) // 3000))
        for code, amount, note in ALLOCATIONS:
            budget = Decimal(amount) * (scale if code in MEMBER_LINKED_FUNDS else 1)
            services.allocation_register(
                actor=caiwu, fund=accounts[code], amount=budget, on=date(2026, 1, 5), note=note
            )
    if not Donation.objects.exists():
        firms = list(
            Organisation.objects.filter(kind=K.ENTERPRISE, economic_type=Organisation.EconomicType.NON_PUBLIC)
            .exclude(employer_name="")
            .order_by("code")
        )
        donors = rng.sample(firms, 9)
        for i, (kind, amount) in enumerate(DONATIONS):
            name = donors[i].employer_name if kind == "unit" else "张建国"
            services.donation_register(
                actor=caiwu,
                donor_kind=kind,
                donor_name=name,
                amount=amount,
                received_on=date(2026, 3, 1) + timedelta(days=7 * i),
                fund=accounts["3105"],
                anonymous=kind == "person",
                note="北京市温暖基金会(顺义区)职工专项温暖基金项目捐款",
            )
    startup = _programme(
        root,
        "JHQD",
        "新建工会启动经费",
        "startup_grant",
        Programme.PeriodType.ONCE,
        accounts["3101"],
        STARTUP_PARAMS,
        ["财务审核"],
        "对新建的非公有制企业工会和村（社区）工会联合会，按照会员人数给予平均每人不低于100元的启动经费支持。",
    )
    rebate = _programme(
        root,
        "SWFH",
        "税务代收经费返还",
        "dues_rebate",
        Programme.PeriodType.YEARLY,
        accounts["3102"],
        DUES_PARAMS,
        ["财务审核"],
        "原有企业缴纳工会经费增长额中总工会实际留成的50%返还；新增企业缴纳的工会经费中总工会实际留成100%返还。",
    )
    pilots = _pilot_unions(root)
    joint = _programme(
        root,
        "LHGH",
        "联合工会“三补贴三挂钩”经费保障",
        "joint_union_subsidy",
        Programme.PeriodType.QUARTERLY,
        accounts["3103"],
        {**JOINT_PARAMS, "pilot_orgs": [o.code for o in pilots]},
        ["财务审核", {"name": "分管领导审批", "role": "district_admin"}],
        "社区（村）联合工会经费保障试点：补贴挂钩会员人数、活动开展和考核结果。",
    )
    grants = _run(startup, "2026", caiwu, caiwu2)
    first = Payment.objects.filter(cycle=grants).order_by("id").first()
    if first is not None and not GrantUsage.objects.exists():
        grant_usage_record(
            actor=_user("admin"),
            payment=first,
            spent_on=first.paid_at.date(),
            amount=min(first.amount, Decimal("800.00")),
            purpose="工会活动室桌椅与宣传栏",
        )
    _dues(root, rng, caiwu)
    rebates = _run(rebate, "2025", caiwu, caiwu2)
    _pilot_activity(pilots, rng, _user("renhe"), _user("jingji"))
    publish_joint_unions(root)  # the subsidy's score bands read the published 2026 assessment
    joint_cycle = Cycle.objects.filter(programme=joint, period_key="2026-Q3").first()
    if joint_cycle is None:
        joint_cycle = _run(joint, "2026-Q3", caiwu, caiwu2)
        if joint_cycle.state == Cycle.State.REVIEWED:
            services.cycle_approve(actor=_user("admin"), cycle=joint_cycle)
            joint_cycle.refresh_from_db()
    # Left for the second finance officer: prepared and reviewed by caiwu, the 财务审核 step awaits caiwu2
    # (their workbench's first to-do; the notification tells them).
    waiting = _run(joint, "2026-Q4", caiwu, caiwu2, pay=False)
    if waiting.state == Cycle.State.COMPUTED:
        waiting = services.cycle_review(actor=caiwu, cycle=waiting)
    donated = sum((d.amount for d in Donation.objects.all()), Decimal(0))
    return (
        f"资金：温暖基金捐款 {Donation.objects.count()} 笔 {format_yuan(donated)} 元；"
        f"启动经费 {grants.beneficiaries} 家 {format_yuan(grants.total)} 元（{grants.get_state_display()}）；"
        f"2025 年经费返还 {rebates.beneficiaries} 家 {format_yuan(rebates.total)} 元（{rebates.get_state_display()}）；"
        f"联合工会试点 {len(pilots)} 家 2026-Q3 {format_yuan(joint_cycle.total)} 元（{joint_cycle.get_state_display()}）；"
        f"2026-Q4 {format_yuan(waiting.total)} 元（{waiting.get_state_display()}，待 caiwu2 审批）"
    )
