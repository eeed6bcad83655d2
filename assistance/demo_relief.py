"""Demo 大病救助 and 金秋助学 (a step of ``manage.py demo``, after the files' demo): the two
programmes with the demo parameters, relief cases verified, approved and paid from the warmth fund
until it runs short — the last approved case waits for funds (待资金) — and scholarships for the
children of active files (4,000 / 12,450 / 3,000 by level, Beijing's notice). Idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assistance.models import HardshipFile, HouseholdMember, ReliefApplication, ScholarshipApplication, SchoolLevel
from assistance.plugins.scholarship import BEIJING_LEVELS
from assistance.services import relief as relief_services
from assistance.services import scholarship as scholarship_services
from core.models import User
from core.system import system_actor
from funds import services as funds_services
from funds import tasks
from funds.models import Cycle, Programme
from members.models import Membership
from orgs.models import Organisation

SEED = 20180101
RELIEF_PARAMS = {"threshold": "10000.00", "share": "0.5", "cap": "50000.00"}
PDF = b"%PDF-1.4\n% demo\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ILLNESSES = [
    ("肺癌", "北京大学肿瘤医院"),
    ("急性白血病", "北京大学人民医院"),
    ("尿毒症", "北京市顺义区医院"),
    ("脑出血", "首都医科大学附属北京天坛医院"),
    ("乳腺癌", "中国医学科学院肿瘤医院"),
    ("冠心病支架手术", "首都医科大学附属北京安贞医院"),
]


def _programme(
    root: Organisation, code: str, name: str, key: str, period: str, fund_code: str, params: dict, text: str
):
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        accounts = funds_services.standard_accounts_ensure(district=root)
        programme = funds_services.programme_create(
            actor=system_actor(),
            code=code,
            name=name,
            plugin_key=key,
            period_type=period,
            fund=accounts[fund_code],
            organisation=root,
            approval_chain=["财务审核"],
            description=text,
        )
        funds_services.parameter_version_add(
            actor=system_actor(), programme=programme, effective_from=date(2024, 1, 1), params=params, note="实施办法"
        )
    return programme


def _pay(cycle: Cycle | None, approver: User) -> None:
    """Compute (no task worker runs during the demo command), review and sign a released cycle."""
    if cycle is None:
        return
    if cycle.state == Cycle.State.COMPUTING:
        tasks.cycle_compute_run(cycle.pk)
        cycle.refresh_from_db()
    if cycle.state == Cycle.State.COMPUTED:
        cycle = funds_services.cycle_review(actor=approver, cycle=cycle)
    if cycle.state == Cycle.State.REVIEWED:
        funds_services.cycle_approve(actor=approver, cycle=cycle)


def _verifier(root: Organisation) -> User:
    """Enters and verifies the demo applications for the unions (the centre approves: four eyes)."""
    return User.objects.get(username="admin")


def _relief(root: Organisation, rng: random.Random, centre: User, finance: User) -> tuple[int, int]:
    if ReliefApplication.objects.exists():
        return ReliefApplication.objects.count(), relief_services.waiting_queue().count()
    verifier = _verifier(root)
    people = list(
        Membership.objects.filter(status=Membership.Status.ACTIVE, person__organisation__isnull=False)
        .select_related("person__organisation")
        .order_by("pk")[:400]
    )
    today = timezone.localdate()
    for i in range(len(ILLNESSES) + 6):
        person = rng.choice(people).person
        illness, hospital = ILLNESSES[i % len(ILLNESSES)]
        total = Decimal(rng.randrange(80_000, 260_000))
        basic = (total * Decimal("0.5")).quantize(Decimal("1"))
        serious = (total * Decimal("0.15")).quantize(Decimal("1"))
        application = relief_services.relief_apply(
            actor=verifier,
            person=person,
            illness=illness,
            hospital=hospital,
            treatment_start=today - timedelta(days=rng.randrange(20, 200)),
            costs={"total_cost": total, "basic_insurance": basic, "serious_illness_insurance": serious},
            situation="家庭主要劳动力患病，医疗费用负担重",
            documents=[SimpleUploadedFile("诊断证明.pdf", PDF), SimpleUploadedFile("费用清单.pdf", PDF)],
        )
        relief_services.relief_verify(actor=verifier, application=application, opinion="经走访核实，情况属实")
        application = relief_services.relief_approve(actor=centre, application=application, opinion="同意救助")
        _pay(application.cycle, finance)
        if application.waiting_for_funds:  # the fund ran short: this one waits for the next donation
            break
    return ReliefApplication.objects.count(), relief_services.waiting_queue().count()


def _scholarships(root: Organisation, rng: random.Random, centre: User, finance: User, programme: Programme) -> str:
    year = timezone.localdate().year
    if not ScholarshipApplication.objects.exists():
        verifier = _verifier(root)
        children = HouseholdMember.objects.filter(
            relation=HouseholdMember.Relation.CHILD, file__state=HardshipFile.State.ACTIVE
        ).select_related("file__person")[:20]  # at most 249,000 yuan: within the demo's 300,000 budget
        for child in children:
            age = year - child.birth_date.year
            level = (
                SchoolLevel.COLLEGE if age >= 18 else SchoolLevel.HIGH_SCHOOL if age >= 15 else SchoolLevel.COMPULSORY
            )
            if level == SchoolLevel.COMPULSORY and not child.file.single_parent:
                continue  # 学前/义务教育 is for single-parent families only
            try:
                application = scholarship_services.scholarship_apply(
                    actor=verifier,
                    child=child,
                    year=year,
                    level=level,
                    school=child.workplace_or_school or "北京市顺义区第一中学",
                    documents=[SimpleUploadedFile("录取通知书.pdf", PDF)],
                )
            except Exception:  # a lapsed file or a level the family is not eligible for: skipped
                continue
            scholarship_services.scholarship_verify(actor=verifier, application=application, opinion="属实")
            scholarship_services.scholarship_approve(actor=centre, application=application, opinion="同意资助")
        if ScholarshipApplication.objects.filter(state="approved", year=year).exists():
            cycle = Cycle.objects.filter(programme=programme, period_key=str(year)).first()
            if cycle is None:
                cycle = funds_services.cycle_create(actor=system_actor(), programme=programme, period_key=str(year))
            _pay(cycle, finance)
    n = ScholarshipApplication.objects.filter(state="approved").count()
    return f"金秋助学 {n} 人" if n else "金秋助学 0 人（尚无在档困难职工子女）"


def build(options: dict) -> str:
    rng = random.Random(SEED)
    root = Organisation.objects.get(depth=1, code="SY")
    _programme(
        root,
        "DBJZ",
        "职工大病救助",
        "relief",
        Programme.PeriodType.ON_APPLICATION,
        "3105",
        RELIEF_PARAMS,
        "顺义区职工专项温暖基金：个人自付医疗费用超过起付线的部分按比例救助，每人每年封顶。",
    )
    scholarship_programme = _programme(
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
    centre, finance = User.objects.get(username="quanyi"), User.objects.get(username="caiwu2")
    count, waiting = _relief(root, rng, centre, finance)
    scholarships = _scholarships(root, rng, centre, finance, scholarship_programme)
    return f"帮扶（大病救助、金秋助学）：大病救助 {count} 件（{waiting} 件待资金），{scholarships}"
