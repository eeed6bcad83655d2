"""大病救助 from the issue text: the threshold and the yearly cap, a short fund paid after a
donation (oldest approval first, never a negative balance), four eyes, and every bad input refused
with a Chinese message and nothing changed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from assistance.models import ReliefApplication, ReliefDocument, ReliefStep
from assistance.plugins.relief import relief_amount
from assistance.services.relief import (
    fund_position,
    relief_apply,
    relief_approve,
    relief_reject,
    relief_verify,
    shortfalls,
)
from assistance.tests.factories import hardship_file
from assistance.tests.relief_helpers import (
    _immediate_tasks,  # noqa: F401 (autouse fixture)
    donate,
    pay_cycle,
    pdf,
    relief_programme,
    warmth_fund,
    worker_person,
)
from funds.models import Cycle, Payment
from funds.selectors import account_balance
from members.tests.factories import member

S = ReliefApplication.State
COSTS = {
    "total_cost": "100000.00",
    "basic_insurance": "50000.00",
    "serious_illness_insurance": "20000.00",
    "supplementary_insurance": "4000.00",
}  # out of pocket 26,000.00 → (26,000 − 10,000) × 50% = 8,000.00


def apply(district, person, costs=None, **kw):
    return relief_apply(
        actor=kw.pop("actor", district.user("worker_a")),
        person=person,
        illness="急性白血病",
        hospital="北京大学人民医院",
        treatment_start=kw.pop("treatment_start", timezone.localdate() - timedelta(days=30)),
        costs=costs or COSTS,
        documents=kw.pop("documents", [pdf()]),
        **kw,
    )


def through(district, application):
    relief_verify(actor=district.user("assist_a"), application=application, opinion="情况属实")
    return relief_approve(actor=district.user("rights"), application=application, opinion="同意救助")


# --- the formula ------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)
shares = st.decimals(min_value=Decimal("0.01"), max_value=1, places=2)


@given(oop=money, threshold=money, share=shares, cap=money, granted=money)
def test_relief_amount_properties(oop, threshold, share, cap, granted):
    amount = relief_amount(oop, threshold=threshold, share=share, cap=cap, granted_this_year=granted)
    assert amount >= 0
    assert amount == amount.quantize(Decimal("0.01"))
    assert amount <= max(Decimal(0), cap - granted)  # never beyond the year's cap
    assert amount <= max(Decimal(0), oop - threshold) * share + Decimal("0.005")
    if oop <= threshold:
        assert amount == 0


def test_relief_amount_examples():
    kw = {"threshold": Decimal("10000"), "share": Decimal("0.5"), "cap": Decimal("30000")}
    assert relief_amount(Decimal("26000"), granted_this_year=Decimal(0), **kw) == Decimal("8000.00")
    assert relief_amount(Decimal("9999.99"), granted_this_year=Decimal(0), **kw) == Decimal("0.00")
    assert relief_amount(Decimal("10000.03"), granted_this_year=Decimal(0), **kw) == Decimal("0.02")  # half-up
    assert relief_amount(Decimal("200000"), granted_this_year=Decimal(0), **kw) == Decimal("30000.00")
    assert relief_amount(Decimal("26000"), granted_this_year=Decimal("25000"), **kw) == Decimal("5000.00")


# --- the lifecycle ----------------------------------------------------------------------------


def test_apply_verify_approve_and_pay(district):
    relief_programme(district)
    person = worker_person(district)
    application = apply(district, person)
    assert application.state == S.APPLIED and application.applied_in_portal
    assert application.out_of_pocket == Decimal("26000.00")
    assert application.documents.count() == 1
    application = through(district, application)
    assert application.state == S.APPROVED
    assert application.amount == Decimal("8000.00")
    assert "起付线 10,000.00 元" in application.amount_explanation
    # The fund covered it: released to a cycle of its own, which finance pays.
    assert application.cycle is not None and application.cycle.period_key == application.number
    assert application.payment_status == "待财务审批支付"
    pay_cycle(district, application.cycle)
    application.refresh_from_db()
    assert application.payment_status == "已审批待银行支付"  # owed; paid when the bank confirms
    payment = Payment.objects.get(cycle=application.cycle)
    assert payment.beneficiary_person == person and payment.amount == Decimal("8000.00")
    kinds = list(ReliefStep.objects.filter(application=application).values_list("kind", flat=True))
    assert kinds == ["apply", "verify", "approve", "release"]


def test_yearly_cap_across_applications(district):
    relief_programme(district)
    person = worker_person(district)
    big = {"total_cost": "200000.00"}  # out of pocket 200,000 → 95,000 × 50%, capped at 30,000
    first = through(district, apply(district, person, big))
    assert first.amount == Decimal("30000.00")
    assert "封顶 30,000.00 元" in first.amount_explanation
    second = through(district, apply(district, person, COSTS))
    assert second.amount == Decimal("0.00")  # the year's cap is used up
    assert second.cycle is None and second.payment_status == "救助金额为零，不予支付"


def test_below_threshold_is_zero(district):
    relief_programme(district)
    person = worker_person(district)
    small = {"total_cost": "12000.00", "basic_insurance": "6000.00"}  # 6,000 out of pocket < 10,000
    application = through(district, apply(district, person, small))
    assert application.amount == Decimal("0.00") and application.cycle is None


def test_short_fund_waits_then_paid_after_donation_fifo(district):
    relief_programme(district, funding=Decimal("10000.00"))
    fund = warmth_fund(district)
    a = through(district, apply(district, worker_person(district)))  # 8,000: fits
    b = through(district, apply(district, member(district.union_a).person, actor=district.user("assist_a")))
    c_costs = {"total_cost": "14000.00"}  # out of pocket 14,000 → 2,000: would fit, but waits behind b
    c = through(district, apply(district, member(district.union_a).person, c_costs, actor=district.user("assist_a")))
    assert a.cycle is not None
    assert b.cycle is None and b.payment_status == "待资金"
    assert c.cycle is None  # FIFO: a later, smaller one does not overtake b
    position = fund_position()
    assert position.available == Decimal("2000.00")
    assert position.waiting == 2 and position.shortfall == Decimal("8000.00")
    assert shortfalls() == {b.pk: Decimal("6000.00"), c.pk: Decimal("8000.00")}
    pay_cycle(district, a.cycle)
    assert account_balance(fund) == Decimal("2000.00")

    donate(district, "6000.00")  # exactly what b lacks: b is released, c still waits
    b.refresh_from_db()
    c.refresh_from_db()
    assert b.cycle is not None and c.cycle is None
    pay_cycle(district, b.cycle)
    assert account_balance(fund) == Decimal("0.00")
    donate(district, "2000.00")
    c.refresh_from_db()
    pay_cycle(district, c.cycle)
    assert account_balance(fund) == Decimal("0.00")
    assert Payment.objects.filter(programme__plugin_key="relief").count() == 3


def test_a_donation_on_an_earlier_day_does_not_pay_a_later_approval(district):
    """The release pays only what was approved by now: history entered afterwards (the demo's 2017,
    entered on its own days) does not pay the current year's waiting application on a 2017 day."""
    from datetime import datetime
    from unittest import mock

    relief_programme(district, funding=Decimal("0.01"))
    waiting = through(district, apply(district, worker_person(district)))
    assert waiting.cycle is None
    may_2017 = timezone.make_aware(datetime(2017, 5, 4, 10, 0))
    with mock.patch("django.utils.timezone.now", return_value=may_2017):
        donate(district, "20000.00", on=date(2017, 5, 4))
    waiting.refresh_from_db()
    assert waiting.cycle is None  # approved in the current year: not released on 4 May 2017
    donate(district, "1.00")  # today: the queue moves
    waiting.refresh_from_db()
    assert waiting.cycle is not None


