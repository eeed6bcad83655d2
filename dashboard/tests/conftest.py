"""The dashboard tests' shared world: start-up grants, members, events and requests of the test district."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from activities.models import Activity
from activities.tests.factories import competition
from appeals.tests.factories import make_appeal
from conftest import make_user
from funds import services
from funds.models import Cycle
from funds.testing import add_members, fund_programme
from orgs.models import Organisation
from orgs.roles import Role
from orgs.services import organisation_create, role_grant

K = Organisation.Kind
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def grant_union(district, code, parent, members, founded):
    org = organisation_create(
        actor=None,
        parent=parent,
        code=code,
        name=f"新建工会{code}",
        kind=K.ENTERPRISE,
        founded_on=founded,
        employer_name=f"新建企业{code}",
        economic_type=Organisation.EconomicType.NON_PUBLIC,
    )
    add_members(org, members, joined_on=founded)
    return org


@pytest.fixture
def world(district):
    return build_world(district)


def build_world(district):
    """Start-up grants paid to three new unions (two in 仁和镇, one in 后沙峪镇), events, requests."""
    finance2 = make_user("finance2")
    role_grant(actor=None, user=finance2, role=Role.FINANCE, organisation=district.root)
    founded = date(TODAY.year, 1, 2)
    grant_union(district, "N-1", district.town_a, 12, founded)
    grant_union(district, "N-2", district.town_a, 30, founded)
    grant_union(district, "N-3", district.town_b, 8, founded)
    programme = fund_programme(
        district=district.root,
        plugin_key="startup_grant",
        fund_code="3101",
        code="JHQD",
        params={
            "window_start": f"{TODAY.year}-01-01",
            "window_end": f"{TODAY.year}-12-31",
            "count_days_after_founding": 30,
            "tiers": [{"min_members": 1, "rate": "150.00"}],
        },
        period_type="once",
    )
    cycle = services.cycle_create(actor=district.user("finance"), programme=programme, period_key=str(TODAY.year))
    services.cycle_review(actor=district.user("finance"), cycle=cycle)
    cycle = services.cycle_approve(actor=finance2, cycle=cycle)
    assert cycle.state == Cycle.State.PAID
    add_members(district.union_a, 5, joined_on=date(TODAY.year - 3, 5, 1))
    for org, people in ((district.union_a, 40), (district.firm_a, 25), (district.union_b, 60), (district.town_a, 90)):
        a = competition(district, organisation=org)
        Activity.objects.filter(pk=a.pk).update(
            state=Activity.State.REVIEWED, participants=people, held_on=TODAY - timedelta(days=1)
        )
    make_appeal(district, org=district.union_a)
    make_appeal(district, org=district.union_b)
    return district
