"""The monthly living allowance on the engine, from the issue's text: approval on 31 January, exit
mid-month, a lapsed re-verification and its restoration, arrears after a missed month, two runs of one
month — each month paid once, ever, and every refusal in Chinese with nothing changed."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings

from assistance.models import AllowanceMonth, HardshipFile, Verification
from assistance.plugins.allowance import MonthlyAllowance
from assistance.services.allowance import allowance_month_run, parse_month
from assistance.tests.allowance_helpers import allowance_programme, compute, pay, person, run
from assistance.tests.factories import hardship_file
from core.system import system_actor
from funds import services
from funds.models import Cycle, Entitlement, JournalEntry, ParameterVersion, Payment

pytestmark = pytest.mark.django_db
D = Decimal
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


def months_of(file) -> list[str]:
    return [
        f"{m:%Y-%m}" for m in AllowanceMonth.objects.filter(file=file).order_by("month").values_list("month", flat=True)
    ]


def amount_from_march(programme, amount: str) -> None:
    """A new 每月补助标准 in force from 2026-03-01."""
    services.parameter_version_add(
        actor=system_actor(),
        programme=programme,
        effective_from=date(2026, 3, 1),
        params={"monthly_amount": amount, "arrears_months": 12},
    )


def entitlement_of(cycle, p) -> Entitlement | None:
    return Entitlement.objects.filter(cycle=cycle, beneficiary_person=p).first()


def test_approved_31_january_paid_from_february_and_approved_1_february_from_march(district):
    programme = allowance_programme(district)
    late_jan = hardship_file(person(district), approved_on=date(2026, 1, 31))
    first_feb = hardship_file(person(district), approved_on=date(2026, 2, 1))
    jan = compute(district, programme, "2026-01")
    assert jan.beneficiaries == 0
    feb = run(district, programme, "2026-02")
    assert feb.state == Cycle.State.PAID
    assert entitlement_of(feb, late_jan.person).amount == D("200.00")
    assert entitlement_of(feb, first_feb.person) is None
    mar = run(district, programme, "2026-03")
    assert entitlement_of(mar, late_jan.person).amount == D("200.00")
    assert entitlement_of(mar, first_feb.person).amount == D("200.00")
    assert months_of(late_jan) == ["2026-02", "2026-03"]
    assert months_of(first_feb) == ["2026-03"]
    # every yuan through the ledger: one entry per payment, from 3104
    payment = Payment.objects.get(cycle=mar, beneficiary_person=late_jan.person)
    assert payment.entry.lines.get(debit__gt=0).account.code == "3104"


def test_exit_mid_month_pays_that_month_and_not_the_next(district):
    programme = allowance_programme(district)
    file = hardship_file(
        person(district), state=HardshipFile.State.EXITED, approved_on=date(2025, 12, 10), exited_on=date(2026, 3, 15)
    )
    run(district, programme, "2026-01")
    run(district, programme, "2026-02")
    mar = run(district, programme, "2026-03")
    assert entitlement_of(mar, file.person).amount == D("200.00")
    apr = compute(district, programme, "2026-04")
    assert entitlement_of(apr, file.person) is None
    assert months_of(file) == ["2026-01", "2026-02", "2026-03"]


def test_lapsed_reverification_not_paid_and_restored_from_the_next_covered_month(district):
    programme = allowance_programme(district)
    file = hardship_file(person(district), approved_on=date(2025, 1, 10))  # valid through 2026-01-09
    run(district, programme, "2026-01")
    feb = compute(district, programme, "2026-02")
    assert entitlement_of(feb, file.person) is None  # lapsed on 1 February
    pay(district, feb)
    Verification.objects.create(
        file=file, kind=Verification.Kind.YEARLY, done_on=date(2026, 2, 20), valid_until=date(2027, 2, 19)
    )
    mar = run(district, programme, "2026-03")
    line = entitlement_of(mar, file.person)
    assert line.amount == D("200.00")  # March only: February was lapsed, never arrears
    assert [m["month"] for m in line.inputs["months"]] == ["2026-03"]
    paid = months_of(file)  # January's cycle paid 2025's months too, as arrears
    assert paid[-2:] == ["2026-01", "2026-03"] and "2026-02" not in paid


def test_missed_month_paid_as_named_arrears_and_never_again(district):
    programme = allowance_programme(district)
    file = hardship_file(person(district), approved_on=date(2026, 1, 10))
    mar = run(district, programme, "2026-03")  # the February cycle was never run
    line = entitlement_of(mar, file.person)
    assert line.amount == D("400.00")
    assert "补发 1 个月：2026-02（200.00 元）" in line.explanation
    assert line.inputs["months"] == [
        {"file_id": file.pk, "file_no": file.file_no, "month": "2026-02", "amount": "200.00", "arrears": True},
        {"file_id": file.pk, "file_no": file.file_no, "month": "2026-03", "amount": "200.00", "arrears": False},
    ]
    february = AllowanceMonth.objects.get(file=file, month=date(2026, 2, 1))
    assert february.arrears and february.amount == D("200.00")
    assert AllowanceMonth.objects.get(file=file, month=date(2026, 3, 1)).amount == D("200.00")
    # February run late: nothing left to pay for this file
    feb = compute(district, programme, "2026-02")
    assert entitlement_of(feb, file.person) is None
    assert Payment.objects.filter(beneficiary_person=file.person).count() == 1


def test_a_month_whose_own_cycle_is_open_is_not_taken_as_arrears_until_it_is_paid(district):
    programme = allowance_programme(district)
    file = hardship_file(person(district), approved_on=date(2026, 1, 10))
    run(district, programme, "2026-02")
    march = compute(district, programme, "2026-03")  # waiting for review
    april = compute(district, programme, "2026-04")
    assert [m["month"] for m in entitlement_of(april, file.person).inputs["months"]] == ["2026-04"]
    march_file = hardship_file(person(district), approved_on=date(2026, 2, 20))  # approved after March was computed
    pay(district, march)
    pay(district, services.cycle_recompute(actor=district.user("finance"), cycle=april))
    assert months_of(file) == ["2026-02", "2026-03", "2026-04"]
    assert months_of(march_file) == ["2026-03", "2026-04"]  # March as arrears, once March's cycle was paid


def test_arrears_reach_back_only_as_far_as_the_parameter(district):
    programme = allowance_programme(district, arrears_months=2)
    file = hardship_file(person(district), approved_on=date(2025, 10, 5))
    jun = run(district, programme, "2026-06")
    assert [m["month"] for m in entitlement_of(jun, file.person).inputs["months"]] == ["2026-04", "2026-05", "2026-06"]


def test_each_month_at_the_amount_in_force_on_its_first_day(district):
    programme = allowance_programme(district)
    amount_from_march(programme, "300")
    file = hardship_file(person(district), approved_on=date(2026, 1, 10))
    mar = run(district, programme, "2026-03")
    line = entitlement_of(mar, file.person)
    assert line.amount == D("500.00")
    assert "2026-03 生活补助 300.00 元" in line.explanation
    assert "2026-02（200.00 元）" in line.explanation


def test_a_month_paid_meanwhile_by_another_cycle_undoes_the_approval_whole(district):
    programme = allowance_programme(district)
    file = hardship_file(person(district), approved_on=date(2026, 1, 10))
    mar = compute(district, programme, "2026-03")  # holds February as arrears
    run(district, programme, "2026-02")  # February paid first
    entries, payments = JournalEntry.objects.count(), Payment.objects.count()
    with pytest.raises(ValidationError, match=f"{file.file_no} 2026-02"):
        pay(district, mar)
    assert (JournalEntry.objects.count(), Payment.objects.count()) == (entries, payments)
    mar.refresh_from_db()
    assert mar.state == Cycle.State.REVIEWED
    assert months_of(file) == ["2026-02"]
    # recomputed, March pays March only
    mar = services.cycle_recompute(actor=district.user("finance"), cycle=mar)
    pay(district, mar)
    assert months_of(file) == ["2026-02", "2026-03"]


def test_an_entitlement_withheld_at_zero_is_paid_later_as_arrears_and_a_part_amount_refused(district):
    programme = allowance_programme(district)
    a = hardship_file(person(district), approved_on=date(2026, 1, 10))
    b = hardship_file(person(district), approved_on=date(2026, 1, 10))
    feb = compute(district, programme, "2026-02")
    services.entitlement_adjust(
        actor=district.user("finance"), entitlement=entitlement_of(feb, a.person), amount="0", reason="银行账号待核实"
    )
    pay(district, feb)
    assert months_of(a) == [] and months_of(b) == ["2026-02"]
    mar = compute(district, programme, "2026-03")
    assert entitlement_of(mar, a.person).amount == D("400.00")
    services.entitlement_adjust(
        actor=district.user("finance"), entitlement=entitlement_of(mar, b.person), amount="150", reason="部分发放"
    )
    payments = Payment.objects.count()
    with pytest.raises(ValidationError, match=r"与所列月份合计 200\.00 元不符"):
        pay(district, mar)
    assert Payment.objects.count() == payments


def test_two_runs_of_one_month_pay_nothing_twice(district):
    programme = allowance_programme(district)
    file = hardship_file(person(district), approved_on=date(2026, 1, 10))
    out = io.StringIO()
    call_command("pay_allowance", "2026-02", stdout=out)
    assert "应发 1 人（档案 1 户），合计 200.00 元" in out.getvalue()
    assert "命令不代为审批" in out.getvalue()
    cycle = Cycle.objects.get(programme=programme, period_key="2026-02")
    assert cycle.state == Cycle.State.COMPUTED
    out = io.StringIO()
    call_command("pay_allowance", "2026-02", stdout=out)  # reuses the cycle, creates nothing
    assert "已有" in out.getvalue()
    assert Cycle.objects.filter(programme=programme).count() == 1
    pay(district, cycle)
    out = io.StringIO()
    call_command("pay_allowance", "2026-02", "--recompute", stdout=out)
    assert "本月已支付：1 人，200.00 元；本次未再发放任何款项" in out.getvalue()
    with pytest.raises(ValidationError, match="已有发放周期"):
        services.cycle_create(actor=district.user("finance"), programme=programme, period_key="2026-02")
    assert Payment.objects.filter(beneficiary_person=file.person).count() == 1
    assert months_of(file) == ["2026-02"]


def test_command_recompute_picks_up_a_file_approved_since(district):
    allowance_programme(district)
    hardship_file(person(district), approved_on=date(2026, 1, 10))
    allowance_month_run(actor=system_actor(), month="2026-02")
    hardship_file(person(district), approved_on=date(2026, 1, 20))
    run = allowance_month_run(actor=system_actor(), month="2026-02", recompute=True)
    assert (run.people, run.total) == (2, D("400.00"))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2026-13", "月 13 无效"),
        ("0000-01", "年份 0 无效"),
        ("2026-1", "月份格式错误"),
        ("二〇二六年三月", "月份格式错误"),
        ("", "月份格式错误"),
    ],
)
def test_bad_months_refused_in_chinese_and_nothing_created(district, raw, message):
    allowance_programme(district)
    with pytest.raises(ValidationError, match=message):
        parse_month(raw)
    with pytest.raises(CommandError, match=message):
        call_command("pay_allowance", raw, stdout=io.StringIO())
    assert not Cycle.objects.exists()


def test_year_zero_period_refused_by_the_engine(district):
    programme = allowance_programme(district)
    with pytest.raises(ValidationError, match="年份 0000 无效"):
        services.cycle_create(actor=district.user("finance"), programme=programme, period_key="0000-01")
    assert not Cycle.objects.exists()


def test_command_without_programme_refused(district):
    with pytest.raises(CommandError, match="尚未设立生活补助项目"):
        call_command("pay_allowance", "2026-02", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"monthly_amount": "NaN", "arrears_months": 12}, "“每月补助标准”应为金额"),
        ({"monthly_amount": "Infinity"}, "“每月补助标准”应为金额"),
        ({"monthly_amount": "0"}, "不能小于 0.01 元"),
        ({"monthly_amount": "-200"}, "不能小于 0.01 元"),
        ({}, "请填写“每月补助标准”"),
        ({"monthly_amount": "200", "arrears_months": "十二"}, "“补发追溯月数”应为整数"),
        ({"monthly_amount": "200", "arrears_months": 99}, "应在 0 到 36 之间"),
    ],
)
def test_bad_parameters_refused_and_no_version_stored(district, params, message):
    programme = allowance_programme(district)
    before = ParameterVersion.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.parameter_version_add(
            actor=system_actor(), programme=programme, effective_from=date(2026, 6, 1), params=params
        )
    assert ParameterVersion.objects.count() == before


def test_quarter_period_refused_by_the_plugin():
    from funds.engine import PeriodSpan

    with pytest.raises(ValidationError, match="按自然月发放"):
        MonthlyAllowance().eligible(
            PeriodSpan("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)), {"monthly_amount": "200", "arrears_months": 1}
        )


def test_files_never_approved_or_rejected_are_not_paid(district):
    programme = allowance_programme(district)
    hardship_file(person(district), state=HardshipFile.State.REVIEWED, approved_on=None)
    hardship_file(person(district), state=HardshipFile.State.REJECTED, approved_on=None)
    cycle = compute(district, programme, "2026-03")
    assert cycle.beneficiaries == 0


def test_a_short_fund_refuses_the_approval_and_pays_nothing(district):
    programme = allowance_programme(district)
    for _ in range(3):
        hardship_file(person(district), approved_on=date(2026, 1, 10))
    # spend the fund down to less than 600 yuan
    fund, bank = programme.fund, programme.bank
    balance = services.account_balance(fund)
    services.entry_post(
        date=date(2026, 1, 6),
        description="测试：基金转出",
        lines=[services.Line(fund, debit=balance - D("500.00")), services.Line(bank, credit=balance - D("500.00"))],
        organisation=district.root,
        prepared_by=system_actor(),
        approved_by=system_actor(),
    )
    cycle = compute(district, programme, "2026-02")
    with pytest.raises(ValidationError, match="超过困难职工帮扶资金余额"):
        pay(district, cycle)
    assert not AllowanceMonth.objects.exists()
    assert date(2026, 2, 1) - timedelta(days=1) == date(2026, 1, 31)


def test_months_claimed_in_the_database_keep_every_fen_and_arrears_flag(district):
    # after_payment reads the months out of the inputs JSON in SQL (json_each / jsonb_array_elements)
    programme = allowance_programme(district, monthly_amount="199.99")
    amount_from_march(programme, "0.07")
    file = hardship_file(person(district), approved_on=date(2025, 12, 31))
    mar = run(district, programme, "2026-03")
    claimed = list(
        AllowanceMonth.objects.filter(file=file)
        .order_by("month")
        .values_list("month", "amount", "arrears", "person_id", "cycle_id", "programme_id")
    )
    assert claimed == [
        (date(2026, 1, 1), D("199.99"), True, file.person_id, mar.pk, programme.pk),
        (date(2026, 2, 1), D("199.99"), True, file.person_id, mar.pk, programme.pk),
        (date(2026, 3, 1), D("0.07"), False, file.person_id, mar.pk, programme.pk),
    ]
    payment = Payment.objects.get(cycle=mar)
    assert payment.amount == D("400.05")
    assert set(AllowanceMonth.objects.filter(file=file).values_list("payment_id", flat=True)) == {payment.pk}
