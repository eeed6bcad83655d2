from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from funds import selectors, services
from funds.engine import period_span
from funds.models import Cycle, Entitlement, JournalEntry, Payment
from funds.testing import fund_programme
from funds.tests.plugin import KEY
from orgs.models import Organisation

pytestmark = pytest.mark.django_db
D = Decimal


FUNDING = D("10000.00")


def make(district, amounts, *, funding=FUNDING, **kw):
    return fund_programme(
        district=district.root,
        plugin_key=KEY,
        fund_code="3103",
        code="TEST",
        params={"amounts": amounts},
        funding=funding,
        **kw,
    )


def reviewed(district, programme, key="2026"):
    finance = district.user("finance")
    cycle = services.cycle_create(actor=finance, programme=programme, period_key=key)
    assert cycle.state == Cycle.State.COMPUTED, cycle.error
    return services.cycle_review(actor=finance, cycle=cycle)


@pytest.fixture
def approver(district):
    from conftest import make_user
    from orgs.roles import Role
    from orgs.services import role_grant

    user = make_user("finance2")
    role_grant(actor=None, user=user, role=Role.FINANCE, organisation=district.root)
    return user


def test_period_keys():
    assert period_span("quarterly", "2026-Q3").start == date(2026, 7, 1)
    assert period_span("quarterly", "2026-Q3").end == date(2026, 9, 30)
    assert period_span("monthly", "2026-02").end == date(2026, 2, 28)
    with pytest.raises(ValidationError, match="期间格式错误"):
        period_span("monthly", "2026")
    with pytest.raises(ValidationError, match="期间格式错误"):
        period_span("yearly", "2026-13")


def test_compute_review_approve_pay(district, approver):
    programme = make(district, {"T-A-1": "100.00", "T-B-1": "250.50"})
    cycle = reviewed(district, programme)
    assert cycle.total == D("350.50") and cycle.beneficiaries == 2
    assert cycle.progress_done == cycle.progress_total == 2
    e = Entitlement.objects.get(cycle=cycle, beneficiary_org=district.union_b)
    assert e.explanation == "T-B-1 固定 250.50 元"
    paid = services.cycle_approve(actor=approver, cycle=cycle, on=date(2026, 6, 1))
    assert paid.state == Cycle.State.PAID
    assert Payment.objects.count() == 2
    assert selectors.account_balance(programme.fund) == D("10000.00") - D("350.50")
    # approval means owed, not paid: the payable holds it until the bank confirms (docs/bank.md)
    assert selectors.account_balance(programme.bank) == D("10000.00")
    assert selectors.account_balance(services.payable_account()) == D("350.50")
    assert set(Payment.objects.values_list("status", flat=True)) == {Payment.Status.APPROVED}
    entry = Payment.objects.get(beneficiary_org=district.union_b).entry
    assert entry.approved_by == approver and entry.prepared_by == district.user("finance")
    assert "TEST" in entry.rule


def test_preparer_cannot_approve(district):
    programme = make(district, {"T-A-1": "100.00"})
    cycle = reviewed(district, programme)
    with pytest.raises(ValidationError, match="审批人不能是制单人"):
        services.cycle_approve(actor=district.user("finance"), cycle=cycle)
    assert Payment.objects.count() == 0
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.REVIEWED


def test_auditor_cannot_approve_and_unreviewed_cycle_cannot_be_approved(district, approver):
    programme = make(district, {"T-A-1": "100.00"})
    with pytest.raises(PermissionDenied):
        services.cycle_create(actor=district.user("auditor"), programme=programme, period_key="2026")
    cycle = services.cycle_create(actor=district.user("finance"), programme=programme, period_key="2026")
    with pytest.raises(ValidationError, match="不能审批"):
        services.cycle_approve(actor=approver, cycle=cycle)
    services.cycle_review(actor=district.user("finance"), cycle=cycle)
    with pytest.raises(PermissionDenied):
        services.cycle_approve(actor=district.user("auditor"), cycle=cycle)


