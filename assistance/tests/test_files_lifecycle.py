"""The hardship file's lifecycle (issue 12 item 1): application, household, the three decisions by
three people at three levels, rejection, yearly re-verification and lapse, exit — and every refusal
changing nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from assistance.models import FileStep, HardshipFile, HouseholdMember, LocalStandard
from assistance.selectors import files as selectors
from assistance.services import files as svc
from assistance.tests.factories import local_standard
from members import fake
from members.tests.factories import member

S = HardshipFile.State
TODAY = date(2026, 6, 1)
DATA = {"category": "deep", "main_cause": "illness", "housing": "owned", "monthly_rigid_expenses": "300"}


@pytest.fixture
def standard(district) -> LocalStandard:
    return local_standard(district)


@pytest.fixture
def worker(district, standard):
    """worker_a's own person, a member of 沙坨村 union_a."""
    membership = member(district.union_a, name="王困难")
    person = membership.person
    person.user = district.user("worker_a")
    person.save()
    return person


def apply(district, worker, income="1800", **extra):
    return svc.file_apply(
        actor=district.user("worker_a"),
        person=worker,
        data={**DATA, **extra},
        own=svc.SelfDetails(monthly_income=Decimal(income)),
        today=TODAY,
    )


def active_file(district, worker) -> HardshipFile:
    file = apply(district, worker)
    file = svc.file_verify(actor=district.user("assist_a"), file=file, opinion="情况属实", today=TODAY)
    file = svc.file_review(actor=district.user("assist_town_a"), file=file, opinion="同意", today=TODAY)
    return svc.file_approve(actor=district.user("rights"), file=file, opinion="批准建档", on=TODAY, today=TODAY)


# --- formulas --------------------------------------------------------------------------------------


@given(
    incomes=st.lists(st.decimals(min_value=0, max_value=100000, places=2), min_size=1, max_size=8),
    rigid=st.decimals(min_value=0, max_value=100000, places=2),
)
def test_income_per_head_is_net_income_shared_rounded_to_the_fen(incomes, rigid):
    per_head = svc.income_per_head(incomes, rigid, len(incomes))
    net = sum(incomes) - rigid
    assert per_head >= 0
    assert per_head == per_head.quantize(Decimal("0.01"))
    if net <= 0:
        assert per_head == 0
    else:
        assert abs(per_head * len(incomes) - net) <= Decimal("0.005") * len(incomes)


def test_income_per_head_rounds_half_up():
    assert svc.income_per_head([Decimal("100.00")], Decimal("0"), 3) == Decimal("33.33")
    assert svc.income_per_head([Decimal("0.05")], Decimal("0"), 2) == Decimal("0.03")


@given(per_head=st.decimals(min_value=0, max_value=10000, places=2))
def test_category_bands(per_head):
    got = svc.category_for_income(per_head, Decimal("1450"), Decimal("1.5"))
    if per_head < 1450:
        assert got == "deep"
    elif per_head < 2175:
        assert got == "relative"
    else:
        assert got is None


def test_a_span_is_a_year_less_a_day():
    assert svc.span_end(date(2026, 1, 31)) == date(2027, 1, 30)
    assert svc.span_end(date(2024, 2, 29)) == date(2025, 2, 28)


# --- the lifecycle ---------------------------------------------------------------------------------


def test_a_worker_applies_in_the_portal_at_their_union(district, worker):
    file = apply(district, worker, category="relative")
    assert file.state == S.APPLIED and file.organisation == district.union_a and file.applied_in_portal
    assert file.file_no == "KN202600001"
    # one household line (本人) with 1,800 a month, less 300 rigid expenses: 1,500 per head, between
    # the 低保 standard (1,450) and 1.5 × it (2,175): 相对困难
    self_line = file.household.get()
    assert (self_line.relation, self_line.name, self_line.id_number) == ("self", "王困难", worker.id_number)
    assert file.household_size == 1
    assert file.income_per_head == Decimal("1500.00")


def test_the_category_the_figures_contradict_is_refused(district, worker):
    with pytest.raises(ValidationError) as exc:
        apply(district, worker, category="deep", monthly_rigid_expenses="300")
    assert "应认定为“相对困难”" in str(exc.value)
    assert not HardshipFile.objects.exists()
    file = apply(district, worker, category="relative", monthly_rigid_expenses="300")
    assert file.category == "relative"


