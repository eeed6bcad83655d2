"""Set-up for the allowance and holiday tests: the programmes on the engine, people with files, and
a month run through the engine's steps (finance prepares and reviews, a second finance user approves)."""

from __future__ import annotations

from datetime import date

from conftest import make_user
from funds import services
from funds.models import Cycle, Programme
from funds.testing import fund_programme
from members.tests.factories import member
from orgs.roles import Role
from orgs.services import role_grant

ALLOWANCE = {"monthly_amount": "200.00", "arrears_months": 12}
HOLIDAY = {"campaign": "2027 年春节送温暖", "as_of": "2027-01-20", "amounts": {"deep": "1000.00", "relative": "600.00"}}


def allowance_programme(district, **params) -> Programme:
    return fund_programme(
        district=district.root,
        plugin_key="assistance_allowance",
        fund_code="3104",
        code="SHBZ",
        params={**ALLOWANCE, **params},
        period_type=Programme.PeriodType.MONTHLY,
    )


def holiday_programme(district, code="SWN2027", **params) -> Programme:
    return fund_programme(
        district=district.root,
        plugin_key="assistance_holiday",
        fund_code="3104",
        code=code,
        params={**HOLIDAY, **params},
        period_type=Programme.PeriodType.ONCE,
    )


def approver(district):
    if "finance2" not in district.users:
        user = make_user("finance2")
        role_grant(actor=None, user=user, role=Role.FINANCE, organisation=district.root)
        district.users["finance2"] = user
    return district.users["finance2"]


def person(district, org=None, **fields):
    return member(org or district.union_a, **fields).person


def compute(district, programme, key) -> Cycle:
    cycle = services.cycle_create(actor=district.user("finance"), programme=programme, period_key=key)
    assert cycle.state == Cycle.State.COMPUTED, cycle.error
    return cycle


def pay(district, cycle: Cycle, on: date | None = None) -> Cycle:
    services.cycle_review(actor=district.user("finance"), cycle=cycle)
    return services.cycle_approve(actor=approver(district), cycle=cycle, on=on)


def run(district, programme, key, on: date | None = None) -> Cycle:
    return pay(district, compute(district, programme, key), on=on)
