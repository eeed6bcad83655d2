"""A once-per-beneficiary benefit (the start-up grant) is paid at most once per union across every
programme of the rule — by the database, not only by eligibility at compute time."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from conftest import make_user
from funds import services
from funds.models import Cycle, OnceBenefit, Payment
from funds.testing import add_members, fund_programme
from orgs.models import Organisation
from orgs.roles import Role
from orgs.services import organisation_create, role_grant

D = Decimal
TIERS = [{"min_members": 1, "rate": "150.00"}]


def startup(district, code, window_start, window_end, fund_code="3101"):
    params = {"window_start": window_start, "window_end": window_end, "count_days_after_founding": 30, "tiers": TIERS}
    return fund_programme(
        district=district.root,
        plugin_key="startup_grant",
        fund_code=fund_code,
        code=code,
        params=params,
        period_type="once",
    )


def new_union(district, code="N-1"):
    org = organisation_create(
        actor=None,
        parent=district.town_a,
        code=code,
        name=f"新建非公企业工会{code}",
        kind=Organisation.Kind.ENTERPRISE,
        economic_type=Organisation.EconomicType.NON_PUBLIC,
        employer_name=f"新建企业{code}",
        founded_on=date(2026, 3, 1),
    )
    add_members(org, 10, joined_on=org.founded_on)
    return org


def two_reviewed_cycles(district, unions=1):
    """Two start-up programmes whose windows overlap, both computed before either pays. They pay
    from different funds, so no lock on a shared fund row serialises their approvals."""
    finance = district.user("finance")
    first = startup(district, "JHQD-A", "2026-01-01", "2026-06-30")
    second = startup(district, "JHQD-B", "2026-03-01", "2026-12-31", fund_code="3102")
    cycles = []
    for programme in (first, second):
        cycle = services.cycle_create(actor=finance, programme=programme, period_key="2026")
        assert cycle.state == Cycle.State.COMPUTED and cycle.beneficiaries == unions, cycle.error
        cycles.append(services.cycle_review(actor=finance, cycle=cycle))
    return cycles


def approver_of(district, name):
    user = make_user(name)
    role_grant(actor=None, user=user, role=Role.FINANCE, organisation=district.root)
    return user


@pytest.mark.django_db
def test_two_overlapping_startup_programmes_pay_a_union_once(district):
    union = new_union(district)
    first, second = two_reviewed_cycles(district)
    approver = approver_of(district, "finance2")
    services.cycle_approve(actor=approver, cycle=first)
    with pytest.raises(ValidationError, match=r"已领取过此项一次性待遇.*JHQD-A"):
        services.cycle_approve(actor=approver, cycle=second)
    assert list(Payment.objects.values_list("programme__code", "beneficiary_org", "amount")) == [
        ("JHQD-A", union.pk, D("1500.00"))
    ]
    assert Cycle.objects.get(pk=second.pk).state == Cycle.State.REVIEWED
    # recomputed, the second programme no longer finds the union eligible and pays nothing
    services.cycle_recompute(actor=district.user("finance"), cycle=second)
    assert Cycle.objects.get(pk=second.pk).beneficiaries == 0


@pytest.mark.django_db
def test_the_database_refuses_a_second_claim(district):
    new_union(district)
    first, _ = two_reviewed_cycles(district)
    services.cycle_approve(actor=approver_of(district, "finance2"), cycle=first)
    claim = OnceBenefit.objects.get()
    assert claim.rule == "startup_grant" and claim.payment.cycle_id == first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        OnceBenefit.objects.bulk_create(
            [OnceBenefit(rule="startup_grant", beneficiary_key=claim.beneficiary_key, payment=Payment.objects.get())]
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers for the whole file, so there is no race to test",
)
def test_two_startup_programmes_approved_at_the_same_moment_pay_once(district):
    union = new_union(district)
    other = new_union(district, "N-2")
    cycles = two_reviewed_cycles(district, unions=2)
    approvers = [approver_of(district, "racer1"), approver_of(district, "racer2")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user, cycle):
        try:
            barrier.wait()
            services.cycle_approve(actor=user, cycle=Cycle.objects.get(pk=cycle.pk))
            outcomes.append("paid")
        except ValidationError as exc:
            outcomes.append(f"refused: {exc.messages[0]}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=pair) for pair in zip(approvers, cycles, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["paid", "refused"], outcomes
    # each union paid once, and only by the programme that won
    paid = list(Payment.objects.values_list("beneficiary_org", "cycle"))
    assert sorted(org for org, _ in paid) == sorted([union.pk, other.pk])
    assert len({cycle for _, cycle in paid}) == 1
    assert OnceBenefit.objects.count() == 2
