"""The demo step (``manage.py demo``): events and innovation items through the real services, once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from activities import demo
from activities.innovation import InnovationItem
from activities.models import Activity, Registration
from funds.models import Cycle, Payment
from members import demo as members_demo
from orgs import demo as orgs_demo

pytestmark = pytest.mark.django_db


def test_demo_builds_events_and_innovation_items_once():
    orgs_demo.build_tree()
    orgs_demo.build_accounts()
    members_demo.build({"members": 1200})
    line = demo.build({})
    assert line.startswith("活动与竞赛：新增 3 项")

    forklift = Activity.objects.get(title=demo.FORKLIFT)
    assert forklift.state == Activity.State.REVIEWED
    assert [o.code for o in forklift.co_organisers.all()] == ["SY-903"]  # 区人保局
    assert Registration.objects.filter(activity=forklift).exclude(honour=None).count() == 8
    spraying = Activity.objects.get(title=demo.SPRAYING)
    assert spraying.state == Activity.State.PLANNED and spraying.registration_closes is not None

    items = InnovationItem.objects.order_by("number")
    assert items.count() == len(demo.INNOVATION_ITEMS) == 5
    assert items.filter(state=InnovationItem.State.SUBMITTED).count() == 1
    portal = items.get(channel=InnovationItem.Channel.PORTAL)
    assert portal.person.user.username == "zhigong" and portal.grade == "second" and portal.amount == Decimal("1000")
    assert items.get(grade="none").cycle_id is None
    unit = items.get(person=None)
    assert unit.grade == "third" and unit.amount == Decimal("3000") and unit.cycle.state != Cycle.State.PAID
    paid = items.filter(cycle__state=Cycle.State.PAID)
    assert paid.count() == 2
    payments = Payment.objects.filter(cycle__in=[i.cycle_id for i in paid])
    assert sorted(p.amount for p in payments) == [Decimal("1000.00"), Decimal("2000.00")]
    assert {p.beneficiary_person_id for p in payments} == {i.person_id for i in paid}

    again = demo.build({})
    assert again.startswith("活动与竞赛：新增 0 项") and "创新项目 5 项" in again
    assert InnovationItem.objects.count() == 5 and Activity.objects.count() == 3
    assert Payment.objects.filter(cycle__in=[i.cycle_id for i in paid]).count() == 2
