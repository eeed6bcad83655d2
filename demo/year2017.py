"""The demo district's 2017 history, 1 January to 31 October 2017 (docs/demo.md).

The report "以党建为引领 以改革促发展" was written in autumn 2017; this step enters that year the way an
office would have, through the platform's own services, each on its own day (``demo.clock``):
budgets registered, donations received, new unions founded with their founding rosters imported,
hardship files applied for, verified, reviewed and approved, monthly allowance cycles computed by
one finance officer and approved by another, relief and scholarship applications verified and
approved, skills competitions reported by grassroots unions and reviewed by the union above, the
joint-union pilot's quarters paid. No total is typed: ``demo.report2017`` reads the figures back
from the records and the test checks them against the report.

It runs after the current year's demo steps (which it leaves as they are) and is idempotent: a
district that already has the 2017 start-up cycle is left alone.
"""

from __future__ import annotations

import csv
import random
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from activities.models import Activity
from activities.services import activity_report, event_review
from assistance import demo as assistance_demo
from assistance import demo_relief
from assistance.models import HardshipFile, HouseholdMember, LocalStandard, SchoolLevel
from assistance.plugins.scholarship import BEIJING_LEVELS
from assistance.services import files as file_services
from assistance.services import relief as relief_services
from assistance.services import scholarship as scholarship_services
from assistance.services.allowance import allowance_programme_ensure
from core import workdays
from core.models import User
from core.money import format_yuan
from core.system import system_actor
from demo.clock import on_day
from funds import bank, tasks
from funds import services as funds_services
from funds.engine import get_plugin, period_span
from funds.models import Account, Cycle, Payment, Programme
from members import fake
from members.importing import commit_import, read_table
from members.models import Person
from members.services import id_index
from orgs import demo as orgs_demo
from orgs.models import Organisation
from orgs.services import organisation_create
from programmes import demo as programmes_demo

K = Organisation.Kind
YEAR = 2017
START, END = date(2017, 1, 1), date(2017, 10, 31)
SEED = 20171031
MARK = "【2017】"  # marks the year's hardship files, applications and reports as the demo history's
PERSON_N = 6_000_000  # fake.id_number's family: the 2017 workers (the roster uses 0…299,999)
CHILD_N = 6_400_000  # their children (6,400,000 is a multiple of 16,000: the offset is the birth day)
PDF = demo_relief.PDF

# --- parameters the report does not give (docs/demo.md states each) ------------------------------
STARTUP_2017 = {
    "window_start": "2017-01-01",
    "window_end": "2017-10-31",
    "count_days_after_founding": 0,
    "tiers": [{"min_members": 1, "rate": "200.00"}],
}
NEW_UNIONS = 73
STARTUP_TOTAL = Decimal("309800.00")
FOUNDING_MEMBERS = int(STARTUP_TOTAL / Decimal("200.00"))  # 1,549 founding members at 200 yuan each
NEW_JOINT_UNIONS = 18  # of the 73: village/community joint unions; the rest non-public enterprises
ALLOWANCE_2017 = {"monthly_amount": "200.00", "arrears_months": 12}
FILES_FROM_JANUARY = 118  # approved in December 2016: paid January–October (10 months)
FILES_FROM_APRIL = 8  # approved in March 2017: paid April–October (7 months)
STANDARD_2017 = {"effective_from": date(2016, 7, 1), "dibao_monthly": "900.00", "relative_multiple": "1.50"}
RELIEF_2017 = {"threshold": "5000.00", "share": "0.5", "cap": "10000.00"}
# What each of the 11 workers was granted: share × (out of pocket − threshold), capped.
RELIEF_AMOUNTS = [
    "10000.00",
    "10000.00",
    "8500.00",
    "7600.00",
    "7200.00",
    "6800.00",
    "6000.00",
    "5500.00",
    "4530.00",
    "3500.00",
    "3000.00",
]
DONATIONS_2017 = [  # 北京市温暖基金会(顺义区)职工专项温暖基金: 9 units and one person
    ("unit", "30000.00"),
    ("unit", "25000.00"),
    ("unit", "20000.00"),
    ("unit", "18000.00"),
    ("unit", "15000.00"),
    ("unit", "12000.00"),
    ("unit", "10000.00"),
    ("unit", "10000.00"),
    ("unit", "8000.00"),
    ("person", "5000.00"),
]
SCHOLARSHIP_LEVELS_2017 = [
    {"level": SchoolLevel.COMPULSORY, "amount": "1200.00", "condition": "single_parent"},
    {"level": SchoolLevel.HIGH_SCHOOL, "amount": "2500.00", "condition": "all"},
    {"level": SchoolLevel.COLLEGE, "amount": "4000.00", "condition": "all"},
]
# 46 children: 24 at college (4,000), 21 at senior high (2,500), 1 of a single-parent family at school (1,200)
SCHOLARSHIP_PLAN = [SchoolLevel.COLLEGE] * 24 + [SchoolLevel.HIGH_SCHOOL] * 21 + [SchoolLevel.COMPULSORY]
COMPETITIONS = 51
COMPETITION_PARTICIPANTS = 6236
COMPETITION_TITLES = [
    "职工技能大赛",
    "叉车操作技能比赛",
    "电工技能比武",
    "焊工技能竞赛",
    "中式烹调技能大赛",
    "客房服务技能比赛",
    "物流分拣技能竞赛",
    "汽车维修技能比武",
    "护理技能竞赛",
    "会计技能竞赛",
]
JOINT_2017 = {**programmes_demo.JOINT_PARAMS}
JOINT_QUARTERS = ("2017-Q2", "2017-Q3")
BUDGETS_2017 = [
    ("3101", "400000.00", "2017 年度预算：基层新建工会组织专项基金"),
    ("3103", "100000.00", "2017 年度预算：联合工会经费保障试点"),
    ("3104", "300000.00", "2017 年度预算：困难职工帮扶"),
    ("3106", "200000.00", "2017 年度预算：金秋助学"),
]