def test_accident_category_needs_its_cause_not_the_figures(district, worker):
    with pytest.raises(ValidationError, match="意外致困须以"):
        apply(district, worker, category="accident", main_cause="low_income", monthly_rigid_expenses="0")
    file = apply(district, worker, category="accident", main_cause="accident", monthly_rigid_expenses="0")
    assert file.income_per_head == Decimal("1800.00")


def test_not_eligible_on_income_is_refused(district, worker):
    with pytest.raises(ValidationError, match="不符合建档条件"):
        apply(district, worker, income="2175", category="relative", monthly_rigid_expenses="0")


def full_cycle(district, worker):
    file = apply(district, worker, category="relative")
    svc.household_save(
        actor=district.user("worker_a"),
        file=file,
        data={
            "relation": "child",
            "name": "王小明",
            "id_number": fake.id_number(700001),
            "health": "healthy",
            "occupation": "student",
            "monthly_income": "0",
            "medical_insurance": "resident",
        },
        today=TODAY,
    )
    file.refresh_from_db()
    assert file.household_size == 2 and file.income_per_head == Decimal("750.00")
    svc.file_update(actor=district.user("worker_a"), file=file, data={"category": "deep"}, today=TODAY)
    file = svc.file_verify(actor=district.user("assist_a"), file=file, opinion="入户核实属实", today=TODAY)
    assert file.state == S.VERIFIED
    file = svc.file_review(actor=district.user("assist_town_a"), file=file, opinion="同意上报", today=TODAY)
    assert file.state == S.REVIEWED
    file = svc.file_approve(actor=district.user("rights"), file=file, opinion="批准", on=TODAY, today=TODAY)
    return file


def test_the_whole_path_writes_steps_span_and_approved_on(district, worker):
    file = full_cycle(district, worker)
    assert file.state == S.ACTIVE and file.approved_on == TODAY
    steps = list(file.steps.values_list("kind", "acting_organisation", "opinion"))
    assert steps == [
        ("apply", district.union_a.pk, ""),
        ("verify", district.union_a.pk, "入户核实属实"),
        ("review", district.town_a.pk, "同意上报"),
        ("approve", district.root.pk, "批准"),
    ]
    span = file.verifications.get()
    assert (span.kind, span.done_on, span.valid_until) == ("initial", TODAY, date(2027, 5, 31))
    assert file.history.count() >= 4


def test_wrong_level_is_refused_and_nothing_changes(district, worker):
    file = apply(district, worker, category="relative")
    with pytest.raises(PermissionDenied, match="仁和镇总工会"):
        svc.file_review(actor=district.user("assist_a"), file=file, opinion="越级", today=TODAY)
    file = svc.file_verify(actor=district.user("assist_a"), file=file, opinion="属实", today=TODAY)
    with pytest.raises(PermissionDenied, match="仁和镇总工会"):
        svc.file_review(actor=district.user("assist_a"), file=file, opinion="越级", today=TODAY)
    with pytest.raises(PermissionDenied, match="测试区总工会"):
        svc.file_approve(actor=district.user("assist_town_a"), file=file, opinion="越级", today=TODAY)
    with pytest.raises(PermissionDenied):
        svc.file_verify(actor=district.user("chair_a"), file=file, opinion="x", today=TODAY)
    file.refresh_from_db()
    assert file.state == S.VERIFIED and file.steps.count() == 2


def test_one_person_takes_one_step(district, worker):
    file = apply(district, worker, category="relative")
    rights = district.user("rights")
    file = svc.file_verify(actor=rights, file=file, opinion="区帮扶中心代为核实", today=TODAY)
    with pytest.raises(ValidationError, match="同一人不能办理两个环节"):
        svc.file_review(actor=rights, file=file, opinion="再审", today=TODAY)
    file = svc.file_review(actor=district.user("assist_town_a"), file=file, opinion="同意", today=TODAY)
    with pytest.raises(ValidationError, match="同一人不能办理两个环节"):
        svc.file_approve(actor=rights, file=file, opinion="批准", today=TODAY)
    file.refresh_from_db()
    assert file.state == S.REVIEWED and not file.verifications.exists()


def test_the_worker_cannot_process_their_own_file(district, worker):
    file = apply(district, worker, category="relative")
    with pytest.raises(PermissionDenied, match="本人"):
        svc.file_verify(actor=district.user("worker_a"), file=file, opinion="自己核实", today=TODAY)


