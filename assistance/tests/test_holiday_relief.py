"""Holiday relief (送温暖): one programme per campaign, amounts by category from a table, the files
in force and verified on the stated date; a person is paid once per campaign."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from assistance.models import HardshipFile
from assistance.plugins.holiday import holiday_amount
from assistance.tests.allowance_helpers import HOLIDAY, compute, holiday_programme, person, run
from assistance.tests.factories import hardship_file
from core.system import system_actor
from funds import services
from funds.models import Entitlement, ParameterVersion, Payment

pytestmark = pytest.mark.django_db
D = Decimal
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
Category = HardshipFile.Category


@pytest.fixture(autouse=True)
def _immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


def amounts_by_person(cycle) -> dict[int, Decimal]:
    return dict(Entitlement.objects.filter(cycle=cycle).values_list("beneficiary_person_id", "amount"))


def test_amounts_by_category_for_the_files_in_force_and_verified_on_the_date(district):
    programme = holiday_programme(district)
    deep = hardship_file(person(district), category=Category.DEEP, approved_on=date(2026, 6, 1))
    relative = hardship_file(
        person(district, district.union_b), category=Category.RELATIVE, approved_on=date(2026, 6, 1)
    )
    accident = hardship_file(
        person(district), category=Category.ACCIDENT, approved_on=date(2026, 6, 1)
    )  # not in the table
    lapsed = hardship_file(person(district), approved_on=date(2025, 12, 1))  # valid through 2026-11-30
    later = hardship_file(person(district), approved_on=date(2027, 1, 21))
    exited = hardship_file(
        person(district),
        state=HardshipFile.State.EXITED,
        approved_on=date(2026, 1, 5),
        valid_until=date(2027, 12, 31),
        exited_on=date(2027, 1, 19),
    )
    exit_on_day = hardship_file(
        person(district),
        state=HardshipFile.State.EXITED,
        approved_on=date(2026, 1, 5),
        valid_until=date(2027, 12, 31),
        exited_on=date(2027, 1, 20),
    )
    cycle = run(district, programme, "2027-01")
    paid = amounts_by_person(cycle)
    assert paid == {deep.person_id: D("1000.00"), relative.person_id: D("600.00"), exit_on_day.person_id: D("1000.00")}
    for absent in (accident, lapsed, later, exited):
        assert absent.person_id not in paid
    line = Entitlement.objects.get(cycle=cycle, beneficiary_person=deep.person)
    assert line.explanation == f"2027 年春节送温暖：档案 {deep.file_no}（深度困难，2027-01-20 在档）慰问 1,000.00 元"
    payment = Payment.objects.get(cycle=cycle, beneficiary_person=deep.person)
    assert payment.entry.lines.get(debit__gt=0).account.code == "3104"


def test_a_person_is_paid_once_per_campaign_even_by_another_cycle_or_programme(district):
    programme = holiday_programme(district)
    file = hardship_file(person(district), approved_on=date(2026, 6, 1))
    run(district, programme, "2027-01")
    again = compute(district, programme, "2027")
    assert file.person_id not in amounts_by_person(again)
    other = holiday_programme(district, code="SWN2027B")
    assert file.person_id not in amounts_by_person(compute(district, other, "2027"))
    # a new campaign pays again
    autumn = holiday_programme(district, code="DW2027", campaign="2027 年端午送温暖", as_of="2027-05-20")
    assert amounts_by_person(compute(district, autumn, "2027"))[file.person_id] == D("1000.00")


def test_holiday_amount_of_a_category_the_table_leaves_out_is_nothing():
    assert holiday_amount("deep", {"deep": "800.00"}) == D("800.00")
    assert holiday_amount("accident", {"deep": "800.00"}) == D("0.00")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"campaign": " "}, "请填写“慰问活动名称”"),
        ({"as_of": "2027-02-30"}, "“在档认定日期”应为日期"),
        ({"as_of": "0000-01-01"}, "“在档认定日期”应为日期"),
        ({"as_of": "1999-12-31"}, "年份“1999”无效"),
        ({"amounts": {}}, "请填写“各类别慰问标准”"),
        ({"amounts": {"rich": "100"}}, "困难类别“rich”无效"),
        ({"amounts": {"deep": "NaN"}}, "“深度困难慰问金额”应为金额"),
        ({"amounts": {"deep": "-5"}}, "不能小于 0.01 元"),
    ],
)
def test_bad_campaign_parameters_refused_and_nothing_stored(district, change, message):
    programme = holiday_programme(district)
    before = ParameterVersion.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.parameter_version_add(
            actor=system_actor(), programme=programme, effective_from=date(2027, 1, 2), params={**HOLIDAY, **change}
        )
    assert ParameterVersion.objects.count() == before