@dataclass
class Actors:
    admin: User
    caiwu: User
    caiwu2: User
    quanyi: User
    jingji: User
    renhe_officer: User
    shatuo_officer: User


def _actors() -> Actors | None:
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["admin", "caiwu", "caiwu2", "quanyi", "jingji", "bangfu_renhe", "bangfu_shatuo"]
        )
    }
    try:
        return Actors(
            users["admin"],
            users["caiwu"],
            users["caiwu2"],
            users["quanyi"],
            users["jingji"],
            users["bangfu_renhe"],
            users["bangfu_shatuo"],
        )
    except KeyError:
        return None


def done() -> bool:
    return Cycle.objects.filter(programme__code="JHQD", period_key=str(YEAR)).exists()


# --- programmes: the current demo's, with the 2017 parameters added --------------------------------


def _version(programme: Programme, params: dict, note: str) -> None:
    if not programme.versions.filter(effective_from=START).exists():
        funds_services.parameter_version_add(
            actor=system_actor(), programme=programme, effective_from=START, params=params, note=note
        )


def _programmes(root: Organisation, accounts: dict[str, Account]) -> dict[str, Programme]:
    """The programmes exactly as the current year's demo sets them up (found when present), each
    with a parameter version in force from 1 January 2017."""
    pd = programmes_demo
    startup = pd._programme(
        root,
        "JHQD",
        "新建工会启动经费",
        "startup_grant",
        Programme.PeriodType.ONCE,
        accounts["3101"],
        pd.STARTUP_PARAMS,
        ["财务审核"],
        "对新建的非公有制企业工会和村（社区）工会联合会，按照会员人数给予平均每人不低于100元的启动经费支持。",
    )
    joint = pd._programme(
        root,
        "LHGH",
        "联合工会“三补贴三挂钩”经费保障",
        "joint_union_subsidy",
        Programme.PeriodType.QUARTERLY,
        accounts["3103"],
        {**pd.JOINT_PARAMS, "pilot_orgs": [o.code for o in pd._pilot_unions(root)]},
        ["财务审核", {"name": "分管领导审批", "role": "district_admin"}],
        "社区（村）联合工会经费保障试点：补贴挂钩会员人数、活动开展和考核结果。",
    )
    relief = demo_relief._programme(
        root,
        "DBJZ",
        "职工大病救助",
        "relief",
        Programme.PeriodType.ON_APPLICATION,
        "3105",
        demo_relief.RELIEF_PARAMS,
        "顺义区职工专项温暖基金：个人自付医疗费用超过起付线的部分按比例救助，每人每年封顶。",
    )
    scholarship = demo_relief._programme(
        root,
        "JQZX",
        "金秋助学",
        "scholarship",
        Programme.PeriodType.YEARLY,
        "3106",
        {"levels": [dict(r) for r in BEIJING_LEVELS]},
        "在档困难职工子女：高中阶段 4,000 元；大学专科/本科 12,450 元；学前/义务教育 3,000 元（单亲困难家庭）；"
        "研究生 12,450 元（单亲困难女职工子女）。",
    )
    allowance = allowance_programme_ensure(actor=system_actor(), organisation=root, effective_from=date(2026, 1, 1))
    _version(startup, STARTUP_2017, "2017 年试行办法：新建工会按会员人数每人 200 元")
    pilots = pilot_unions_2017()
    _version(joint, {**JOINT_2017, "pilot_orgs": [o.code for o in pilots]}, "2017 年试点办法")
    _version(relief, RELIEF_2017, "2017 年实施办法")
    _version(scholarship, {"levels": SCHOLARSHIP_LEVELS_2017}, "2017 年资助标准")
    _version(allowance, ALLOWANCE_2017, "2017 年起按月发放")
    return {
        "startup": startup,
        "joint": joint,
        "relief": relief,
        "scholarship": scholarship,
        "allowance": allowance,
        "pilots": pilots,  # type: ignore[dict-item]
    }


