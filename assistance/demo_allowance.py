"""Demo of the living allowance and holiday relief: the two programmes, and a few months paid for the
demo hardship files — February and March 2026 paid, April's cycle not run (so May pays April as
named arrears), June computed and waiting for review; the 2026 Spring Festival campaign paid.

When no approved hardship file exists yet (the file part's demo not loaded), a dozen are opened here
for demo members, with their approval spans. Deterministic and idempotent.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from assistance.models import HardshipFile, Verification
from assistance.services.allowance import allowance_programme_ensure
from core.models import User
from core.money import format_yuan
from core.system import system_actor
from funds import services, tasks
from funds.models import Cycle, Payment, Programme
from members.models import Membership
from orgs.models import Organisation

DEMO_FILES = 12
PAID_MONTHS = ("2026-02", "2026-03", "2026-05")  # April missed on purpose: May pays it as arrears
PENDING_MONTH = "2026-06"
HOLIDAY = {
    "campaign": "2026 年春节送温暖",
    "as_of": "2026-02-01",
    "amounts": {"deep": "1000.00", "relative": "800.00", "accident": "800.00"},
}
CATEGORIES = (HardshipFile.Category.DEEP, HardshipFile.Category.RELATIVE, HardshipFile.Category.ACCIDENT)
CAUSES = ("illness", "disability", "low_income", "schooling")


def _demo_files() -> int:
    """Open approved files for demo members when there are none (only then: the file part owns files)."""
    if HardshipFile.objects.filter(state=HardshipFile.State.ACTIVE).exists():
        return 0
    memberships = list(
        Membership.objects.filter(status=Membership.Status.ACTIVE)
        .exclude(person__hardship_files__isnull=False)
        .select_related("person")
        .order_by("organisation__path", "pk")[: DEMO_FILES * 20 : 20]
    )
    for i, m in enumerate(memberships):
        approved = date(2026, 1, 5) + timedelta(days=2 * i)  # 1 January … 27 January
        file = HardshipFile.objects.create(
            file_no=f"KN2026{i + 1:04d}",
            person=m.person,
            organisation_id=m.organisation_id,
            state=HardshipFile.State.ACTIVE,
            category=CATEGORIES[i % 3],
            main_cause=CAUSES[i % 4],
            housing=HardshipFile.Housing.OWNED if i % 2 else HardshipFile.Housing.RENTED,
            single_parent=i % 5 == 0,
            applied_on=approved - timedelta(days=20),
            approved_on=approved,
            bank_name="北京农商银行顺义支行",
            bank_account_holder=m.person.name,
            bank_account=f"62215588{i + 1:011d}",
        )
        Verification.objects.create(
            file=file, kind=Verification.Kind.INITIAL, done_on=approved, valid_until=approved.replace(year=2027)
        )
    return len(memberships)


def _holiday_programme(root: Organisation, fund) -> Programme:
    programme = Programme.objects.filter(code="SWN2026").first()
    if programme is None:
        programme = services.programme_create(
            actor=system_actor(),
            code="SWN2026",
            name="2026 年春节送温暖",
            plugin_key="assistance_holiday",
            period_type=Programme.PeriodType.ONCE,
            fund=fund,
            organisation=root,
            description="春节前对在档困难职工逐户慰问，按困难类别定额",
        )
        services.parameter_version_add(
            actor=system_actor(), programme=programme, effective_from=date(2026, 1, 1), params=HOLIDAY
        )
    return programme


def _run(programme: Programme, key: str, preparer: User, approver: User, *, pay: bool, on: date) -> Cycle:
    cycle = Cycle.objects.filter(programme=programme, period_key=key).first()
    if cycle is None:
        cycle = services.cycle_create(actor=preparer, programme=programme, period_key=key)
    if cycle.state == Cycle.State.COMPUTING:  # no task worker runs during the demo command
        tasks.cycle_compute_run(cycle.pk)
        cycle.refresh_from_db()
    if pay and cycle.state == Cycle.State.COMPUTED:
        cycle = services.cycle_review(actor=preparer, cycle=cycle)
    if pay and cycle.state == Cycle.State.REVIEWED:
        cycle = services.cycle_approve(actor=approver, cycle=cycle, on=on)
    return cycle


@transaction.atomic
def build(options: dict) -> str:
    root = Organisation.objects.get(depth=1, code="SY")
    accounts = services.standard_accounts_ensure(district=root)
    preparer, approver = User.objects.filter(username="caiwu").first(), User.objects.filter(username="caiwu2").first()
    if preparer is None or approver is None:
        return "生活补助：缺少演示财务账号，跳过"
    opened = _demo_files()
    programme = allowance_programme_ensure(actor=system_actor(), organisation=root, effective_from=date(2026, 1, 1))
    for key in PAID_MONTHS:
        year, month = (int(x) for x in key.split("-"))
        _run(programme, key, preparer, approver, pay=True, on=date(year, month, 20))
    _run(programme, PENDING_MONTH, preparer, approver, pay=False, on=date(2026, 6, 20))
    _run(_holiday_programme(root, accounts["3104"]), "2026", preparer, approver, pay=True, on=date(2026, 2, 10))
    paid = Payment.objects.filter(programme=programme)
    total = sum(paid.values_list("amount", flat=True), start=0)
    return (
        f"生活补助：{'新建演示档案 ' + str(opened) + ' 户，' if opened else ''}已支付 {len(PAID_MONTHS)} 个月"
        f"（4 月在 5 月补发）{paid.count()} 笔 {format_yuan(total)} 元，{PENDING_MONTH} 待复核；2026 年春节送温暖已发放"
    )
