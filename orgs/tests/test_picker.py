"""The organisation picker: scoped search and browse, pinyin initials, the preset single choice, the tree
beside the lists, and every form that used to take a typed code refusing what the user may not choose."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from appeals.models import Appeal, Category, LiaisonAssignment
from conftest import make_user
from members.models import Membership, Person
from members.tests.factories import fake, member
from orgs.models import Organisation, RoleAssignment, name_initials
from orgs.roles import Role
from orgs.services import organisation_create, organisation_update, role_grant

pytestmark = pytest.mark.django_db
SEARCH = "/orgs/search/"
THIRTY_DIGITS = "9" * 30


def results(client, **params) -> list[dict]:
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- pinyin initials ----------------------------------------------------------------------------------


def test_initials_are_computed_on_save_and_follow_a_rename(district):
    assert name_initials("南彩镇总工会") == "nczzgh"
    assert name_initials("北京ABC科技有限公司工会") == "bjabckjyxgsgh"
    assert district.union_a.initials == "stcghlhh"  # 沙坨村工会联合会
    organisation_update(actor=district.user("admin"), organisation=district.union_a, data={"name": "南彩村工会联合会"})
    assert Organisation.objects.get(pk=district.union_a.pk).initials == "nccghlhh"


def test_data_migration_fills_the_rows_already_stored(district):
    Organisation.objects.update(initials="")
    migration = importlib.import_module("orgs.migrations.0004_organisation_initials")
    migration.fill_initials(apps, None)
    assert dict(Organisation.objects.filter(code__in=["T-A", "T-B-1"]).values_list("code", "initials")) == {
        "T-A": "rhzzgh",
        "T-B-1": "xssclhh",
    }


@pytest.mark.parametrize("text", ["stc", "STC", "沙坨", "T-A-1"])
def test_search_by_initials_name_or_code(client, district, text):
    client.force_login(district.user("town_a"))
    assert [r["code"] for r in results(client, q=text)] == ["T-A-1"]


def test_search_results_name_their_visible_ancestors(client, district):
    client.force_login(district.user("admin"))
    (found,) = results(client, q="stc")
    assert found["trail"] == "测试区总工会 › 仁和镇总工会" and found["choosable"]


# --- scope ------------------------------------------------------------------------------------------


def test_neighbouring_town_sees_nothing_of_another_town(client, district):
    client.force_login(district.user("town_b"))
    assert results(client, q="沙坨") == []
    assert results(client, q="stc") == []
    assert results(client, q="T-A") == []
    assert [r["code"] for r in results(client)] == ["T-B"]  # the top of the tree is their own town
    assert results(client, parent=district.town_a.pk) == []  # no browsing into the other town
    assert results(client, parent=district.root.pk) == []  # nor from above their grant
    assert [r["code"] for r in results(client, parent=district.town_b.pk)] == ["T-B-1"]


@pytest.mark.parametrize("key", ["worker_a", "nobody"])
def test_worker_and_account_without_role_get_nothing(client, district, key):
    client.force_login(district.user(key))
    response = client.get(SEARCH, {"q": "工会", "perm": "members.view"})
    assert response.status_code == 403
    assert "沙坨" not in response.content.decode()


def test_scope_follows_the_action_and_the_kinds(client, district):
    client.force_login(district.user("town_a"))
    grassroots = ",".join(sorted(Organisation.GRASSROOTS_KINDS))
    # the town is browsable (to reach its unions) but only unions may be chosen
    (town,) = results(client, perm="members.change", kinds=grassroots)
    assert town["code"] == "T-A" and not town["choosable"]
    children = results(client, perm="members.change", kinds=grassroots, parent=district.town_a.pk)
    assert {c["code"]: c["choosable"] for c in children} == {"T-A-1": True, "T-A-2": True}
    assert results(client, q="仁和镇", perm="members.change", kinds=grassroots) == []
    # an action the town officer does not hold anywhere (moving) lists nothing
    assert results(client, perm="orgs.move") == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"perm": "members.delete_everything"}, "未知的操作类型"),
        ({"kinds": "enterprise,castle"}, "未知的组织类型"),
        ({"exclude": THIRTY_DIGITS}, "应为组织编号"),
        ({"q": "工" * 51}, "不超过 50 个字符"),
    ],
)
def test_bad_parameters_are_a_chinese_400(client, district, params, message):
    client.force_login(district.user("admin"))
    response = client.get(SEARCH, params)
    assert response.status_code == 400 and message in response.json()["error"]


@pytest.mark.parametrize("parent", [THIRTY_DIGITS, "abc", "-1", "１２"])
def test_hostile_parent_lists_nothing(client, district, parent):
    client.force_login(district.user("admin"))
    assert results(client, parent=parent) == []


def test_excluded_subtree_cannot_be_chosen(client, district):
    client.force_login(district.user("admin"))
    children = results(client, perm="orgs.move", exclude=district.town_a.pk, parent=district.root.pk)
    assert {c["code"]: c["choosable"] for c in children}["T-A"] is False
    assert results(client, perm="orgs.move", exclude=district.town_a.pk, q="stc") == []


# --- the preset single choice -------------------------------------------------------------------------


def test_village_chair_has_their_union_chosen_already(client, district):
    client.force_login(district.user("chair_a"))
    page = client.get("/members/new/").content.decode()
    assert 'data-testid="picker-fixed-organisation"' in page
    assert f'type="hidden" name="organisation" value="{district.union_a.pk}"' in page
    assert '<select name="organisation"' not in page and "请选择组织" not in page
    response = client.post(
        "/members/new/",
        {
            "organisation": district.union_a.pk,
            "joined_on": "2024-03-01",
            "name": "村里新会员",
            "id_number": fake.id_number(4242),
            "ethnicity": "汉族",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(person__name="村里新会员").organisation == district.union_a


def test_officer_with_several_unions_chooses_from_a_select_without_script(client, district):
    client.force_login(district.user("town_a"))
    page = client.get("/members/new/").content.decode()
    assert 'data-testid="picker-fixed-organisation"' not in page
    assert f'<option value="{district.union_a.pk}">沙坨村工会联合会（T-A-1）</option>' in page
    assert "西泗上村" not in page and "仁和镇总工会（T-A）" not in page  # the other town; a town is no union


# --- every form that took a typed code ----------------------------------------------------------------


def _out_of_scope_values(district) -> list[object]:
    return [district.union_b.pk, THIRTY_DIGITS, "T-A-1", "沙坨村"]


def _member_data(district, org) -> dict:
    return {
        "organisation": org,
        "joined_on": "2024-03-01",
        "name": "选择测试",
        "id_number": fake.id_number(5150),
        "ethnicity": "汉族",
    }


def _appeal_data(district, org) -> dict:
    category = Category.objects.first()
    return {
        "organisation": org,
        "channel": "hotline",
        "category": category.pk,
        "title": "欠薪",
        "description": "三个月工资未发",
        "preferred_contact": "phone",
        "reporter_name": "李师傅",
    }


FORMS = {
    # name: (user, url, data for a chosen organisation, the organisation in scope, what a success leaves)
    "member register": (
        "town_a",
        lambda d: "/members/new/",
        _member_data,
        lambda d: d.union_a,
        lambda d: Person.objects.filter(name="选择测试").count(),
    ),
    "request intake": (
        "town_a",
        lambda d: reverse("appeals:create"),
        _appeal_data,
        lambda d: d.union_a,
        lambda d: Appeal.objects.count(),
    ),
    "liaison": (
        "town_a",
        lambda d: reverse("appeals:liaisons") + "?org=T-A",
        lambda d, org: {"organisation": org, "liaison": "social_a"},
        lambda d: d.union_a,
        lambda d: LiaisonAssignment.objects.count(),
    ),
    "role grant": (
        "town_a",
        lambda d: f"/accounts/users/{_clerk(d).pk}/",
        lambda d, org: {"role": "grassroots_chair", "organisation": org, "scope": "subtree"},
        lambda d: d.firm_a,
        lambda d: RoleAssignment.objects.filter(user__username="clerk", organisation=d.firm_a).count(),
    ),
    "move subtree": (
        "org_dept",
        lambda d: f"/orgs/{_movable(d).code}/move/",
        lambda d, org: {"new_parent": org},
        lambda d: d.town_b,
        lambda d: Organisation.objects.filter(code="T-A-9", path__startswith=d.town_b.path).count(),
    ),
}


def _clerk(district):
    """An account the town officer manages (a chair of one of the town's unions)."""
    clerk = make_user("clerk")
    role_grant(actor=None, user=clerk, role=Role.GRASSROOTS_CHAIR, organisation=district.union_a)
    return clerk


def _movable(district) -> Organisation:
    found = Organisation.objects.filter(code="T-A-9").first()
    if found is None:
        found = organisation_create(
            actor=None, parent=district.town_a, code="T-A-9", name="待移动公司工会", kind=Organisation.Kind.ENTERPRISE
        )
    return found


@pytest.mark.parametrize("name", sorted(FORMS))
def test_each_form_refuses_an_organisation_outside_the_users_scope(client, district, name):
    user, url, data, inside, done = FORMS[name]
    url = url(district)
    client.force_login(district.user(user))
    refused = _out_of_scope_values(district)
    if name == "move subtree":
        refused = [_movable(district).pk, THIRTY_DIGITS, "T-B"]  # itself; a 30-digit id; a typed code
    for value in refused:
        response = client.post(url, data(district, value))
        assert response.status_code == 200, (name, value)
        assert "所选组织不存在，或不在您可选择的范围内" in response.content.decode(), (name, value)
        assert done(district) == 0, (name, value)
    response = client.post(url, data(district, inside(district).pk))
    assert response.status_code == 302, (name, response.content.decode()[-3000:])
    assert done(district) == 1


def test_member_filter_takes_a_picked_union_and_refuses_a_neighbours(client, district):
    member(district.union_a, name="甲会员")
    member(district.union_b, name="乙会员")
    client.force_login(district.user("town_a"))
    page = client.get("/members/", {"subtree": "T-A-1"}).content.decode()
    assert "甲会员" in page and "乙会员" not in page
    for value in ("T-B-1", "T-B", THIRTY_DIGITS, "沙坨村"):
        page = client.get("/members/", {"subtree": value}).content.decode()
        assert "筛选条件有误，未显示任何记录" in page and "甲会员" not in page and "乙会员" not in page, value


# --- the tree beside the lists ------------------------------------------------------------------------


def test_list_tree_opens_the_trail_to_the_chosen_union_and_keeps_other_filters(client, district):
    client.force_login(district.user("admin"))
    page = client.get("/members/", {"subtree": "T-A-1", "status": "active"}).content.decode()
    assert 'data-testid="org-side-tree"' in page
    assert 'href="/members/?status=active&amp;subtree=T-A-2"' in page  # the sibling, filters kept
    assert 'href="/members/?status=active&amp;subtree=T-B"' in page  # the other town, closed
    assert 'data-testid="side-node-T-B-1"' not in page


def test_list_tree_shows_only_the_users_subtree(client, district):
    client.force_login(district.user("town_b"))
    for url in ("/members/", "/appeals/", "/orgs/list/"):
        page = client.get(url).content.decode()
        assert 'data-testid="side-node-T-B"' in page, url  # their town, its unions loading at once
        assert 'hx-trigger="load"' in page and f"parent={district.town_b.pk}" in page, url
        assert "side-node-T-A" not in page and "仁和镇" not in page and 'side-node-T"' not in page, url


def test_tree_branch_loads_children_linking_to_the_list(client, district):
    client.force_login(district.user("town_a"))
    response = client.get(
        reverse("orgs:branch"),
        {
            "perm": "members.view",
            "active": "0",
            "href": "/members/",
            "keep": "status=active",
            "parent": district.town_a.pk,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'href="/members/?status=active&amp;subtree=T-A-1"' in page
    other = client.get(
        reverse("orgs:branch"), {"perm": "members.view", "href": "/members/", "parent": district.town_b.pk}
    )
    assert "T-B-1" not in other.content.decode()


@pytest.mark.parametrize("href", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "members/"])
def test_tree_branch_refuses_a_link_elsewhere(client, district, href):
    client.force_login(district.user("admin"))
    response = client.get(reverse("orgs:branch"), {"href": href, "parent": district.root.pk})
    assert response.status_code == 400 and "链接参数有误" in response.content.decode()
