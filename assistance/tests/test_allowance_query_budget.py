"""The allowance's pages cost a bounded number of queries, whatever the number of files paid."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse

from assistance.tests.allowance_helpers import allowance_programme, holiday_programme, person, run
from assistance.tests.factories import hardship_file
from funds.models import Cycle
from orgs.testing import count_queries, load_budgets

pytestmark = pytest.mark.django_db
BUDGETS = load_budgets(__file__)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def pages(cycle_pk: int) -> dict[str, str]:
    return {
        "allowance_figures": reverse("assistance:figures") + "?year=2026&organisation=T-A",
        "allowance_months": reverse("assistance:allowance_months") + "?per_page=50",
        "allowance_months_filtered": reverse("assistance:allowance_months") + "?subtree=T-A&arrears=true&q=测试",
        "holiday_payments": reverse("assistance:holiday_payments"),
        "allowance_bank_list": reverse("assistance:allowance_bank_list", args=[cycle_pk]) + "?per_page=50",
    }


def files(district, n: int) -> None:
    for i in range(n):
        hardship_file(person(district, district.union_a if i % 2 else district.union_b), approved_on=date(2026, 1, 10))


def test_query_counts_do_not_grow_with_the_rows(client, district):
    with override_settings(TASKS=IMMEDIATE):
        allowance = allowance_programme(district)
        files(district, 2)
        run(district, allowance, "2026-03")
        run(district, holiday_programme(district, as_of="2026-03-20"), "2026")
        cycle = Cycle.objects.get(programme=allowance)
        client.force_login(district.user("rights"))
        urls = pages(cycle.pk)
        for url in urls.values():
            client.get(url)
        small = {name: count_queries(client, url)[0] for name, url in urls.items()}
        files(district, 12)
        run(district, allowance, "2026-04")
        april = Cycle.objects.get(programme=allowance, period_key="2026-04")
        urls = pages(april.pk)
        large = {}
        for name, url in urls.items():
            n, response = count_queries(client, url)
            assert response.status_code == 200, name
            large[name] = n
    assert small == large
    over = {name: n for name, n in large.items() if n > BUDGETS[name]}
    assert over == {}, f"over budget: {over} (budgets {BUDGETS})"