def test_state_field_is_protected(district):
    programme = make(district, {"T-A-1": "100.00"})
    cycle = reviewed(district, programme)
    with pytest.raises(AttributeError):
        cycle.state = Cycle.State.PAID


def test_approving_twice_pays_once(district, approver):
    programme = make(district, {"T-A-1": "100.00"})
    cycle = reviewed(district, programme)
    services.cycle_approve(actor=approver, cycle=cycle)
    with pytest.raises(ValidationError, match="不能审批"):
        services.cycle_approve(actor=approver, cycle=cycle)
    with pytest.raises(ValidationError, match="不能重新计算"):
        services.cycle_recompute(actor=district.user("finance"), cycle=cycle)
    assert Payment.objects.count() == 1


def test_second_cycle_for_same_period_refused_and_db_refuses_second_payment(district, approver):
    programme = make(district, {"T-A-1": "100.00"})
    cycle = reviewed(district, programme)
    services.cycle_approve(actor=approver, cycle=cycle)
    with pytest.raises(ValidationError, match="已有发放周期"):
        services.cycle_create(actor=district.user("finance"), programme=programme, period_key="2026")
    p = Payment.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            programme=programme,
            period_key="2026",
            beneficiary_key=p.beneficiary_key,
            beneficiary_name="x",
            cycle=cycle,
            entitlement=Entitlement.objects.create(
                cycle=cycle, beneficiary_key="org:999999", beneficiary_name="x", amount=D("1"), explanation="x"
            ),
            amount=D("1"),
            entry=JournalEntry.objects.exclude(pk=p.entry_id).first(),
        )


def test_next_period_pays_again(district, approver):
    programme = make(district, {"T-A-1": "100.00"})
    services.cycle_approve(actor=approver, cycle=reviewed(district, programme, "2026"))
    services.cycle_approve(actor=approver, cycle=reviewed(district, programme, "2027"))
    assert Payment.objects.count() == 2


def test_adjustment_needs_a_reason_and_resets_review(district, approver):
    programme = make(district, {"T-A-1": "100.00", "T-B-1": "200.00"})
    cycle = reviewed(district, programme)
    e = Entitlement.objects.get(cycle=cycle, beneficiary_org=district.union_a)
    with pytest.raises(ValidationError, match="理由"):
        services.entitlement_adjust(actor=district.user("finance"), entitlement=e, amount="80", reason="")
    services.entitlement_adjust(actor=district.user("finance"), entitlement=e, amount="80", reason="会员人数核减 2 人")
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.COMPUTED and cycle.total == D("280.00")
    services.cycle_review(actor=district.user("finance"), cycle=cycle)
    services.cycle_approve(actor=approver, cycle=cycle)
    assert Payment.objects.get(beneficiary_org=district.union_a).amount == D("80.00")


def test_total_beyond_fund_balance_is_refused(district, approver):
    programme = make(district, {"T-A-1": "600.00", "T-B-1": "600.00"}, funding=D("1000.00"))
    cycle = reviewed(district, programme)
    with pytest.raises(ValidationError, match="超过"):
        services.cycle_approve(actor=approver, cycle=cycle)
    assert Payment.objects.count() == 0


def test_prorated_when_programme_says_so(district, approver):
    programme = make(district, {"T-A-1": "600.00", "T-B-1": "300.00"}, funding=D("600.00"), prorate=True)
    services.cycle_approve(actor=approver, cycle=reviewed(district, programme))
    amounts = dict(Payment.objects.values_list("beneficiary_org__code", "amount"))
    assert amounts == {"T-A-1": D("400.00"), "T-B-1": D("200.00")}
    assert selectors.account_balance(programme.fund) == D("0.00")


def test_approval_chain_needs_distinct_people(district, approver):
    programme = make(
        district, {"T-A-1": "100.00"}, approval_chain=["财务审核", {"name": "分管领导审批", "role": "district_admin"}]
    )
    cycle = reviewed(district, programme)
    services.cycle_approve(actor=approver, cycle=cycle)
    assert Payment.objects.count() == 0
    with pytest.raises(ValidationError, match="不同人员"):
        services.cycle_approve(actor=approver, cycle=cycle)
    services.cycle_approve(actor=district.user("admin"), cycle=cycle)
    assert Payment.objects.count() == 1
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.PAID