def test_out_of_order_steps_are_refused(district, worker):
    file = apply(district, worker, category="relative")
    with pytest.raises(ValidationError, match="不能审批"):
        svc.file_approve(actor=district.user("rights"), file=file, opinion="批准", today=TODAY)
    with pytest.raises(ValidationError, match="不能年度复核"):
        svc.file_reverify(actor=district.user("assist_a"), file=file, opinion="复核", today=TODAY)
    with pytest.raises(ValidationError, match="不能办理解困脱困"):
        svc.file_exit(actor=district.user("assist_a"), file=file, reason="income", on=TODAY, today=TODAY)
    file.refresh_from_db()
    assert file.state == S.APPLIED and file.steps.count() == 1


def test_an_opinion_is_required(district, worker):
    file = apply(district, worker, category="relative")
    with pytest.raises(ValidationError, match="请填写核实意见"):
        svc.file_verify(actor=district.user("assist_a"), file=file, opinion="  ", today=TODAY)


def test_reject_at_any_step_with_a_reason_then_a_new_application(district, worker):
    file = apply(district, worker, category="relative")
    file = svc.file_verify(actor=district.user("assist_a"), file=file, opinion="属实", today=TODAY)
    with pytest.raises(ValidationError, match="理由"):
        svc.file_reject(actor=district.user("assist_town_a"), file=file, reason="")
    with pytest.raises(PermissionDenied):
        svc.file_reject(actor=district.user("assist_a"), file=file, reason="不属实")
    file = svc.file_reject(actor=district.user("assist_town_a"), file=file, reason="收入核对不符")
    assert file.state == S.REJECTED
    step = file.steps.last()
    assert (step.kind, step.acting_organisation_id, step.opinion) == ("reject", district.town_a.pk, "收入核对不符")
    again = apply(district, worker, category="relative")
    assert again.state == S.APPLIED and again.file_no != file.file_no


def test_a_second_open_file_is_refused_with_a_message(district, worker):
    first = apply(district, worker, category="relative")
    with pytest.raises(ValidationError, match=f"已有待基层工会核实的困难职工档案（{first.file_no}）"):
        apply(district, worker, category="relative")
    assert HardshipFile.objects.count() == 1


def test_the_database_refuses_a_second_open_file(district, worker):
    from django.db import IntegrityError, transaction

    from assistance.tests.factories import hardship_file

    hardship_file(worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        hardship_file(worker, state=S.APPLIED)


def test_an_officer_applies_for_a_member_of_their_scope_only(district, standard):
    person = member(district.union_b, name="李四").person
    with pytest.raises(PermissionDenied, match="西泗上村"):
        svc.file_apply(actor=district.user("assist_a"), person=person, data=DATA, today=TODAY)
    with pytest.raises(PermissionDenied):
        svc.file_apply(actor=district.user("worker_a"), person=person, data=DATA, today=TODAY)
    own = member(district.union_a, name="赵五").person
    file = svc.file_apply(actor=district.user("assist_a"), person=own, data=DATA, today=TODAY)
    assert file.organisation == district.union_a and not file.applied_in_portal
    # the officer who applied cannot verify too
    with pytest.raises(ValidationError, match="同一人"):
        svc.file_verify(actor=district.user("assist_a"), file=file, opinion="属实", today=TODAY)


def test_no_membership_no_application(district, standard):
    m = member(district.union_a, name="钱六")
    m.status = m.Status.LEFT
    m.ended_on = date(2025, 1, 1)
    m.save()
    with pytest.raises(ValidationError, match="没有在册会籍"):
        svc.file_apply(actor=district.user("assist_a"), person=m.person, data=DATA, today=TODAY)


def test_no_standard_no_application(district, worker):
    LocalStandard.objects.all().delete()
    with pytest.raises(ValidationError, match="尚未录入 2026-06-01 适用的低保标准"):
        apply(district, worker)
    assert not HardshipFile.objects.exists()


# --- bad input -------------------------------------------------------------------------------------


HOUSEHOLD = {
    "relation": "spouse",
    "name": "刘配偶",
    "health": "healthy",
    "occupation": "farming",
    "monthly_income": "500",
    "medical_insurance": "resident",
}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id_number": "110105194912310021"}, "刘配偶的身份证号码校验位错误"),
        ({"id_number": "12345"}, "长度应为18位"),
        ({"id_number": fake.id_number(800001), "monthly_income": "NaN"}, "月收入不是有效的金额"),
        ({"id_number": fake.id_number(800001), "monthly_income": "-1"}, "不能为负数"),
        ({"id_number": fake.id_number(800001), "monthly_income": "1e30"}, "超出合理范围"),
        ({"id_number": fake.id_number(800001), "monthly_income": "abc"}, "不是有效的金额"),
        ({"id_number": fake.id_number(800001), "relation": "self"}, "一户只能有一位“本人”"),
        ({"id_number": fake.id_number(800001), "health": "zombie"}, "不是可选的值"),
        ({"id_number": fake.id_number(800001), "name": " "}, "请填写家庭成员姓名"),
    ],
)
def test_bad_household_input_is_refused_and_nothing_changes(district, worker, data, message):
    file = apply(district, worker, category="relative")
    with pytest.raises(ValidationError, match=message):
        svc.household_save(actor=district.user("worker_a"), file=file, data={**HOUSEHOLD, **data}, today=TODAY)
    file.refresh_from_db()
    assert file.household.count() == 1 and file.income_per_head == Decimal("1500.00")