def pilot_unions_2017() -> list[Organisation]:
    """The 2017 pilot: two joint unions (founded by 2016) in each of two towns and one street, the
    current demo's pilot areas (仁和镇, 后沙峪镇, 胜利街道) first, then the other towns and streets in order."""
    founded = {"founded_on__lte": date(YEAR - 1, 12, 31), "status": Organisation.Status.ACTIVE}
    wanted = {K.TOWN: 2, K.STREET: 1}
    first = list(Organisation.objects.filter(code__in=programmes_demo.PILOT_AREAS).order_by("path"))
    rest = Organisation.objects.filter(depth=2, kind__in=list(wanted)).exclude(code__in=programmes_demo.PILOT_AREAS)
    chosen: list[Organisation] = []
    for area in [*first, *rest.order_by("path")]:
        if wanted.get(area.kind, 0) == 0:
            continue
        unions = list(
            Organisation.objects.filter(path__startswith=area.path, depth=area.depth + 1, **founded)
            .filter(kind__in=Organisation.JOINT_UNION_KINDS)
            .order_by("code")[:2]
        )
        if len(unions) == 2:
            chosen += unions
            wanted[area.kind] -= 1
    if any(wanted.values()):
        raise ValidationError("2017 年演示：找不到足够的 2016 年前成立的联合工会作为试点")
    return chosen


def _cycle(programme: Programme, key: str, actors: Actors, approvers: list[User], on: date) -> Cycle:
    """Prepared (computed, reviewed) by one finance officer (caiwu), approved step by step by others,
    on ``on``; then its payments go to the bank (``_to_bank``)."""
    preparer = actors.caiwu
    with on_day(on):
        cycle = Cycle.objects.filter(programme=programme, period_key=key).first() or funds_services.cycle_create(
            actor=preparer, programme=programme, period_key=key
        )
        if cycle.state == Cycle.State.COMPUTING:  # no task worker runs during the demo command
            tasks.cycle_compute_run(cycle.pk)
            cycle.refresh_from_db()
        if cycle.state == Cycle.State.COMPUTED:
            cycle = funds_services.cycle_review(actor=preparer, cycle=cycle)
        for approver in approvers:
            if cycle.state != Cycle.State.REVIEWED:
                break
            cycle = funds_services.cycle_approve(actor=approver, cycle=cycle, on=on)
        cycle.refresh_from_db()
    _to_bank(cycle, actors, on)
    return cycle


# --- the bank: payee accounts, batches and the bank's answer (docs/bank.md) ------------------------

BANK_CODE = "402100000018"  # 北京农商银行顺义支行's 联行号 (illustrative)
ANSWER_DAYS = 3  # the bank's result file comes back three days after the batch is sent


