"""Issue 9.7: a role with organisation-only scope sees only that organisation — in the counts, the tree
and the home page as in the lists."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from appeals.tests.factories import make_appeal
from conftest import make_user
from members.tests.factories import member
from orgs.roles import Role, ScopeMode
from orgs.selectors import tree_top_nodes
from orgs.services import role_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_only(district):
    """仁和镇 officer whose grant covers the town union alone, not the unions below it."""
    user = make_user("town_only")
    role_grant(actor=None, user=user, role=Role.SUB_OFFICER, organisation=district.town_a, scope=ScopeMode.ORG)
    for _ in range(3):
        member(district.union_a)
    member(district.firm_a)
    make_appeal(district, org=district.union_a, title="村里欠薪")
    make_appeal(district, org=district.town_a, title="镇里来访")
    return user


def _figures(html: str, label: str) -> list[str]:
    return re.findall(rf'<div class="subheader">{label}[^<]*</div><div class="h\d mb-0">(\d+)</div>', html)


def test_home_page_counts_only_the_town_itself(client, district, town_only):
    client.force_login(town_only)
    html = client.get(reverse("dashboard:home")).content.decode()
    assert _figures(html, "下级组织") == ["0"]
    assert _figures(html, "会员") == ["0"]  # the 4 members all belong to unions below the town
    assert _figures(html, "未办结诉求") == ["1"]  # the town's own request, not the union's
    # The same figures as the subtree officer of the same town sees over the whole subtree.
    client.force_login(district.user("town_a"))
    html = client.get(reverse("dashboard:home")).content.decode()
    assert _figures(html, "下级组织") == ["2"]
    assert _figures(html, "会员") == ["4"]
    assert _figures(html, "未办结诉求") == ["2"]


def test_tree_and_detail_show_no_union_below_the_town(client, district, town_only):
    top = tree_top_nodes(town_only).get()
    assert (top.code, top.descendant_count, top.member_count, top.open_appeals) == (district.town_a.code, 0, 0, 1)
    client.force_login(town_only)
    tree = client.get(reverse("orgs:tree")).content.decode()
    assert "下级 0" in tree and "会员 0" in tree
    assert f'data-testid="toggle-{district.town_a.code}"' not in tree  # nothing to expand
    children = client.get(reverse("orgs:children", args=[district.town_a.code])).content.decode()
    assert district.union_a.name not in children and district.firm_a.name not in children
    detail = client.get(reverse("orgs:detail", args=[district.town_a.code])).content.decode()
    assert _figures(detail, "下级组织") == ["0"]
    assert district.union_a.name not in detail
