"""The assessment indicators over the programmes' tables (dues, start-up grants) against values
counted by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import timezone

from assessment.registry import Assessee, Run, get_indicator
from funds.models import Payment
from funds.testing import add_members
from orgs.models import Organisation
from programmes.models import DuesImport, DuesRecord
from programmes.services import grant_usage_record
from programmes.tests.test_programmes import approver, code, run, startup, union  # noqa: F401 (approver: fixture)

pytestmark = pytest.mark.django_db


def measure(district, key, year, *orgs):
    run_ = Run(
        start=date(year, 1, 1),
        end=date(year, 12, 31),
        root_path=district.root.path,
        assessees=[Assessee(o.pk, o.path, o.name) for o in orgs],
    )
    return get_indicator(key).compute(run_)


def dues(district, rows):
    batch = DuesImport.objects.create(
        year=2026, filename="dues.xlsx", rows=len(rows), matched=len(rows), unmatched=0, organisation=district.root
    )
    return {
        (n, year): DuesRecord.objects.create(
            credit_code=code(n),
            name=f"企业{n}",
            year=year,
            payroll_base=D("100000"),
            dues_paid=D(paid),
            organisation=org,
            batch=batch,
        )
        for n, org, year, paid in rows
    }


def test_dues_paid_and_growth_by_hand(district):
    n1 = union(district, "N-1", "顺鑫一厂工会")
    n2 = union(district, "N-2", "顺鑫二厂工会")
    ub = district.union_b  # town B
    r = dues(
        district,
        [
            (1, n1, 2025, "1000.00"),
            (2, n1, 2026, "1200.50"),
            (3, n2, 2026, "500.00"),  # nothing the year before
            (4, ub, 2026, "9000.00"),  # another town's union
            (5, None, 2026, "777.00"),  # unmatched: nobody's
        ],
    )
    paid = measure(district, "dues_paid", 2026, n1, n2)
    assert (paid[n1.pk].value, paid[n1.pk].rows) == (D("1200.50"), [r[2, 2026].pk])
    assert paid[n2.pk].value == D("500.00") and "（1 户）" in paid[n2.pk].note
    growth = measure(district, "dues_growth", 2026, n1, n2)
    assert growth[n1.pk].value == D("20.1")  # (1200.50 − 1000) / 1000 = 20.05 % → 20.1
    assert sorted(growth[n1.pk].rows) == sorted([r[1, 2025].pk, r[2, 2026].pk])
    assert growth[n2.pk].value is None and "2025 年无缴费" in growth[n2.pk].note  # not applicable
    # a town counts its subtree: 1200.50 + 500 = 1700.50 against 1000 → 70.1 %; town B its 9000
    town = measure(district, "dues_paid", 2026, district.town_a, district.town_b)
    assert (town[district.town_a.pk].value, town[district.town_b.pk].value) == (D("1700.50"), D("9000.00"))
    assert measure(district, "dues_growth", 2026, district.town_a)[district.town_a.pk].value == D("70.1")


def test_startup_grants_used_by_hand(district, approver):  # noqa: F811
    n1 = union(district, "N-1", "新建一厂工会")
    n2 = union(district, "N-2", "新建二厂工会")
    n3 = union(district, "N-3", "国有企业工会", economic=Organisation.EconomicType.STATE)  # no grant
    for org in (n1, n2, n3):
        add_members(org, 10, joined_on=org.founded_on)
    run(district, startup(district), "2026", approver)  # 10 members × 150.00 = 1,500.00 each
    pay = {p.beneficiary_org: p for p in Payment.objects.all()}
    assert set(pay) == {n1, n2} and pay[n1].amount == D("1500.00")
    today = timezone.localdate()
    admin = district.user("admin")
    u1 = grant_usage_record(actor=admin, payment=pay[n1], spent_on=today, amount="600", purpose="购置活动室桌椅")
    for amount in ("1000", "500"):
        grant_usage_record(actor=admin, payment=pay[n2], spent_on=today, amount=amount, purpose="职工书屋")
    used = measure(district, "startup_grants_used", today.year, n1, n2, n3)
    assert (used[n1.pk].value, used[n1.pk].rows) == (D("40.0"), [u1.pk])  # 600 / 1500
    assert "启动经费 1,500.00 元，已报告使用 600.00 元（40.0%）" in used[n1.pk].note
    assert used[n2.pk].value == D("100.0") and len(used[n2.pk].rows) == 2
    assert n3.pk not in used  # no grant: not applicable
    # the year before the grants were paid: nothing granted by its end, nothing applies
    assert measure(district, "startup_grants_used", today.year - 1, n1, n2) == {}
    # a town: (600 + 1500) / 3000 = 70.0 %
    town = measure(district, "startup_grants_used", today.year, district.town_a)[district.town_a.pk]
    assert town.value == D("70.0")
