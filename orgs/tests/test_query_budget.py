"""A page costs a bounded number of queries, whatever the size of the tree (DESIGN.md §5)."""

from __future__ import annotations

import pytest

from orgs.models import Organisation
from orgs.services import organisation_create
from orgs.testing import count_queries, load_budgets

pytestmark = pytest.mark.django_db
BUDGETS = load_budgets(__file__)
PAGES = {
    "orgs:tree": "/orgs/",
    "orgs:tree_search": "/orgs/?q=公司",
    "orgs:children": "/orgs/T-A/children/",
    "orgs:list": "/orgs/list/?per_page=50",
    "orgs:list_filtered": "/orgs/list/?kind=enterprise&q=公司",
    "orgs:detail": "/orgs/T-A/",
    "api:org-list": "/api/v1/orgs/",
    "api:org-detail": "/api/v1/orgs/T-A-1/",
}


def grow(district, n: int) -> None:
    for i in range(n):
        parent = district.town_a if i % 2 else district.town_b
        organisation_create(
            actor=None, parent=parent, code=f"G-{i}", name=f"增长公司{i}工会", kind=Organisation.Kind.ENTERPRISE
        )


@pytest.mark.parametrize("user_key", ["admin", "town_a"])
def test_query_counts_do_not_grow_with_the_tree(client, district, user_key):
    client.force_login(district.user(user_key))
    for url in PAGES.values():  # warm the per-process caches (the calendar banner) first
        client.get(url)
    small = {name: count_queries(client, url)[0] for name, url in PAGES.items()}
    grow(district, 120)
    large = {}
    for name, url in PAGES.items():
        n, response = count_queries(client, url)
        assert response.status_code == 200, name
        large[name] = n
    assert small == large
    over = {name: n for name, n in large.items() if n > BUDGETS[name]}
    assert over == {}, f"over budget: {over} (budgets {BUDGETS})"