def test_parameter_version_in_force_for_the_period(district, approver):
    programme = make(district, {"T-A-1": "100.00"}, effective_from=date(2025, 1, 1))
    services.parameter_version_add(
        actor=district.user("finance"),
        programme=programme,
        effective_from=date(2027, 1, 1),
        params={"amounts": {"T-A-1": "300"}},
    )
    c26 = reviewed(district, programme, "2026")
    c27 = reviewed(district, programme, "2027")
    assert (c26.total, c27.total) == (D("100.00"), D("300.00"))
    with pytest.raises(ValidationError, match="没有生效的参数版本"):
        services.cycle_create(actor=district.user("finance"), programme=programme, period_key="2024")


def test_bad_parameters_refused(district):
    programme = make(district, {"T-A-1": "100.00"})
    with pytest.raises(ValidationError, match="amounts"):
        services.parameter_version_add(
            actor=district.user("finance"), programme=programme, effective_from=date(2030, 1, 1), params={}
        )


def test_compute_failure_is_shown_on_the_cycle(district):
    programme = make(district, {"T-A-1": "100.00"})
    programme.versions.update(params={"amounts": "broken"})
    cycle = services.cycle_create(actor=district.user("finance"), programme=programme, period_key="2026")
    assert cycle.state == Cycle.State.FAILED and cycle.error == "请填写“金额表”"  # its label, never its key


def test_chair_sees_only_own_payments(district, approver):
    programme = make(district, {"T-A-1": "100.00", "T-B-1": "200.00"})
    services.cycle_approve(actor=approver, cycle=reviewed(district, programme))
    chair = district.user("chair_a")
    assert list(selectors.visible_payments(chair).values_list("beneficiary_org__code", flat=True)) == ["T-A-1"]
    assert selectors.visible_payments(district.user("auditor")).count() == 2
    assert selectors.visible_payments(district.user("town_b")).count() == 1
    assert selectors.visible_payments(district.user("econ")).count() == 0
    assert Organisation.objects.count() > 0


def test_union_with_pending_money_cannot_be_closed(district):
    from orgs.registry import close_refusals

    programme = make(district, {"T-A-1": "100.00"})
    reviewed(district, programme)
    assert any("资金发放周期" in r for r in close_refusals(district.union_a))
    assert not any("资金发放周期" in r for r in close_refusals(district.union_b))


def test_steps_and_buttons_come_from_the_state_machine(client, district, approver):
    """The service refuses a step the cycle's state machine does not allow, and the cycle page offers
    exactly the steps it allows (the rule is written once, on the model's transitions)."""
    from django.urls import reverse

    programme = make(district, {"T-A-1": "100.00"})
    finance = district.user("finance")
    cycle = services.cycle_create(actor=finance, programme=programme, period_key="2026")
    url = reverse("funds:cycle_detail", args=[cycle.pk])

    def buttons(user):
        client.force_login(user)
        html = client.get(url).content.decode()
        return {b for b in ("recompute", "review", "approve") if f"/{b}/" in html}

    assert buttons(finance) == {"recompute", "review"}  # computed
    with pytest.raises(ValidationError, match="不能审批"):
        services.cycle_approve(actor=approver, cycle=cycle)
    services.cycle_review(actor=finance, cycle=cycle)
    assert buttons(finance) == {"recompute"}  # reviewed; the preparer is never offered approval
    assert buttons(approver) == {"recompute", "approve"}
    with pytest.raises(ValidationError, match="不能复核"):
        services.cycle_review(actor=finance, cycle=cycle)
    services.cycle_approve(actor=approver, cycle=cycle)
    assert buttons(finance) == buttons(approver) == set()  # paid: nothing more to do
    with pytest.raises(ValidationError, match="不能重新计算"):
        services.cycle_recompute(actor=finance, cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.PAID