def test_the_same_id_twice_in_one_household_is_refused(district, worker):
    file = apply(district, worker, category="relative")
    with pytest.raises(ValidationError, match="另一位家庭成员相同"):
        svc.household_save(
            actor=district.user("worker_a"), file=file, data={**HOUSEHOLD, "id_number": worker.id_number}, today=TODAY
        )


def test_the_household_is_encrypted_with_a_blind_index(district, worker):
    from django.db import connection

    file = apply(district, worker, category="relative")
    number = fake.id_number(800002)
    row = svc.household_save(
        actor=district.user("worker_a"), file=file, data={**HOUSEHOLD, "id_number": number}, today=TODAY
    )
    with connection.cursor() as cur:
        cur.execute("SELECT id_number FROM assistance_householdmember WHERE id = %s", [row.pk])
        stored = cur.fetchone()[0]
    assert number not in stored
    assert row.birth_date == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert HouseholdMember.objects.get(pk=row.pk).id_number == number


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"monthly_rigid_expenses": "NaN"}, "不是有效的金额"),
        ({"monthly_rigid_expenses": "Infinity"}, "不是有效的金额"),
        ({"category": "rich"}, "不是可选的值"),
        ({"main_cause": "laziness"}, "不是可选的值"),
        ({"secondary_causes": ["illness", "nonsense"]}, "次要致困原因"),
        ({"bank_account": "62220abc"}, "银行账号应为"),
    ],
)
def test_bad_file_input_is_refused(district, worker, data, message):
    file = apply(district, worker, category="relative")
    with pytest.raises(ValidationError, match=message):
        svc.file_update(actor=district.user("worker_a"), file=file, data=data, today=TODAY)
    with pytest.raises(ValidationError, match=message):
        svc.file_apply(actor=district.user("assist_a"), person=member(district.union_a).person, data={**DATA, **data})


def test_the_worker_cannot_edit_after_verification(district, worker):
    file = apply(district, worker, category="relative")
    file = svc.file_verify(actor=district.user("assist_a"), file=file, opinion="属实", today=TODAY)
    with pytest.raises(ValidationError, match="请联系所在工会"):
        svc.file_update(actor=district.user("worker_a"), file=file, data={"situation": "x"}, today=TODAY)


@pytest.mark.parametrize(
    ("on", "message"),
    [(date(1, 1, 1), "早于 2000年"), (date(2030, 1, 1), "晚于今天"), (date(2026, 5, 1), "早于 2026-06-01")],
)
def test_approval_dates_out_of_range_are_refused(district, worker, on, message):
    file = apply(district, worker, category="relative")
    file = svc.file_verify(actor=district.user("assist_a"), file=file, opinion="属实", today=TODAY)
    file = svc.file_review(actor=district.user("assist_town_a"), file=file, opinion="同意", today=TODAY)
    with pytest.raises(ValidationError, match=message):
        svc.file_approve(actor=district.user("rights"), file=file, opinion="批准", on=on, today=TODAY)
    file.refresh_from_db()
    assert file.state == S.REVIEWED and file.approved_on is None


# --- re-verification, lapse, exit -----------------------------------------------------------------


def test_lapse_and_restoration_by_a_late_reverification(district, worker):
    file = full_cycle(district, worker)
    assert selectors.is_verified_on(file, date(2027, 5, 31))
    assert not selectors.is_verified_on(file, date(2027, 6, 1))
    late = date(2027, 8, 10)
    assert selectors.lapsed_files(HardshipFile.objects.all(), today=late).get() == file
    span = svc.file_reverify(actor=district.user("assist_a"), file=file, opinion="复核仍符合", on=late, today=late)
    assert (span.kind, span.done_on, span.valid_until) == ("yearly", late, date(2028, 8, 9))
    assert not selectors.is_verified_on(file, date(2027, 7, 1))  # the lapsed months stay unpaid
    assert selectors.is_verified_on(file, late)
    assert not selectors.lapsed_files(HardshipFile.objects.all(), today=late).exists()
    assert "复核逾期" in file.steps.last().opinion


