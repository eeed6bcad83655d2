"""普惠制服务项目: submission (office, portal), grading by the union above with refusals that change
nothing, the reward through the programme engine on the ledger, and the counts per subtree and year."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import innovation_services as inn
from activities.innovation import InnovationItem
from activities.innovation_reward import grade_amount, validate_prizes
from activities.tests.innovation_helpers import IMMEDIATE, pay, reward_programmes, submit
from core.system import system_actor
from funds import services as funds_services
from funds.models import Account, Cycle, JournalLine, Payment
from funds.selectors import account_balance
from members.tests.factories import member

G = InnovationItem.Grade


@pytest.fixture(autouse=True)
def _immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


pytestmark = pytest.mark.django_db


def test_office_submits_member_and_unit_items_numbered_by_year(district):
    person = member(district.union_a, name="王建国").person
    a = submit(district, person=person)
    b = submit(district, kind=InnovationItem.Kind.DESIGN, title="工装夹具小设计")
    year = timezone.localdate().year
    assert (a.number, b.number) == (f"CX{year}-0001", f"CX{year}-0002")
    assert a.applicant == "王建国" and not a.is_unit_item and a.channel == "office"
    assert b.applicant == district.union_a.name and b.is_unit_item
    assert (a.state, a.year, a.amount) == ("submitted", year, Decimal("0.00"))


def test_submission_refusals_change_nothing(district):
    outsider = member(district.union_b, name="赵外人").person
    with pytest.raises(ValidationError, match=r"不是.*在册会员"):
        submit(district, person=outsider)
    with pytest.raises(PermissionDenied):
        submit(district, union=district.union_b)  # chair A holds nothing over union B
    with pytest.raises(ValidationError, match="不少于 20 字"):
        submit(district, content="太短了")
    with pytest.raises(ValidationError, match="请选择类别"):
        submit(district, kind="bogus")
    with pytest.raises(ValidationError, match="协作单位"):
        submit(district, union=district.youth, actor="admin")
    assert InnovationItem.objects.count() == 0


def test_worker_submits_own_item_to_their_union(district):
    person = member(district.union_a, name="钱小工").person
    worker = district.user("worker_a")
    person.user = worker
    person.save(update_fields=["user"])
    item = inn.item_submit_own(
        actor=worker, kind="invention", title="防滑扳手", content="扳手手柄缠防滑胶带并加装限位环，" * 2
    )
    assert (item.union, item.person, item.channel, item.submitted_by) == (district.union_a, person, "portal", worker)
    with pytest.raises(ValidationError, match="没有关联在册会员"):
        inn.item_submit_own(actor=district.user("town_a"), kind="invention", title="x" * 5, content="y" * 30)


def test_only_the_union_above_grades_and_never_twice(district):
    reward_programmes(district)
    item = submit(district, person=member(district.union_a).person)
    for key in ("chair_a", "town_b"):  # the submitting union itself; another town
        with pytest.raises(PermissionDenied):
            inn.item_grade(actor=district.user(key), item=item, grade=G.FIRST, opinion="同意")
    with pytest.raises(ValidationError, match="评审意见"):
        inn.item_grade(actor=district.user("town_a"), item=item, grade=G.FIRST, opinion=" ")
    with pytest.raises(ValidationError, match="评审等级"):
        inn.item_grade(actor=district.user("town_a"), item=item, grade="best", opinion="同意")
    item.refresh_from_db()
    assert (item.state, item.grade, item.cycle_id) == ("submitted", "", None)
    inn.item_grade(actor=district.user("town_a"), item=item, grade=G.NONE, opinion="效益不明显")
    item.refresh_from_db()
    assert (item.state, item.grade, item.amount, item.cycle_id) == ("graded", "none", Decimal("0.00"), None)
    with pytest.raises(ValidationError, match="当前已评审，不能再次评审"):
        inn.item_grade(actor=district.user("town_a"), item=item, grade=G.FIRST, opinion="改为一等")
    item.refresh_from_db()
    assert item.grade == "none" and Cycle.objects.count() == 0


def test_a_town_item_is_graded_by_the_district_and_nobody_grades_their_own(district):
    reward_programmes(district)
    item = submit(district, union=district.town_a, actor="town_a")
    with pytest.raises(PermissionDenied):
        inn.item_grade(actor=district.user("town_a"), item=item, grade=G.FIRST, opinion="同意")
    own = submit(district, union=district.root, actor="econ")
    with pytest.raises(ValidationError, match="不能评审自己申报"):
        inn.item_grade(actor=district.user("econ"), item=own, grade=G.FIRST, opinion="同意")
    graded = inn.item_grade(actor=district.user("econ"), item=item, grade=G.THIRD, opinion="同意，三等")
    assert graded.amount == Decimal("1000.00")  # a unit's item: the unit programme's 三等


def test_grading_without_a_programme_is_refused(district):
    item = submit(district, person=member(district.union_a).person)
    with pytest.raises(ValidationError, match="尚未设立“职工创新奖励”"):
        inn.item_grade(actor=district.user("town_a"), item=item, grade=G.SECOND, opinion="同意")
    item.refresh_from_db()
    assert item.state == "submitted"


def test_reward_is_paid_through_the_engine_on_the_ledger(district):
    member_programme, _unit = reward_programmes(district)
    later = timezone.localdate() + timedelta(days=1)  # a version not yet in force on grading day
    funds_services.parameter_version_add(
        actor=system_actor(), programme=member_programme, effective_from=later,
        params={"first": "3000", "second": "2000", "third": "1000"},
    )  # fmt: skip
    person = member(district.union_a, name="孙技师").person
    item = inn.item_grade(
        actor=district.user("town_a"), item=submit(district, person=person), grade=G.SECOND, opinion="建议采纳"
    )
    assert item.amount == Decimal("500.00") and "2020-01-01 起参数" in item.amount_explanation
    cycle = Cycle.objects.get(pk=item.cycle_id)
    assert (cycle.period_key, cycle.state, cycle.prepared_by) == (item.number, "computed", system_actor())
    entitlement = cycle.entitlements.get()
    assert (entitlement.beneficiary_person, entitlement.amount) == (person, Decimal("500.00"))
    for preparer_or_grader in (system_actor(), district.user("town_a")):  # neither signs the payment
        with pytest.raises(PermissionDenied):
            funds_services.cycle_approve(actor=preparer_or_grader, cycle=cycle)
    assert item.reward_status == "待审批发放"
    paid = pay(district, item)
    assert paid.state == "paid"
    payment = Payment.objects.get()
    assert (payment.beneficiary_person, payment.amount, payment.period_key) == (person, Decimal("500.00"), item.number)
    fund = Account.objects.get(code="3107")
    lines = JournalLine.objects.filter(entry=payment.entry)
    assert {(ln.account.code, ln.debit, ln.credit) for ln in lines} == {
        ("3107", Decimal("500.00"), Decimal("0.00")),
        ("2202", Decimal("0.00"), Decimal("500.00")),  # owed (payable) until the bank pays it (docs/bank.md)
    }
    assert payment.status == Payment.Status.APPROVED
    assert account_balance(fund) == Decimal("9500.00")  # 10,000 allocated − 500 paid
    item.refresh_from_db()
    assert item.reward_status == "已审批待银行支付"  # approved and owed: the bank has not paid it yet


def test_unit_item_pays_the_unit(district):
    reward_programmes(district, funding=Decimal("10000.00"))
    item = submit(district, actor="chair_a")
    item = inn.item_grade(actor=district.user("town_a"), item=item, grade=G.FIRST, opinion="推广应用")
    assert item.amount == Decimal("5000.00")
    pay(district, item)
    payment = Payment.objects.get()
    assert (payment.beneficiary_org, payment.beneficiary_person, payment.amount) == (
        district.union_a,
        None,
        Decimal("5000.00"),
    )


def test_counts_per_subtree_and_year_by_hand(district):
    reward_programmes(district)
    a1 = submit(district, person=member(district.union_a).person)
    a2 = submit(district, person=member(district.union_a).person)
    a3 = submit(district, person=member(district.union_a).person)
    submit(district, person=member(district.union_a).person)  # still waiting
    b1 = submit(district, union=district.union_b, actor="town_b", person=member(district.union_b).person)
    town_a = district.user("town_a")
    a1 = inn.item_grade(actor=town_a, item=a1, grade=G.FIRST, opinion="同意")  # 1,000, paid below
    inn.item_grade(actor=town_a, item=a2, grade=G.THIRD, opinion="同意")  # 200, not yet paid
    inn.item_grade(actor=town_a, item=a3, grade=G.NONE, opinion="不予奖励")
    b1 = inn.item_grade(actor=district.user("econ"), item=b1, grade=G.SECOND, opinion="同意")  # 500, paid
    pay(district, a1)
    pay(district, b1)
    year = timezone.localdate().year
    assert inn.innovation_counts(district.user("admin"), district.town_a, year) == inn.InnovationCounts(
        5 - 1, 2, 1, Decimal("1000.00")
    )
    assert inn.innovation_counts(district.user("admin"), district.root, year) == inn.InnovationCounts(
        5, 3, 2, Decimal("1500.00")
    )
    # the same root seen by town B's officer: only their subtree
    assert inn.innovation_counts(district.user("town_b"), district.root, year) == inn.InnovationCounts(
        1, 1, 1, Decimal("500.00")
    )
    assert inn.innovation_counts(district.user("admin"), district.root, year - 1).submitted == 0


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a pure rule; the shared machine stalls
@given(st.lists(money, min_size=3, max_size=3))
def test_grade_amount_rule(values):
    """For any prizes: valid iff 一等 ≥ 二等 ≥ 三等 > 0; then each grade pays its own parameter, a
    higher grade never less than a lower one, and 不予奖励 nothing."""
    first, second, third = values
    params = {"first": str(first), "second": str(second), "third": str(third)}
    if not first >= second >= third:
        with pytest.raises(ValidationError, match="不能低于"):
            validate_prizes(params)
        return
    p = validate_prizes(params)
    amounts = [grade_amount(g, p) for g in ("first", "second", "third", "none")]
    assert amounts == [first, second, third, Decimal("0.00")]
    assert amounts == sorted(amounts, reverse=True)


def test_prize_parameters_refused_by_label():
    with pytest.raises(ValidationError, match="“一等奖励（元）”须大于零"):
        validate_prizes({"first": "0", "second": "0", "third": "0"})
    with pytest.raises(ValidationError, match="应为金额"):
        validate_prizes({"first": "NaN", "second": "1", "third": "1"})
    with pytest.raises(ValidationError, match="请填写“三等奖励（元）”"):
        validate_prizes({"first": "3", "second": "2"})
