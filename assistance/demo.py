"""Demo step: the 低保 standard and about thirty hardship files in 仁和镇, driven through the real
services by the demo accounts (沙坨村 verifies, 仁和镇 reviews, the 帮扶中心 approves), in every
state: awaiting each step, rejected, active (a few re-verified, a few due, a few lapsed), exited.
The worker ``zhigong`` has an active file. Deterministic (seeded) and idempotent (skips when present).

The standard is illustrative: 1,450 yuan a month from 2025-09-01 and 相对困难 at 1.5 × it, the
figures the project's brief gives for Beijing; check them against 北京市民政局's notice before use.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from assistance.models import FileStep, HardshipFile, LocalStandard
from assistance.services import files as svc
from core.models import User
from members import fake
from members.models import Membership, Person
from orgs.models import Organisation

SEED = 20260901
DEMO_MARK = "【演示】"
STANDARD = {"effective_from": date(2025, 9, 1), "dibao_monthly": "1450.00", "relative_multiple": "1.50"}
STANDARD_NOTE = "演示数据：北京市城乡居民最低生活保障标准（以市民政局公布为准）"
# (how many, where the file ends up)
PLAN = [
    (4, "applied"),
    (3, "verified"),
    (3, "reviewed"),
    (2, "rejected"),
    (7, "active"),
    (3, "active_reverified"),
    (3, "active_due"),
    (3, "active_lapsed"),
    (2, "exited"),
]
SITUATIONS = [
    "本人患慢性病，长期服药，家庭收入微薄",
    "配偶因病丧失劳动能力，子女在校就读",
    "单亲抚养两个孩子，租房居住",
    "家中遭遇火灾，住房受损",
    "本人工伤致残，收入锐减",
    "父母年迈多病，医疗支出大",
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _candidates() -> list[Person]:
    """Members of 仁和镇's unions with no file yet, 沙坨村's first (its officer verifies them)."""
    people = (
        Membership.objects.active_on()
        .filter(organisation__code__startswith="SY-101-", person__hardship_files__isnull=True)
        .select_related("person", "organisation")
        .order_by("organisation__code", "person_id")
    )
    seen: set[int] = set()
    out = []
    for m in people[:400]:
        if m.person_id not in seen and m.person.user_id is None:
            seen.add(m.person_id)
            out.append(m.person)
    return out


def _apply(person: Person, rng: random.Random, applied: date, n: int) -> HardshipFile:
    kind = rng.choice(["deep", "deep", "relative", "accident"])
    cause = {"deep": "low_income", "relative": "illness", "accident": "accident"}[kind]
    if kind == "deep":
        income, rigid = Decimal(rng.randrange(1200, 2400)), Decimal(rng.randrange(600, 1200))
    elif kind == "relative":
        income, rigid = Decimal(rng.randrange(3500, 4400)), Decimal(rng.randrange(200, 500))
    else:
        income, rigid = Decimal(rng.randrange(2000, 5000)), Decimal(rng.randrange(0, 800))
    # Applied as 意外致困 (which rests on its cause, not on income) until the household is in; then
    # the category and cause the figures support.
    file = svc.file_apply(
        actor=None,
        person=person,
        data={
            "category": "accident",
            "main_cause": "accident",
            "secondary_causes": rng.sample(["illness", "schooling", "disability", "other"], k=rng.randint(0, 2)),
            "health": rng.choice(["healthy", "weak", "chronic", "serious"]),
            "housing": rng.choice(["owned", "rented", "lodging"]),
            "single_parent": rng.random() < 0.2,
            "zero_employment": rng.random() < 0.1,
            "monthly_rigid_expenses": "0",
            "situation": DEMO_MARK + rng.choice(SITUATIONS),
            "bank_name": "中国农业银行北京顺义支行",
            "bank_account_holder": person.name,
            "bank_account": f"62284800{rng.randrange(10**10, 10**11)}",
        },
        own=svc.SelfDetails(occupation="employed", monthly_income=income),
        today=applied,
    )
    svc.household_save(
        actor=None,
        file=file,
        data={
            "relation": "child",
            "name": person.name[0] + rng.choice(["小明", "小红", "小宇", "小雨"]),
            "id_number": fake.id_number(900000 + n),
            "health": "healthy",
            "occupation": "student",
            "workplace_or_school": "顺义区仁和中心小学",
            "monthly_income": "0",
            "medical_insurance": "resident",
        },
        today=applied,
    )
    svc.file_update(
        actor=None,
        file=file,
        data={"category": kind, "main_cause": cause, "monthly_rigid_expenses": rigid},
        today=applied,
    )
    return file


@transaction.atomic
def build(options: dict[str, Any]) -> str:
    if not LocalStandard.objects.filter(effective_from=STANDARD["effective_from"]).exists():
        root = Organisation.objects.filter(depth=1).order_by("path").first()
        svc.standard_save(actor=None, district=root, note=STANDARD_NOTE, **STANDARD)
    if HardshipFile.objects.filter(situation__startswith=DEMO_MARK).exists():
        return f"困难帮扶：已有演示档案 {HardshipFile.objects.filter(situation__startswith=DEMO_MARK).count()} 份，跳过"
    village, town, centre = _user("bangfu_shatuo"), _user("bangfu_renhe"), _user("quanyi")
    admin = _user("admin")
    if not (village and town and centre and admin):
        return "困难帮扶：未找到演示账号，跳过"
    rng = random.Random(SEED)
    today = timezone.localdate()
    people = _candidates()
    worker = Person.objects.filter(user__username="zhigong").first()
    if worker is not None and not worker.hardship_files.exists():
        people.insert(0, worker)
    # Round-robin over the plan, so that a small demo district still shows every state.
    ends = [end for i in range(max(c for c, _ in PLAN)) for c, end in PLAN if i < c]
    made = 0
    for n, (person, end) in enumerate(zip(people, ends, strict=False), start=1):
        end_state = "active" if person is worker else end
        _drive(person, end_state, rng, today, n, village=village, town=town, centre=centre, admin=admin)
        made += 1
    active = HardshipFile.objects.filter(state="active").count()
    return f"困难帮扶：低保标准 {STANDARD['dibao_monthly']} 元；演示档案 {made} 份（在档 {active} 份）"


def _drive(person: Person, end: str, rng: random.Random, today: date, n: int, **actors: User) -> None:
    """One file through the real steps, its dates set back so spans and due dates fall as planned."""
    back = {"active_lapsed": (370, 430), "active_reverified": (370, 430), "exited": (370, 430)}
    if end == "active_due":
        approved = today - timedelta(days=364 - rng.randint(5, 25))
    else:
        approved = today - timedelta(days=rng.randint(*back.get(end, (20, 300))))
    # Nothing before the standard took effect (the demo enters only the one standard).
    approved = max(approved, STANDARD["effective_from"] + timedelta(days=20))
    if end in ("applied", "verified", "reviewed", "rejected"):
        applied = today - timedelta(days=rng.randint(1, 20))
    else:
        applied = max(approved - timedelta(days=rng.randint(10, 40)), STANDARD["effective_from"])
    file = _apply(person, rng, applied, n)
    # 沙坨村's officer verifies its own files; for the other unions of 仁和镇 (no officer of their
    # own in the demo) the district administrator verifies on their behalf.
    verifier = actors["village"] if file.organisation.code == "SY-101-001" else actors["admin"]
    if end == "applied":
        return _date_steps(file, applied)
    if end == "rejected":
        svc.file_reject(actor=verifier, file=file, reason="经入户核实，家庭收入高于申报，不符合建档条件")
        return _date_steps(file, applied)
    svc.file_verify(actor=verifier, file=file, opinion="经入户核实，情况属实", today=applied)
    if end == "verified":
        return _date_steps(file, applied)
    svc.file_review(actor=actors["town"], file=file, opinion="同意，报区帮扶中心审批", today=applied)
    if end == "reviewed":
        return _date_steps(file, applied)
    svc.file_approve(actor=actors["centre"], file=file, opinion="符合条件，批准建档", on=approved, today=today)
    if end == "active_reverified":
        svc.file_reverify(
            actor=actors["village"] if verifier == actors["village"] else actors["town"],
            file=file,
            opinion="年度复核，仍符合条件",
            on=approved + timedelta(days=rng.randint(355, 364)),
            today=today,
        )
    if end == "exited":
        svc.file_exit(
            actor=actors["town"],
            file=file,
            reason="employed",
            on=approved + timedelta(days=rng.randint(200, 330)),
            note="配偶实现稳定就业",
            today=today,
        )
    _date_steps(file, applied)


def _date_steps(file: HardshipFile, applied: date) -> None:
    """The steps were taken now; date them as the story goes (apply, then a few days per step)."""
    day = applied
    for step in FileStep.objects.filter(file=file).order_by("id"):
        FileStep.objects.filter(pk=step.pk).update(at=_at(min(day, timezone.localdate())))
        day += timedelta(days=3)
