"""In the browser (zh-CN): the tree beside the member list filters it; a village chair registers a member
without choosing the union; an officer picks a union by its pinyin initials."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from members import fake
from members.models import Membership
from members.tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def test_town_officer_clicks_a_union_in_the_tree_and_the_list_shows_its_subtree(
    page, live_server, browser_district, ui_login
):
    d = browser_district
    member(d.union_a, name="沙坨会员")
    member(d.firm_a, name="顺鑫会员")
    member(d.union_b, name="西泗上会员")
    ui_login(page, "town_a")
    page.goto(f"{live_server.url}/members/")
    tree = page.get_by_test_id("org-side-tree")
    table = page.get_by_test_id("member-table")
    expect(table).to_contain_text("沙坨会员")
    expect(table).to_contain_text("顺鑫会员")
    expect(tree.get_by_test_id("side-node-T-B")).to_have_count(0)  # nothing of the other town
    tree.get_by_test_id("side-node-T-A-1").click()
    expect(page).to_have_url(f"{live_server.url}/members/?subtree=T-A-1")
    expect(table).to_contain_text("沙坨会员")
    expect(table).not_to_contain_text("顺鑫会员")
    expect(tree.get_by_test_id("side-node-T-A-1")).to_have_attribute("aria-current", "true")
    expect(page.get_by_test_id("picker-search-subtree")).to_have_value("沙坨村工会联合会（T-A-1）")
    tree.get_by_test_id("side-tree-all").click()
    expect(table).to_contain_text("顺鑫会员")


def test_village_chair_registers_a_member_without_choosing_the_union(page, live_server, browser_district, ui_login):
    ui_login(page, "chair_a")
    page.goto(f"{live_server.url}/members/new/")
    expect(page.get_by_test_id("picker-fixed-organisation")).to_contain_text("沙坨村工会联合会")
    page.fill("input[name=name]", "村民新会员")
    page.fill("input[name=id_number]", fake.id_number(8080))
    page.fill("input[name=ethnicity]", "汉族")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="村民新会员")).to_be_visible()
    assert Membership.objects.get(person__name="村民新会员").organisation == browser_district.union_a


def test_officer_picks_a_union_by_initials_or_from_the_tree(page, live_server, browser_district, ui_login):
    ui_login(page, "town_a")
    page.goto(f"{live_server.url}/members/new/")
    page.get_by_test_id("picker-search-organisation").fill("stc")
    page.get_by_test_id("result-T-A-1").click()
    expect(page.get_by_test_id("picker-search-organisation")).to_have_value("沙坨村工会联合会（T-A-1）")
    assert page.locator("select[name=organisation]").input_value() == str(browser_district.union_a.pk)
    page.get_by_test_id("picker-browse-organisation").click()
    panel = page.get_by_test_id("picker-panel-organisation")
    panel.get_by_test_id("pick-T-A-2").click()  # the single top (the town) opens by itself
    assert page.locator("select[name=organisation]").input_value() == str(browser_district.firm_a.pk)
    expect(panel).to_be_hidden()
