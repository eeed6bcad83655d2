"""金秋助学 from the issue text: the level table, the single-parent-only levels, one per child per
year (a second refused, also across files), the yearly cycle paying a worker for all their children,
and bad input refused with a Chinese message and nothing changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assistance.models import HardshipFile, HouseholdMember, ScholarshipApplication, SchoolLevel
from assistance.plugins.scholarship import BEIJING_LEVELS, Scholarship, scholarship_amount
from assistance.services.scholarship import (
    scholarship_apply,
    scholarship_approve,
    scholarship_reject,
    scholarship_verify,
)
from assistance.tests.factories import hardship_file, household_member
from assistance.tests.relief_helpers import (
    _immediate_tasks,  # noqa: F401 (autouse fixture)
    pay_cycle,
    pdf,
    scholarship_programme,
    worker_person,
)
from core.system import system_actor
from funds import services as funds_services
from funds.models import Payment

S = ScholarshipApplication.State
L = SchoolLevel
YEAR = timezone.localdate().year


def active_file(district, *, single_parent=False, sex="M"):
    person = worker_person(district, sex=sex)
    return hardship_file(person, approved_on=timezone.localdate().replace(month=1, day=2), single_parent=single_parent)


def apply(district, child, level=L.HIGH_SCHOOL, **kw):
    return scholarship_apply(
        actor=kw.pop("actor", district.user("worker_a")),
        child=child,
        year=kw.pop("year", YEAR),
        level=level,
        school=kw.pop("school", "北京市顺义区第一中学"),
        documents=kw.pop("documents", [pdf("录取通知书.pdf")]),
        **kw,
    )


def through(district, application):
    scholarship_verify(actor=district.user("assist_a"), application=application, opinion="属实")
    return scholarship_approve(actor=district.user("rights"), application=application, opinion="同意")


@pytest.mark.parametrize(
    ("level", "single_parent", "woman", "expected"),
    [
        (L.HIGH_SCHOOL, False, False, "4000.00"),
        (L.COLLEGE, False, True, "12450.00"),
        (L.COMPULSORY, True, False, "3000.00"),
        (L.POSTGRADUATE, True, True, "12450.00"),
        (L.COMPULSORY, False, True, "仅资助单亲困难职工家庭"),
        (L.POSTGRADUATE, True, False, "仅资助单亲困难女职工"),
        (L.POSTGRADUATE, False, True, "仅资助单亲困难女职工"),
    ],
)
def test_level_table(level, single_parent, woman, expected):
    levels = Scholarship().validate_parameters({"levels": BEIJING_LEVELS})["levels"]
    if expected[0].isdigit():
        assert scholarship_amount(levels, level, single_parent=single_parent, woman=woman) == Decimal(expected)
    else:
        with pytest.raises(ValidationError, match=expected):
            scholarship_amount(levels, level, single_parent=single_parent, woman=woman)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "至少一个就读阶段"),
        ([{"level": "kindergarten", "amount": "1"}], "就读阶段”无效"),
        ([{"level": "college", "amount": "NaN"}], "资助金额”无效"),
        ([{"level": "college", "amount": "0"}], "须大于零"),
        ([{"level": "college", "amount": "1"}, {"level": "college", "amount": "2"}], "重复"),
    ],
)
def test_level_table_parameters_refused(rows, message):
    with pytest.raises(ValidationError, match=message):
        Scholarship().validate_parameters({"levels": rows})


def test_apply_approve_and_the_yearly_cycle_pays_all_children(district):
    programme = scholarship_programme(district)
    file = active_file(district)
    first = through(district, apply(district, household_member(file, name="张小明")))
    second = through(district, apply(district, household_member(file, name="张小红"), L.COLLEGE, school="北京工业大学"))
    assert (first.amount, second.amount) == (Decimal("4000.00"), Decimal("12450.00"))
    cycle = funds_services.cycle_create(actor=system_actor(), programme=programme, period_key=str(YEAR))
    pay_cycle(district, cycle)
    payment = Payment.objects.get(programme=programme)
    assert payment.beneficiary_person == file.person and payment.amount == Decimal("16450.00")
    assert "张小明（高中阶段）4,000.00 元" in payment.entitlement.explanation
    # The year is paid: no more applications for it.
    with pytest.raises(ValidationError, match="已发放完毕"):
        apply(district, household_member(file, name="张小刚"))


def test_single_parent_levels(district):
    scholarship_programme(district)
    file = active_file(district)  # two-parent family, a man
    child = household_member(file)
    with pytest.raises(ValidationError, match="仅资助单亲困难职工家庭"):
        apply(district, child, L.COMPULSORY, school="沙坨村小学")
    with pytest.raises(ValidationError, match="仅资助单亲困难女职工"):
        apply(district, child, L.POSTGRADUATE, school="北京大学")
    assert not ScholarshipApplication.objects.exists()


def test_single_parent_woman_gets_postgraduate(district):
    scholarship_programme(district)
    file = active_file(district, single_parent=True, sex="F")
    application = through(district, apply(district, household_member(file), L.POSTGRADUATE, school="北京大学"))
    assert application.amount == Decimal("12450.00")


def test_second_scholarship_same_child_year_refused(district):
    scholarship_programme(district)
    file = active_file(district)
    child = household_member(file, n=777001)
    apply(district, child)
    with pytest.raises(ValidationError, match="每名子女每年限一次"):
        apply(district, child, L.COLLEGE, school="北京工业大学")
    assert ScholarshipApplication.objects.count() == 1


def test_same_child_on_another_file_refused_by_blind_index(district):
    """The same ID number on two households is the same child: the database refuses it too."""
    scholarship_programme(district)
    file = active_file(district)
    apply(district, household_member(file, n=777002))
    other_file = hardship_file(
        __import__("members.tests.factories", fromlist=["member"]).member(district.union_a).person
    )
    twin = household_member(other_file, n=777002)
    with pytest.raises(ValidationError, match="每名子女每年限一次"):
        apply(district, twin, actor=district.user("assist_a"))
    first = ScholarshipApplication.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ScholarshipApplication.objects.create(
            number="JQ9999-0001",
            year=first.year,
            hardship_file=other_file,
            person=other_file.person,
            organisation=other_file.organisation,
            child=twin,
            child_id_index=twin.id_number_index,
            child_name=twin.name,
            level=L.HIGH_SCHOOL,
            school="x",
            applied_on=timezone.localdate(),
        )


def test_rejected_may_apply_again(district):
    scholarship_programme(district)
    child = household_member(active_file(district))
    first = apply(district, child)
    scholarship_reject(actor=district.user("assist_a"), application=first, opinion="学校信息有误")
    assert apply(district, child, school="北京市顺义区牛栏山第一中学").state == S.APPLIED


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"year": 0}, "年度无效"),
        ({"year": YEAR + 1}, "年度无效"),
        ({"year": "2026"}, "年度无效"),
        ({"level": "phd"}, "就读阶段无效"),
        ({"school": "  "}, "请填写学校名称"),
        ({"documents": []}, "请上传证明材料"),
        ({"documents": [pdf("录取.docx")]}, "类型不允许"),
        ({"documents": [pdf("录取.png")]}, "内容与其类型"),
    ],
)
def test_bad_input_refused(district, change, message):
    scholarship_programme(district)
    child = household_member(active_file(district))
    kw = {"level": L.HIGH_SCHOOL, **change}
    level = kw.pop("level")
    with pytest.raises(ValidationError, match=message):
        apply(district, child, level, **kw)
    assert not ScholarshipApplication.objects.exists()


def test_not_a_child_not_active_lapsed(district):
    scholarship_programme(district)
    file = active_file(district)
    spouse = household_member(file, relation=HouseholdMember.Relation.SPOUSE, name="配偶")
    with pytest.raises(ValidationError, match="不是困难职工的子女"):
        apply(district, spouse)
    from members.tests.factories import member

    applied = hardship_file(member(district.union_a).person, state=HardshipFile.State.APPLIED)
    with pytest.raises(ValidationError, match="在档职工的子女才能申请"):
        apply(district, household_member(applied), actor=district.user("assist_a"))
    today = timezone.localdate()
    lapsed = hardship_file(
        member(district.union_a).person,
        approved_on=today.replace(year=today.year - 2),
        valid_until=today.replace(year=today.year - 1),
    )
    with pytest.raises(ValidationError, match="复核已逾期"):
        apply(district, household_member(lapsed), actor=district.user("assist_a"))
    assert not ScholarshipApplication.objects.exists()


def test_who_may(district):
    scholarship_programme(district)
    application = apply(district, household_member(active_file(district)))
    with pytest.raises(PermissionDenied):
        scholarship_verify(actor=district.user("town_b"), application=application, opinion="x")
    scholarship_verify(actor=district.user("assist_a"), application=application, opinion="属实")
    with pytest.raises(PermissionDenied):
        scholarship_approve(actor=district.user("assist_town_a"), application=application, opinion="同意")
    with pytest.raises(ValidationError, match="请填写审批意见"):
        scholarship_approve(actor=district.user("rights"), application=application, opinion="")
    application.refresh_from_db()
    assert application.state == S.VERIFIED
