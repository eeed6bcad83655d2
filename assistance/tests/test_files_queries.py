"""The file pages cost a bounded number of queries, whatever the number of files, household lines,
steps and spans (budgets in query_counts.json)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assistance.tests.factories import hardship_file, household_member, local_standard
from members.tests.factories import member
from orgs.testing import count_queries, load_budgets

pytestmark = pytest.mark.django_db
BUDGETS = load_budgets(__file__)


def _more(district, n: int) -> list:
    files = []
    for _ in range(n):
        file = hardship_file(member(district.union_a).person)
        for _ in range(3):
            household_member(file)
        files.append(file)
    return files


def test_page_query_budgets(client, district):
    local_standard(district)
    client.force_login(district.user("rights"))
    worker = member(district.union_a, name="王职工").person
    worker.user = district.user("worker_a")
    worker.save()
    mine = hardship_file(worker)
    pages = {
        "list": reverse("assistance:file_list"),
        "status": reverse("assistance:status_list"),
        "detail": reverse("assistance:file_detail", args=[mine.pk]),
        "api_list": "/api/v1/assistance/files/",
        "api_detail": f"/api/v1/assistance/files/{mine.pk}/",
    }
    counts: dict[str, list[int]] = {k: [] for k in pages}
    for _round in range(2):
        _more(district, 3)
        for _ in range(2):
            household_member(mine)
        for key, url in pages.items():
            n, response = count_queries(client, url)
            assert response.status_code == 200, (key, response.status_code)
            counts[key].append(n)
    for key, (first, second) in counts.items():
        assert first == second <= BUDGETS[key], (key, first, second)
    client.force_login(district.user("worker_a"))
    n, response = count_queries(client, reverse("assistance:my_file"))
    assert response.status_code == 200 and n <= BUDGETS["portal"], n