def _payee_accounts(payments: list[Payment], actors: Actors, on: date) -> None:
    """Enter (caiwu, finance) and verify (admin, the district) an account for each payee of
    ``payments`` that has no verified one yet, on ``on``: a union's, a worker's with their hardship
    file (the account on the file), or a relief applicant's (no file). A payee already verified (the
    current year's demo, which runs first) keeps that account."""
    keys = {p.beneficiary_key for p in payments}
    have = set(bank.verified_accounts(keys))
    with on_day(on):
        for p in payments:
            if p.beneficiary_key in have:
                continue
            have.add(p.beneficiary_key)
            if p.beneficiary_org_id:
                org = p.beneficiary_org
                owner: dict[str, Any] = {"organisation": org}
                holder, number = org.name, f"62220202{org.pk:011d}"
            elif file := p.beneficiary_person.hardship_files.order_by("-pk").first():
                owner = {"file": file}
                holder, number = file.bank_account_holder, file.bank_account
            else:  # a relief applicant without a hardship file: the account given with the application
                owner = {"person": p.beneficiary_person}
                holder, number = p.beneficiary_person.name, f"62170202{p.beneficiary_person_id:011d}"
            account = bank.payee_account_enter(
                actor=actors.caiwu,
                holder_name=holder,
                number=number,
                bank_name="北京农商银行顺义支行",
                bank_code=BANK_CODE,
                valid_from=on,
                note=f"{MARK}财务部录入",
                **owner,
            )
            bank.payee_account_verify(actor=actors.admin, account=account)


def _to_bank(cycle: Cycle, actors: Actors, on: date) -> None:
    """What the finance office did after a cycle's approval: the payees' accounts entered and
    verified, the approved payments put in one batch and sent on ``on``, and the bank's result
    file (every line paid) imported ``ANSWER_DAYS`` later."""
    approved = Payment.objects.filter(cycle=cycle, status=Payment.Status.APPROVED)
    payments = list(approved.select_related("beneficiary_org", "beneficiary_person").order_by("pk"))
    if not payments:
        return
    _payee_accounts(payments, actors, on)
    with on_day(on, hour=15):
        batch = bank.batch_create(
            actor=actors.caiwu, payments=approved, note=f"{cycle.programme.name} {cycle.period_key}"
        )
        bank.batch_send(actor=actors.caiwu, batch=batch)
    answered = on + timedelta(days=ANSWER_DAYS)
    lines = batch.lines.filter(active=True).order_by("seq").values_list("reference", "amount")
    rows = ["业务参考号,金额,处理结果,失败原因", *(f"{ref},{amount},成功," for ref, amount in lines)]
    with on_day(answered):
        bank.result_import(
            actor=actors.caiwu,
            batch=batch,
            content="\n".join(rows).encode(),
            filename=f"银行回单{batch.number}.csv",
            on=answered,
        )


# --- people: imported through the member import, on the day they were registered -------------------