def test_the_ledger_refuses_a_cycle_the_fund_cannot_pay(district):
    """Behind the release rule: a released cycle whose money went elsewhere is refused, not overdrawn."""
    relief_programme(district, funding=Decimal("8000.00"))
    application = through(district, apply(district, worker_person(district)))
    fund = warmth_fund(district)
    from funds.services import Line, entry_post

    entry_post(
        date=timezone.localdate(),
        description="测试：他项支出",
        lines=[Line(fund, debit=Decimal("1000.00")), Line(fund.programmes.first().bank, credit=Decimal("1000.00"))],
        organisation=district.root,
        prepared_by=district.user("finance"),
        approved_by=district.user("finance"),
    )
    with pytest.raises(ValidationError, match="超过顺义区职工专项温暖基金余额"):
        pay_cycle(district, application.cycle)
    assert account_balance(fund) == Decimal("7000.00")


# --- who may -------------------------------------------------------------------------------------


def test_four_eyes_and_levels(district):
    relief_programme(district)
    application = apply(district, member(district.union_a).person, actor=district.user("assist_a"))
    with pytest.raises(PermissionDenied):
        relief_verify(actor=district.user("chair_a"), application=application, opinion="x")
    with pytest.raises(PermissionDenied):  # another town's officer is outside scope
        relief_verify(actor=district.user("town_b"), application=application, opinion="x")
    relief_verify(actor=district.user("assist_a"), application=application, opinion="属实")
    with pytest.raises(PermissionDenied):  # a grassroots officer does not approve for the district
        relief_approve(actor=district.user("assist_a"), application=application, opinion="同意")
    with pytest.raises(PermissionDenied):  # the town neither
        relief_approve(actor=district.user("assist_town_a"), application=application, opinion="同意")
    application.refresh_from_db()
    assert application.state == S.VERIFIED


