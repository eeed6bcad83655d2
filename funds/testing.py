"""Test and benchmark helpers of the funds app (people and memberships without the member services)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from core.system import system_actor
from funds import services
from funds.models import Account, Programme
from members.models import Membership, Person
from orgs.models import Organisation

_seq = itertools.count(1)


def add_members(org: Organisation, count: int, *, joined_on: date, ended_on: date | None = None) -> list[Membership]:
    """``count`` people with a membership of ``org`` from ``joined_on`` (bulk, for tests and benchmarks)."""
    people = []
    for _ in range(count):
        n = next(_seq)
        people.append(
            Person(
                name=f"测试会员{n}",
                id_number=f"TEST{n:014d}",
                id_number_index=f"funds-test-{org.pk}-{n}-{id(people)}",
                sex=Person.Sex.MALE,
                birth_date=date(1990, 1, 1),
                organisation=org,
            )
        )
    Person.objects.bulk_create(people, batch_size=2000)
    memberships = [
        Membership(
            person=p,
            organisation=org,
            member_no=f"FT{org.pk}-{p.pk}",
            status=Membership.Status.ACTIVE if ended_on is None else Membership.Status.LEFT,
            joined_on=joined_on,
            ended_on=ended_on,
        )
        for p in people
    ]
    return Membership.objects.bulk_create(memberships, batch_size=2000)


def books(district: Organisation) -> dict[str, Account]:
    return services.standard_accounts_ensure(district=district)


def fund_programme(
    *,
    district: Organisation,
    plugin_key: str,
    fund_code: str,
    code: str,
    params: dict,
    effective_from: date = date(2020, 1, 1),
    period_type: str = Programme.PeriodType.YEARLY,
    funding: Decimal | None = Decimal("1000000.00"),
    approval_chain: list | None = None,
    prorate: bool = False,
    on: date = date(2026, 1, 5),
) -> Programme:
    accounts = books(district)
    fund = accounts[fund_code]
    system = system_actor()  # test set-up, like the demo loader, acts as the system
    programme = services.programme_create(
        actor=system,
        code=code,
        name=code,
        plugin_key=plugin_key,
        period_type=period_type,
        fund=fund,
        organisation=district,
        approval_chain=approval_chain,
        prorate=prorate,
    )
    services.parameter_version_add(actor=system, programme=programme, effective_from=effective_from, params=params)
    if funding:
        services.allocation_register(actor=system, fund=fund, amount=funding, on=on, note="测试拨款")
    return programme
