"""Segregation of duties in the programme engine (issue 9, item 8): an approval is of figures; nobody
who made or changed the figures signs them; each step is signed by its role; jobs act as the
system actor, which never approves; ``actor=None`` is refused, not a way round the checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_user
from core.system import is_system_actor, system_actor
from funds import services
from funds.models import Cycle, CycleApproval, Entitlement, Payment
from funds.testing import fund_programme
from funds.tests.plugin import KEY
from orgs.roles import Role
from orgs.services import role_grant

pytestmark = pytest.mark.django_db
D = Decimal
TWO_STEPS = ["财务审核", {"name": "分管领导审批", "role": Role.DISTRICT_ADMIN}]


def finance_user(district, name):
    user = make_user(name)
    role_grant(actor=None, user=user, role=Role.FINANCE, organisation=district.root)
    return user


def programme_of(district, amounts, chain=None):
    return fund_programme(
        district=district.root,
        plugin_key=KEY,
        fund_code="3103",
        code="DUTY",
        params={"amounts": amounts},
        funding=D("100000.00"),
        approval_chain=chain,
    )


def prepared(district, programme, key="2026"):
    finance = district.user("finance")
    cycle = services.cycle_create(actor=finance, programme=programme, period_key=key)
    return services.cycle_review(actor=finance, cycle=cycle)


def test_adjustment_after_an_approval_voids_it(district):
    """Step 1 approved 3,700; an adjustment raised it by 7,000: step 1 must sign again."""
    finance, checker, admin = district.user("finance"), finance_user(district, "finance2"), district.user("admin")
    programme = programme_of(district, {"T-A-1": "3700.00"}, TWO_STEPS)
    cycle = prepared(district, programme)
    services.cycle_approve(actor=checker, cycle=cycle)  # step 1 of 3,700.00
    ent = Entitlement.objects.get(cycle=cycle)
    services.entitlement_adjust(actor=finance, entitlement=ent, amount="10700.00", reason="补发上期差额")
    services.cycle_review(actor=finance, cycle=cycle)
    with pytest.raises(ValidationError, match="须由财务人员签批"):  # step 1 is open again: admin cannot sign it
        services.cycle_approve(actor=admin, cycle=cycle)
    assert Payment.objects.count() == 0
    first = CycleApproval.objects.get(cycle=cycle, user=checker)
    assert first.voided_at is not None and "调整" in first.void_reason and first.total == D("3700.00")
    services.cycle_approve(actor=checker, cycle=cycle)  # step 1 signs the new figures
    services.cycle_approve(actor=admin, cycle=cycle)
    assert Payment.objects.get().amount == D("10700.00")
    live = CycleApproval.objects.filter(cycle=cycle, voided_at__isnull=True)
    assert {a.total for a in live} == {D("10700.00")} and live.count() == 2


def test_recompute_after_an_approval_voids_it(district):
    finance, checker, admin = district.user("finance"), finance_user(district, "finance2"), district.user("admin")
    programme = programme_of(district, {"T-A-1": "100.00"}, TWO_STEPS)
    cycle = prepared(district, programme)
    services.cycle_approve(actor=checker, cycle=cycle)
    services.cycle_recompute(actor=finance, cycle=cycle)
    services.cycle_review(actor=finance, cycle=cycle)
    with pytest.raises(ValidationError, match="须由财务人员签批"):
        services.cycle_approve(actor=admin, cycle=cycle)
    assert CycleApproval.objects.filter(cycle=cycle, voided_at__isnull=True).count() == 0
    assert Payment.objects.count() == 0


def test_whoever_recomputed_or_adjusted_cannot_approve(district):
    finance = district.user("finance")
    a, b = finance_user(district, "finance2"), finance_user(district, "finance3")
    programme = programme_of(district, {"T-A-1": "100.00", "T-B-1": "200.00"}, ["财务审核", "财务复核"])
    cycle = prepared(district, programme)
    services.cycle_approve(actor=a, cycle=cycle)
    services.cycle_recompute(actor=a, cycle=cycle)  # the step-1 approver recomputes ...
    services.cycle_review(actor=b, cycle=cycle)
    for who in (a, finance):  # ... so neither they nor the original preparer may sign
        with pytest.raises(ValidationError, match="审批人不能是制单人"):
            services.cycle_approve(actor=who, cycle=cycle)
    services.entitlement_adjust(
        actor=b, entitlement=Entitlement.objects.filter(cycle=cycle).first(), amount="150.00", reason="核减"
    )
    services.cycle_review(actor=finance, cycle=cycle)
    with pytest.raises(ValidationError, match="审批人不能是制单人"):  # an adjuster never approves their adjustment
        services.cycle_approve(actor=b, cycle=cycle)
    assert CycleApproval.objects.filter(cycle=cycle, voided_at__isnull=True).count() == 0
    assert Payment.objects.count() == 0
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.REVIEWED


def test_each_step_is_signed_by_its_role(district):
    checker, other_finance = finance_user(district, "finance2"), finance_user(district, "finance3")
    programme = programme_of(district, {"T-A-1": "100.00"}, TWO_STEPS)
    cycle = prepared(district, programme)
    with pytest.raises(ValidationError, match="“财务审核”须由财务人员签批"):
        services.cycle_approve(actor=district.user("admin"), cycle=cycle)
    services.cycle_approve(actor=checker, cycle=cycle)
    with pytest.raises(ValidationError, match="“分管领导审批”须由区总工会管理员签批"):
        services.cycle_approve(actor=other_finance, cycle=cycle)  # holds FUND_APPROVE, not the step's role
    assert Payment.objects.count() == 0
    services.cycle_approve(actor=district.user("admin"), cycle=cycle)
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.PAID


def test_a_chain_step_needs_a_role_that_may_approve(district):
    with pytest.raises(ValidationError, match="签批角色“auditor”无审批权限"):
        programme_of(district, {"T-A-1": "1"}, [{"name": "经审", "role": Role.AUDITOR}])


def test_no_actor_is_refused_everywhere(district):
    programme = programme_of(district, {"T-A-1": "100.00"})
    cycle = prepared(district, programme)
    ent = Entitlement.objects.get(cycle=cycle)
    calls = [
        lambda: services.cycle_create(actor=None, programme=programme, period_key="2027"),
        lambda: services.cycle_recompute(actor=None, cycle=cycle),
        lambda: services.entitlement_adjust(actor=None, entitlement=ent, amount="1", reason="x"),
        lambda: services.cycle_review(actor=None, cycle=cycle),
        lambda: services.cycle_approve(actor=None, cycle=cycle),
        lambda: services.allocation_register(
            actor=None, fund=programme.fund, amount="1", on=cycle.period_start, note="x"
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="未指明操作人"):
            call()
    assert Payment.objects.count() == 0


def test_the_system_actor_prepares_but_never_approves(district):
    system = system_actor()
    assert is_system_actor(system) and not system.is_active and not system.has_usable_password()
    assert system_actor().pk == system.pk
    assert not is_system_actor(district.user("finance"))
    programme = programme_of(district, {"T-A-1": "100.00"})  # set up by the system actor (funds.testing)
    cycle = services.cycle_create(actor=system, programme=programme, period_key="2026")
    assert cycle.prepared_by == system
    services.cycle_review(actor=system, cycle=cycle)
    with pytest.raises(PermissionDenied, match="系统任务不能审批"):
        services.cycle_approve(actor=system, cycle=cycle)
    with pytest.raises(PermissionDenied, match="系统任务不能办理审批、冲销或结账"):
        services.entry_reverse(actor=system, entry=programme.fund.lines.first().entry, reason="x")
    services.cycle_approve(actor=finance_user(district, "finance2"), cycle=cycle)
    assert Payment.objects.get().entry.prepared_by == system
