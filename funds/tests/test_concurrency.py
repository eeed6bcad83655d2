"""Two approvals of the same cycle at the same moment pay each beneficiary once (PostgreSQL only)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from conftest import make_user
from funds import services
from funds.models import Cycle, Payment
from funds.testing import fund_programme
from funds.tests.plugin import KEY
from orgs.roles import Role
from orgs.services import role_grant

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers for the whole file, so there is no race to test",
    ),
]


def test_two_simultaneous_approvals_pay_once(district):
    programme = fund_programme(
        district=district.root,
        plugin_key=KEY,
        fund_code="3103",
        code="RACE",
        params={"amounts": {"T-A-1": "100.00", "T-B-1": "200.00", "T-A-2": "300.00"}},
    )
    finance = district.user("finance")
    cycle = services.cycle_create(actor=finance, programme=programme, period_key="2026")
    services.cycle_review(actor=finance, cycle=cycle)
    approvers = []
    for name in ("racer1", "racer2"):
        user = make_user(name)
        role_grant(actor=None, user=user, role=Role.FINANCE, organisation=district.root)
        approvers.append(user)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user):
        try:
            barrier.wait()
            services.cycle_approve(actor=user, cycle=Cycle.objects.get(pk=cycle.pk))
            outcomes.append("paid")
        except ValidationError as exc:
            outcomes.append(f"refused: {exc.messages[0]}")
        finally:
            connections.close_all()  # each thread has its own connection

    threads = [threading.Thread(target=approve, args=(u,)) for u in approvers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["paid", "refused"], outcomes
    assert Payment.objects.count() == 3
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [
        Decimal("100.00"),
        Decimal("200.00"),
        Decimal("300.00"),
    ]
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.PAID