def test_approver_may_not_be_verifier(district):
    relief_programme(district)
    application = apply(district, member(district.union_a).person, actor=district.user("rights"))
    relief_verify(actor=district.user("rights"), application=application, opinion="属实")
    with pytest.raises(PermissionDenied, match="审批人不能是"):
        relief_approve(actor=district.user("rights"), application=application, opinion="同意")


def test_worker_may_not_apply_for_another(district):
    relief_programme(district)
    worker_person(district)
    other = member(district.union_a).person
    with pytest.raises(PermissionDenied):
        apply(district, other)
    assert not ReliefApplication.objects.exists()


def test_reject_with_opinion(district):
    relief_programme(district)
    application = apply(district, worker_person(district))
    with pytest.raises(ValidationError, match="请填写不予通过的意见"):
        relief_reject(actor=district.user("assist_a"), application=application, opinion=" ")
    relief_reject(actor=district.user("assist_a"), application=application, opinion="材料不全")
    application.refresh_from_db()
    assert application.state == S.REJECTED
    with pytest.raises(ValidationError, match="不能核实"):
        relief_verify(actor=district.user("assist_a"), application=application, opinion="x")


def test_applicant_with_a_file_is_linked(district):
    relief_programme(district)
    person = worker_person(district)
    file = hardship_file(person)
    assert apply(district, person).hardship_file == file


# --- bad input: refused, in Chinese, nothing changed -------------------------------------------------


@pytest.mark.parametrize(
    ("costs", "message"),
    [
        ({"total_cost": "1000", "basic_insurance": "800", "serious_illness_insurance": "300"}, "超过医疗费用总额"),
        ({"total_cost": "NaN"}, "填写有误：金额无效"),
        ({"total_cost": "Infinity"}, "填写有误"),
        ({"total_cost": "1000", "basic_insurance": "-1"}, "不能为负数"),
        ({"total_cost": "0"}, "须大于零"),
        ({"total_cost": ""}, "请填写“医疗费用总额”"),
        ({"total_cost": "壹万"}, "填写有误"),
        ({"total_cost": "1" * 30}, "金额过大"),
    ],
)
def test_bad_costs_refused(district, costs, message):
    relief_programme(district)
    person = worker_person(district)
    with pytest.raises(ValidationError, match=message):
        apply(district, person, costs)
    assert not ReliefApplication.objects.exists() and not ReliefDocument.objects.exists()


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        ([], "请上传证明材料"),
        ([pdf("病历.exe")], "类型不允许"),
        ([pdf("病历.pdf", b"MZ\x90\x00 not a pdf")], "内容与其类型"),
        ([pdf("空.pdf", b"")], "空文件"),
        ([pdf(f"{i}.pdf") for i in range(6)], "最多 5 个"),
    ],
)
def test_bad_documents_refused(district, documents, message):
    relief_programme(district)
    with pytest.raises(ValidationError, match=message):
        apply(district, worker_person(district), documents=documents)
    assert not ReliefApplication.objects.exists()