def test_due_list(district, worker):
    file = full_cycle(district, worker)
    due = selectors.due_files(HardshipFile.objects.all(), today=date(2027, 5, 10), days=30)
    assert list(due) == [file]
    assert not selectors.due_files(HardshipFile.objects.all(), today=date(2027, 4, 1), days=30).exists()


def test_reverification_out_of_order_or_twice_is_refused(district, worker):
    file = full_cycle(district, worker)
    with pytest.raises(ValidationError, match="已有认定或复核记录"):
        svc.file_reverify(actor=district.user("assist_a"), file=file, opinion="x", on=TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="早于"):
        svc.file_reverify(actor=district.user("assist_a"), file=file, opinion="x", on=date(2026, 5, 1), today=TODAY)
    assert file.verifications.count() == 1


def test_reverification_of_a_no_longer_eligible_file_is_refused_then_exit(district, worker):
    file = full_cycle(district, worker)
    child = file.household.get(relation="child")
    svc.household_save(
        actor=district.user("assist_a"), file=file, member=child, data={"monthly_income": "5000"}, today=TODAY
    )
    with pytest.raises(ValidationError, match="不符合建档条件"):
        svc.file_reverify(
            actor=district.user("assist_a"), file=file, opinion="复核", on=date(2027, 5, 1), today=date(2027, 5, 1)
        )
    file = svc.file_exit(
        actor=district.user("assist_a"),
        file=file,
        reason="reverify_failed",
        on=date(2027, 5, 1),
        today=date(2027, 5, 1),
    )
    assert file.state == S.EXITED and file.exited_on == date(2027, 5, 1)
    assert file.steps.last().kind == FileStep.Kind.EXIT
    # once exited, a new application is possible (a new household, its own figures)
    again = apply(district, worker, category="deep", monthly_rigid_expenses="5000")
    assert again.state == S.APPLIED and again.pk != file.pk


def test_exit_needs_a_reason_and_a_sane_date(district, worker):
    file = full_cycle(district, worker)
    with pytest.raises(ValidationError, match="请选择脱困原因"):
        svc.file_exit(actor=district.user("assist_a"), file=file, reason="bored", on=TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="请填写说明"):
        svc.file_exit(actor=district.user("assist_a"), file=file, reason="other", on=TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="早于 2026-06-01"):
        svc.file_exit(actor=district.user("assist_a"), file=file, reason="income", on=date(2026, 1, 1), today=TODAY)
    with pytest.raises(PermissionDenied):
        svc.file_exit(actor=district.user("chair_a"), file=file, reason="income", on=TODAY, today=TODAY)
    file.refresh_from_db()
    assert file.state == S.ACTIVE and file.exited_on is None


# --- local standards -------------------------------------------------------------------------------


def test_standards_are_dated_and_managed_by_the_centre(district, standard):
    with pytest.raises(PermissionDenied):
        svc.standard_save(
            actor=district.user("assist_town_a"),
            district=district.root,
            effective_from=date(2026, 9, 1),
            dibao_monthly="1500",
            relative_multiple="1.5",
        )
    later = svc.standard_save(
        actor=district.user("rights"),
        district=district.root,
        effective_from=date(2026, 9, 1),
        dibao_monthly="1500",
        relative_multiple="1.5",
    )
    assert svc.standard_on(date(2026, 8, 31)) == standard
    assert svc.standard_on(date(2026, 9, 1)) == later


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"dibao_monthly": "NaN"}, "不是有效的金额"),
        ({"dibao_monthly": "0"}, "必须大于 0"),
        ({"relative_multiple": "1"}, "应大于 1"),
        ({"relative_multiple": "nan"}, "应大于 1"),
        ({"effective_from": date(1, 1, 1)}, "不是有效的日期"),
        ({"effective_from": date(2025, 9, 1)}, "已录入"),
    ],
)
def test_bad_standards_are_refused(district, standard, fields, message):
    args = {"effective_from": date(2026, 9, 1), "dibao_monthly": "1500", "relative_multiple": "1.5", **fields}
    with pytest.raises(ValidationError, match=message):
        svc.standard_save(actor=district.user("rights"), district=district.root, **args)
    assert LocalStandard.objects.count() == 1
