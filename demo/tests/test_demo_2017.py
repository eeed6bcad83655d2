"""The demo year 2017 reproduces the report's figures from its records (issue 15, item 3).

One build for the module (about half a minute), in a transaction rolled back at the module's end;
each test reads it. Every figure is read through the domains' selectors (``demo.report2017``) and
checked against the report, and against the rows it is made of.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings

from assistance.models import HardshipFile
from conftest import TEST_DATA_KEY, TEST_HASHERS
from core.models import User
from demo import report2017, year2017
from funds.models import Account, Cycle, CycleApproval, JournalEntry, Payment
from funds.selectors import account_balance
from members import demo as members_demo
from orgs import demo as orgs_demo
from orgs.models import Organisation


@dataclass
class Built:
    district: Organisation
    admin: User
    line: str
    seconds: float


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Built]:
    media = tmp_path_factory.mktemp("demo-2017-media")
    with (
        django_db_blocker.unblock(),
        override_settings(GONGHUI_DATA_KEY=TEST_DATA_KEY, PASSWORD_HASHERS=TEST_HASHERS, MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        district = orgs_demo.build_tree()
        orgs_demo.build_accounts()
        members_demo.build({"members": 600})
        started = time.perf_counter()
        line = year2017.build({})
        seconds = time.perf_counter() - started
        yield Built(district, User.objects.get(username="admin"), line, seconds)
        transaction.set_rollback(True)


@pytest.fixture
def figures(built, db) -> dict:
    return report2017.measure(built.admin, built.district)


@pytest.mark.parametrize("figure", report2017.FIGURES, ids=lambda f: f.key)
def test_each_report_figure_is_reproduced(built, figures, figure):
    value = figures[figure.key]
    assert figure.holds(value), f"{figure.label}: {value} {figure.unit}, report: {figure.relation} {figure.expected}"


def test_exact_values_where_the_report_rounds(figures):
    # "15余万元" and "6200余名" are the report's roundings of the demo's exact records
    assert figures["donation_yuan"] == Decimal("153000.00")
    assert figures["competition_participants"] == year2017.COMPETITION_PARTICIPANTS
    assert figures["startup_per_member"] == Decimal("200.00")


def test_each_figure_equals_its_rows(built, figures, db):
    r = report2017.rows(built.admin, built.district)

    def total(qs, field: str = "amount") -> Decimal:
        return sum((getattr(row, field) for row in qs), Decimal("0.00"))

    assert figures["startup_unions"] == len({p.beneficiary_org_id for p in r["startup"]}) == r["startup"].count()
    assert figures["startup_yuan"] == total(r["startup"])
    members = sum(int(p.entitlement.inputs["members"]) for p in r["startup"].select_related("entitlement"))
    assert members == year2017.FOUNDING_MEMBERS
    assert figures["allowance_yuan"] == total(r["allowance"])
    assert r["allowance"].count() * Decimal("200.00") == figures["allowance_yuan"]  # 1,236 person-months
    assert figures["relief_people"] == len({a.person_id for a in r["relief"]}) == r["relief"].count()
    assert figures["relief_yuan"] == total(r["relief"])
    assert figures["donation_donors"] == len({d.donor_name for d in r["donations"]}) == r["donations"].count()
    assert figures["donation_yuan"] == total(r["donations"])
    assert figures["scholarship_children"] == r["scholarships"].count()
    assert figures["scholarship_yuan"] == total(r["scholarships"])
    assert figures["competitions"] == r["competitions"].count()
    assert figures["competition_participants"] == sum(a.participants for a in r["competitions"])
    assert figures["pilot_unions"] == len({p.beneficiary_org_id for p in r["pilots"]})


def test_money_moved_through_the_ledger_in_2017(built, db):
    """Every 2017 payment is a journal entry dated in 2017, from a cycle that was approved by
    someone other than who prepared it."""
    payments = Payment.objects.filter(entry__date__year=2017).select_related("entry", "cycle")
    assert payments.exists()
    for p in payments:
        assert p.paid_at.year == 2017 and p.entry.date.year == 2017
    cycles = Cycle.objects.filter(payments__in=payments).distinct()
    for cycle in cycles:
        signers = set(CycleApproval.objects.filter(cycle=cycle, voided_at__isnull=True).values_list("user", flat=True))
        assert signers and cycle.prepared_by_id not in signers
    assert JournalEntry.objects.filter(date__year=2017, period__code__startswith="2017-").count() >= payments.count()


def test_the_ledger_agrees_with_the_figures(built, figures, db):
    """Each fund's 2017 movement (funds.selectors) is its budget or donations less the figure paid from it."""
    start, end = report2017.START, report2017.END

    def moved(code: str) -> Decimal:
        return account_balance(Account.objects.get(code=code), start=start, end=end)

    budgets = {code: Decimal(amount) for code, amount, _ in year2017.BUDGETS_2017}
    assert moved("3101") == budgets["3101"] - figures["startup_yuan"]
    assert moved("3104") == budgets["3104"] - figures["allowance_yuan"]
    assert moved("3106") == budgets["3106"] - figures["scholarship_yuan"]
    assert moved("3105") == figures["donation_yuan"] - figures["relief_yuan"]


def test_the_year_leaves_no_file_open_and_is_not_built_twice(built, db):
    assert not HardshipFile.objects.filter(situation__startswith=year2017.MARK).exclude(state="exited").exists()
    before = Payment.objects.count()
    assert "跳过" in year2017.build({})
    assert Payment.objects.count() == before


def test_the_step_reports_what_it_entered(built):
    print(f"2017 history built in {built.seconds:.1f} s: {built.line}")  # the timing is bench/demo_2017.py's
    assert "新建工会启动经费 73 家 309,800.00 元" in built.line
    assert "大病救助 11 人；金秋助学 46 人；技能竞赛 51 场；联合工会试点 6 家" in built.line