def test_bad_dates_refused(district):
    relief_programme(district)
    person = worker_person(district)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        apply(district, person, treatment_start=timezone.localdate() + timedelta(days=3))
    with pytest.raises(ValidationError, match="年份无效"):
        apply(district, person, treatment_start=date(1, 1, 1))
    with pytest.raises(ValidationError, match="不能早于"):
        apply(
            district,
            person,
            treatment_start=timezone.localdate() - timedelta(days=3),
            treatment_end=timezone.localdate() - timedelta(days=10),
        )
    assert not ReliefApplication.objects.exists()


def test_no_programme_refused(district):
    with pytest.raises(ValidationError, match="尚未设置"):
        apply(district, worker_person(district))
    assert not ReliefApplication.objects.exists()


def test_cycle_of_its_own_never_a_second(district):
    relief_programme(district)
    application = through(district, apply(district, worker_person(district)))
    pay_cycle(district, application.cycle)
    from assistance.services.relief import relief_release

    assert relief_release() == []  # nothing waits; paid once
    assert Cycle.objects.filter(programme__plugin_key="relief").count() == 1


def test_payment_status_follows_the_bank(district):
    """issue 17: an approved cycle is not “paid”: the relief says where the bank has the money, and
    the 支付 filter finds it there."""
    from assistance.filtersets_relief import ReliefFilterSet
    from assistance.selectors_relief import relief_rows
    from conftest import make_user
    from funds import bank
    from funds.tests.test_bank import result_csv
    from orgs.roles import Role
    from orgs.services import role_grant

    relief_programme(district)
    person = worker_person(district)
    application = through(district, apply(district, person))
    pay_cycle(district, application.cycle)
    finance, admin = district.user("finance"), district.user("admin")

    def status() -> str:
        fresh = ReliefApplication.objects.get(pk=application.pk)
        listed = relief_rows(admin).get(pk=application.pk)  # annotated, no query per row
        assert fresh.payment_status == listed.payment_status
        return fresh.payment_status

    def found(value: str) -> bool:
        rows = ReliefFilterSet({"payment": value}, queryset=relief_rows(admin), request=None).qs
        return rows.filter(pk=application.pk).exists()

    assert status() == "已审批待银行支付" and found("bank") and not found("paid")
    for number in ("6222020200112233445", "6222020200112233999"):
        acc = bank.payee_account_enter(
            actor=finance,
            person=person,
            holder_name=person.name,
            number=number,
            bank_name="工行",
            bank_code="102100000072",
            valid_from=date(2026, 1, 1),
        )
        bank.payee_account_verify(actor=admin, account=acc)
        if number.endswith("445"):
            batch = bank.batch_create(actor=finance, payments=Payment.objects.filter(cycle=application.cycle))
            assert status() == "已审批待银行支付"
            bank.batch_send(actor=finance, batch=batch)
            assert status() == "已发送银行" and found("sent")
            ref = batch.lines.get().reference
            bank.result_import(
                actor=finance,
                batch=batch,
                content=result_csv([(ref, "8000.00", "失败", "账户已销户")]),
                filename="r.csv",
            )
            assert status() == "银行退回（账户已销户），待重新支付" and found("returned") and not found("paid")
    returned = Payment.objects.get(cycle=application.cycle)
    reissue = bank.reissue_request(actor=finance, payment=returned)
    second = make_user("finance2")
    role_grant(actor=None, user=second, role=Role.FINANCE, organisation=district.root)
    bank.reissue_approve(actor=second, reissue=reissue)
    assert status() == "已审批待银行支付"
    batch = bank.batch_create(
        actor=finance, payments=Payment.objects.filter(cycle=application.cycle, status="approved")
    )
    bank.batch_send(actor=finance, batch=batch)
    ref = batch.lines.get().reference
    bank.result_import(
        actor=finance, batch=batch, content=result_csv([(ref, "8000.00", "成功", "")]), filename="r2.csv"
    )
    assert status() == "已支付" and found("paid") and not found("returned")