def _import(rows: list[dict[str, str]], actor: User, name: str) -> None:
    headers = ["姓名", "身份证号", "所属工会编码", "入会日期", "手机号"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            for r in rows:
                writer.writerow([r["name"], r["id"], r["org"], r["joined"], r["mobile"]])
        commit_import(read_table(path, name), actor=actor)


def _row(n: int, rng: random.Random, org: Organisation, joined: date) -> dict[str, str]:
    return {
        "name": orgs_demo.person_name(rng),
        "id": fake.id_number(n),
        "org": org.code,
        "joined": joined.isoformat(),
        "mobile": fake.mobile(n),
    }


# --- 1. new unions with their founding rosters, and the start-up grant -----------------------------


def split(rng: random.Random, count: int, total: int, low: int, high: int) -> list[int]:
    """``count`` whole numbers in [low, high] drawn at random, nudged one by one to sum to ``total``."""
    if not count * low <= total <= count * high:
        raise ValueError(f"cannot split {total} into {count} parts of {low}…{high}")
    sizes = [rng.randint(low, high) for _ in range(count)]
    i = 0
    while (gap := total - sum(sizes)) != 0:
        step = 1 if gap > 0 else -1
        if low <= sizes[i % count] + step <= high:
            sizes[i % count] += step
        i += 1
    return sizes


def _new_unions(rng: random.Random, actors: Actors) -> None:
    """Found the year's new unions month by month and import each month's founding rosters. Unions
    of the existing tree founded in the window with founding members count among the 73: the
    builder reads them through the programme's own eligibility rule first, and founds the rest."""
    params = get_plugin("startup_grant").validate_parameters(STARTUP_2017)
    with on_day(END):
        existing = list(get_plugin("startup_grant").eligible(period_span("once", str(YEAR)), params))
    taken = sum(o.members_at_founding for o in existing)
    count = NEW_UNIONS - len(existing)
    if count < 1 or FOUNDING_MEMBERS - taken < 3 * count:
        raise ValidationError(f"2017 年演示：已有 {len(existing)} 家符合条件的工会、{taken} 名会员，无法按报告构造")
    sizes = split(rng, count, FOUNDING_MEMBERS - taken, 3, 60)
    areas = list(Organisation.objects.filter(depth=2, kind__in=[K.TOWN, K.STREET]).order_by("path"))
    used = set(Organisation.objects.values_list("name", flat=True))
    days = sorted(date(YEAR, 1, 3) + timedelta(days=rng.randint(0, 290)) for _ in range(count))
    n = PERSON_N + 1000
    per_month: dict[int, list[tuple[Organisation, int]]] = {}
    for i, (founded, size) in enumerate(zip(days, sizes, strict=True)):
        area = areas[i % len(areas)]
        code = f"{area.code}-{300 + i // len(areas):03d}"
        with on_day(founded):
            if i < NEW_JOINT_UNIONS:
                kind = K.VILLAGE_JOINT if area.kind == K.TOWN else K.COMMUNITY_JOINT
                place = area.name.removesuffix("总工会")
                while True:
                    stem = rng.choice(orgs_demo.VILLAGE_STEMS) + rng.choice(orgs_demo.VILLAGE_TAILS)
                    name = (
                        f"{place}{stem}工会联合会"
                        if kind == K.VILLAGE_JOINT
                        else f"{place}{rng.choice(orgs_demo.COMMUNITY_STEMS)}{rng.choice(['北', '南', '东', '西'])}社区工会联合会"
                    )
                    if name not in used:
                        used.add(name)
                        break
                fields: dict[str, Any] = {"name": name, "kind": kind, "address": f"北京市顺义区{place}"}
            else:
                fields = orgs_demo._enterprise_fields(rng, area.name.removesuffix("总工会"), used)
                fields["economic_type"] = Organisation.EconomicType.NON_PUBLIC
            fields.update(orgs_demo._chair(rng), founded_on=founded, code=code)
            org = Organisation.objects.filter(code=code).first() or organisation_create(
                actor=None, parent=area, **fields
            )
        per_month.setdefault(founded.month, []).append((org, size))
    for month, unions in sorted(per_month.items()):
        rows = []
        for org, size in unions:
            for _ in range(size):
                rows.append(_row(n, rng, org, org.founded_on))
                n += 1
        last = max(o.founded_on for o, _ in unions)
        with on_day(last, hour=17):
            _import(rows, actors.admin, f"{YEAR}年{month}月新建工会会员名单.csv")


# --- 2. hardship files and the monthly allowance ------------------------------------------------


def _workers(rng: random.Random, actors: Actors) -> tuple[list[Person], list[Person]]:
    """The year's hardship workers (members of 仁和镇's unions, where the demo's 帮扶 officers work)
    and the seriously ill workers (across the district), registered in the roster years before."""
    hardship_unions = list(
        Organisation.objects.filter(
            code__startswith="SY-101-", kind__in=Organisation.GRASSROOTS_KINDS, founded_on__lte=date(2014, 12, 31)
        ).order_by("path")
    )
    relief_unions = list(
        Organisation.objects.filter(kind__in=Organisation.GRASSROOTS_KINDS, founded_on__lte=date(2014, 12, 31))
        .filter(code__startswith="SY-")
        .order_by("path")
    )
    files_n = FILES_FROM_JANUARY + FILES_FROM_APRIL
    rows, numbers = [], []
    for i in range(files_n + len(RELIEF_AMOUNTS)):
        unions = hardship_unions if i < files_n else relief_unions
        org = unions[i % len(unions)] if i < files_n else rng.choice(unions)
        joined = max(org.founded_on, date(2008, 1, 1)) + timedelta(days=rng.randint(30, 700))
        numbers.append(PERSON_N + i)
        rows.append(_row(PERSON_N + i, rng, org, min(joined, date(2016, 6, 30))))
    with on_day(date(2016, 10, 10)):
        _import(rows, actors.admin, "仁和镇会员名单（2016年10月）.csv")
    by_index = {
        p.id_number_index: p
        for p in Person.objects.filter(id_number_index__in=[id_index(fake.id_number(x)) for x in numbers])
    }
    people = [by_index[id_index(fake.id_number(x))] for x in numbers]
    return people[:files_n], people[files_n:]


def _child_level(i: int) -> tuple[str, int]:
    """The i-th hardship child's school level and birth-day offset (days after 1962-01-01)."""
    level = SCHOLARSHIP_PLAN[i] if i < len(SCHOLARSHIP_PLAN) else SchoolLevel.COMPULSORY
    base = {SchoolLevel.COLLEGE: 12600, SchoolLevel.HIGH_SCHOOL: 13950, SchoolLevel.COMPULSORY: 15400}[level]
    return level, base + (i * 37) % 300


def _hardship_file(person: Person, i: int, rng: random.Random, actors: Actors, approved: date) -> HardshipFile:
    applied = approved - timedelta(days=rng.randint(18, 30))
    deep = i % 3 != 2
    single_parent = i == len(SCHOLARSHIP_PLAN) - 1 or i % 11 == 0
    with on_day(applied):
        file = file_services.file_apply(
            actor=None,
            person=person,
            data={
                "category": "accident",
                "main_cause": "accident",
                "secondary_causes": [],
                "health": rng.choice(["weak", "chronic", "serious"]),
                "housing": rng.choice(["owned", "rented"]),
                "single_parent": single_parent,
                "zero_employment": False,
                "monthly_rigid_expenses": "0",
                "situation": MARK + rng.choice(assistance_demo.SITUATIONS),
                "bank_name": "北京农商银行顺义支行",
                "bank_account_holder": person.name,
                "bank_account": f"62215588{PERSON_N + i:011d}",
            },
            own=file_services.SelfDetails(
                occupation="employed", monthly_income=Decimal(1100 if deep else 2500) + rng.randint(0, 100)
            ),
            today=applied,
        )
        _, offset = _child_level(i)
        file_services.household_save(
            actor=None,
            file=file,
            data={
                "relation": "child",
                "name": person.name[0] + rng.choice(["小明", "小红", "小宇", "小雨", "佳怡", "子豪"]),
                "id_number": fake.id_number(CHILD_N + offset + 16000 * (i % 7)),
                "health": "healthy",
                "occupation": "student",
                "workplace_or_school": "北京市顺义区第一中学",
                "monthly_income": "0",
                "medical_insurance": "resident",
            },
            today=applied,
        )
        file_services.file_update(
            actor=None,
            file=file,
            data={
                "category": "deep" if deep else "relative",
                "main_cause": "low_income" if deep else "illness",
                "monthly_rigid_expenses": Decimal(300 if deep else 0),
            },
            today=applied,
        )
        verifier = actors.shatuo_officer if file.organisation.code == "SY-101-001" else actors.admin
        file_services.file_verify(actor=verifier, file=file, opinion="经入户核实，情况属实", today=applied)
    with on_day(applied + timedelta(days=5)):
        file_services.file_review(actor=actors.renhe_officer, file=file, opinion="同意，报区帮扶中心审批")
    with on_day(approved):
        file_services.file_approve(actor=actors.quanyi, file=file, opinion="符合条件，批准建档", on=approved)
    file.refresh_from_db()
    return file


def _allowance(programmes: dict, actors: Actors, people: list[Person], rng: random.Random) -> list[HardshipFile]:
    root = programmes["allowance"].organisation
    with on_day(date(2016, 11, 1)):
        if not LocalStandard.objects.filter(effective_from=STANDARD_2017["effective_from"]).exists():
            file_services.standard_save(
                actor=None, district=root, note="2017 年北京市城乡居民最低生活保障标准（演示）", **STANDARD_2017
            )
    files = []
    for i, person in enumerate(people):
        approved = (
            date(2016, 12, 5) + timedelta(days=i % 20)
            if i < FILES_FROM_JANUARY
            else date(2017, 3, 6) + timedelta(days=i % 15)
        )
        files.append(_hardship_file(person, i, rng, actors, approved))
    for month in range(1, 11):
        _cycle(programmes["allowance"], f"{YEAR}-{month:02d}", actors, [actors.caiwu2], date(YEAR, month, 20))
    return files


# --- 3. the warmth fund: donations and serious-illness relief -------------------------------------


def _donations(accounts: dict[str, Account], rng: random.Random, actors: Actors) -> None:
    firms = list(
        Organisation.objects.filter(kind=K.ENTERPRISE, economic_type=Organisation.EconomicType.NON_PUBLIC)
        .exclude(employer_name="")
        .filter(founded_on__lte=date(2016, 12, 31))
        .order_by("code")
    )
    donors = rng.sample(firms, 9)
    for i, (kind, amount) in enumerate(DONATIONS_2017):
        received = date(YEAR, 2, 14) + timedelta(days=12 * i)
        with on_day(received):
            funds_services.donation_register(
                actor=actors.caiwu,
                donor_kind=kind,
                donor_name=donors[i].employer_name if kind == "unit" else "李建华",
                amount=amount,
                received_on=received,
                fund=accounts["3105"],
                anonymous=kind == "person",
                note=f"{MARK}北京市温暖基金会(顺义区)职工专项温暖基金项目捐款",
            )


def _relief(people: list[Person], rng: random.Random, actors: Actors) -> None:
    threshold, share = Decimal(RELIEF_2017["threshold"]), Decimal(RELIEF_2017["share"])
    for i, (person, granted) in enumerate(zip(people, RELIEF_AMOUNTS, strict=True)):
        amount = Decimal(granted)
        # out of pocket: what the rule needs for this grant (the two capped cases spent more)
        out_of_pocket = threshold + amount / share + (Decimal(6400) if amount == Decimal(RELIEF_2017["cap"]) else 0)
        basic = (out_of_pocket * Decimal("1.6")).quantize(Decimal("1"))
        serious = (out_of_pocket * Decimal("0.4")).quantize(Decimal("1"))
        illness, hospital = demo_relief.ILLNESSES[i % len(demo_relief.ILLNESSES)]
        applied = date(YEAR, 3, 8) + timedelta(days=19 * i)
        with on_day(applied):
            application = relief_services.relief_apply(
                actor=actors.admin,
                person=person,
                illness=illness,
                hospital=hospital,
                treatment_start=applied - timedelta(days=rng.randint(30, 60)),
                treatment_end=applied - timedelta(days=rng.randint(1, 20)),
                costs={
                    "total_cost": out_of_pocket + basic + serious,
                    "basic_insurance": basic,
                    "serious_illness_insurance": serious,
                },
                situation=f"{MARK}家庭主要劳动力患病，医疗费用负担重",
                documents=[SimpleUploadedFile("诊断证明.pdf", PDF), SimpleUploadedFile("费用清单.pdf", PDF)],
            )
            relief_services.relief_verify(actor=actors.admin, application=application, opinion="经走访核实，情况属实")
        with on_day(applied + timedelta(days=4)):
            application = relief_services.relief_approve(
                actor=actors.quanyi, application=application, opinion="同意救助"
            )
        if application.cycle is not None:
            with on_day(applied + timedelta(days=7)):
                cycle = application.cycle
                if cycle.state == Cycle.State.COMPUTING:
                    tasks.cycle_compute_run(cycle.pk)
                    cycle.refresh_from_db()
                if cycle.state == Cycle.State.COMPUTED:
                    cycle = funds_services.cycle_review(actor=actors.caiwu, cycle=cycle)
                if cycle.state == Cycle.State.REVIEWED:
                    funds_services.cycle_approve(actor=actors.caiwu2, cycle=cycle, on=applied + timedelta(days=7))
            _to_bank(cycle, actors, applied + timedelta(days=7))


# --- 4. autumn scholarships ------------------------------------------------------------------------


def _scholarships(programme: Programme, files: list[HardshipFile], actors: Actors) -> None:
    for i, (file, level) in enumerate(zip(files, SCHOLARSHIP_PLAN, strict=False)):
        child = HouseholdMember.objects.get(file=file, relation=HouseholdMember.Relation.CHILD)
        applied = date(YEAR, 8, 1) + timedelta(days=i % 20)
        with on_day(applied):
            application = scholarship_services.scholarship_apply(
                actor=actors.admin,
                child=child,
                year=YEAR,
                level=level,
                school={
                    SchoolLevel.COLLEGE: "北京农学院",
                    SchoolLevel.HIGH_SCHOOL: "北京市顺义区第一中学",
                    SchoolLevel.COMPULSORY: "顺义区仁和中心小学",
                }[level],
                documents=[SimpleUploadedFile("录取通知书.pdf", PDF)],
            )
            scholarship_services.scholarship_verify(actor=actors.admin, application=application, opinion="属实")
        with on_day(applied + timedelta(days=10)):
            scholarship_services.scholarship_approve(actor=actors.quanyi, application=application, opinion="同意资助")
    _cycle(programme, str(YEAR), actors, [actors.caiwu2], date(YEAR, 9, 8))


def _exits(files: list[HardshipFile], actors: Actors) -> None:
    """At the year-end review the 2017 files left the system (the current year's files are others)."""
    on = date(YEAR, 12, 28)
    with on_day(on):
        for i, file in enumerate(files):
            file_services.file_exit(
                actor=actors.renhe_officer,
                file=file,
                reason=(HardshipFile.ExitReason.INCOME, HardshipFile.ExitReason.EMPLOYED)[i % 2],
                on=on,
                note=f"{MARK}年度复核：家庭收入已高于相对困难标准",
            )


# --- 5. skills competitions and the joint-union pilot --------------------------------------------


def _report(org: Organisation, title: str, kind: str, held: date, participants: int, actors: Actors) -> None:
    with on_day(held + timedelta(days=2)):
        activity = activity_report(
            actor=actors.admin, organisation=org, title=title, kind=kind, held_on=held, participants=participants
        )
    with on_day(held + timedelta(days=5)):
        event_review(actor=actors.jingji, activity=activity, approve=True, note="材料齐全")


def _competitions(rng: random.Random, actors: Actors) -> None:
    unions = list(
        Organisation.objects.filter(
            code__startswith="SY-", kind__in=Organisation.GRASSROOTS_KINDS, founded_on__lte=date(2016, 12, 31)
        )
        .exclude(kind__in=Organisation.JOINT_UNION_KINDS)
        .order_by("path")
    )
    chosen = rng.sample(unions, COMPETITIONS)
    sizes = split(rng, COMPETITIONS, COMPETITION_PARTICIPANTS, 40, 240)
    for i, (org, size) in enumerate(zip(chosen, sizes, strict=True)):
        held = date(YEAR, 3, 10) + timedelta(days=(i * 211) % 220)
        _report(org, f"{YEAR}年{rng.choice(COMPETITION_TITLES)}", Activity.Kind.COMPETITION, held, size, actors)


def _pilot(programmes: dict, rng: random.Random, actors: Actors) -> None:
    titles = ["职工健步走", "插花技能培训", "消防设备使用培训", "送清凉慰问", "职工趣味运动会"]
    kinds = [
        Activity.Kind.MEMBER,
        Activity.Kind.TRAINING,
        Activity.Kind.TRAINING,
        Activity.Kind.CARE,
        Activity.Kind.CULTURE,
    ]
    for org in programmes["pilots"]:
        for quarter_start in (date(YEAR, 4, 10), date(YEAR, 7, 10)):
            for _j in range(rng.randint(2, 4)):
                k = rng.randrange(len(titles))
                held = quarter_start + timedelta(days=rng.randint(0, 70))
                _report(org, titles[k], kinds[k], held, rng.randint(20, 90), actors)
    for key, paid_on in zip(JOINT_QUARTERS, (date(YEAR, 7, 18), date(YEAR, 10, 17)), strict=True):
        _cycle(programmes["joint"], key, actors, [actors.caiwu2, actors.admin], paid_on)


# --- the step ------------------------------------------------------------------------------------


@transaction.atomic
def build(options: dict) -> str:
    if done():
        return "2017 年历史：已存在，跳过"
    actors = _actors()
    root = Organisation.objects.filter(depth=1, code=orgs_demo.ROOT_CODE).first()
    if actors is None or root is None:
        return "2017 年历史：缺少演示区或演示账号，跳过"
    rng = random.Random(SEED)
    if not workdays.year_is_covered(YEAR):
        workdays.calendar_seed(years=[YEAR])
    accounts = funds_services.standard_accounts_ensure(district=root)
    programmes = _programmes(root, accounts)
    with on_day(date(YEAR, 1, 5)):
        for code, amount, note in BUDGETS_2017:
            funds_services.allocation_register(
                actor=actors.caiwu, fund=accounts[code], amount=amount, on=date(YEAR, 1, 5), note=note
            )
    hardship, ill = _workers(rng, actors)
    files = _allowance(programmes, actors, hardship, rng)
    _donations(accounts, rng, actors)
    _relief(ill, rng, actors)
    _scholarships(programmes["scholarship"], files, actors)
    _competitions(rng, actors)
    _pilot(programmes, rng, actors)
    _new_unions(rng, actors)
    grants = _cycle(programmes["startup"], str(YEAR), actors, [actors.caiwu2], date(YEAR, 10, 30))
    _exits(files, actors)
    return (
        f"2017 年历史：新建工会启动经费 {grants.beneficiaries} 家 {format_yuan(grants.total)} 元；"
        f"生活补助 10 个月；大病救助 {len(ill)} 人；金秋助学 {len(SCHOLARSHIP_PLAN)} 人；"
        f"技能竞赛 {COMPETITIONS} 场；联合工会试点 {len(programmes['pilots'])} 家"
    )
