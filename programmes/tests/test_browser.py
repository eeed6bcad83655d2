"""Finance prepares a start-up grant cycle, a second person approves, the ledger and the chair see it."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from conftest import BROWSER_LOCALE, make_user
from funds.models import Cycle
from funds.testing import add_members, fund_programme
from orgs.models import Organisation
from orgs.roles import Role
from orgs.services import organisation_create, role_grant

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def grant_district(browser_district):
    d = browser_district
    new = organisation_create(
        actor=None,
        parent=d.town_a,
        code="T-A-9",
        name="顺义新建科技有限公司工会",
        kind=Organisation.Kind.ENTERPRISE,
        economic_type=Organisation.EconomicType.NON_PUBLIC,
        founded_on=date(2026, 3, 1),
    )
    add_members(new, 12, joined_on=date(2026, 3, 1))
    d.users["finance2"] = make_user("finance2")
    role_grant(actor=None, user=d.users["finance2"], role=Role.FINANCE, organisation=d.root)
    d.users["chair_new"] = make_user("chair_new")
    role_grant(actor=None, user=d.users["chair_new"], role=Role.GRASSROOTS_CHAIR, organisation=new)
    fund_programme(
        district=d.root,
        plugin_key="startup_grant",
        fund_code="3101",
        code="JHQD",
        period_type="once",
        params={
            "window_start": "2026-01-01",
            "window_end": "2026-06-30",
            "count_days_after_founding": 30,
            "tiers": [{"min_members": 1, "rate": "150.00"}],
        },
    )
    return d


def _page(browser, ui_login, username):
    page = browser.new_context(**BROWSER_LOCALE, **DESKTOP).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    ui_login(page, username)
    return page


def test_start_up_grant_from_preparation_to_the_chair(browser, live_server, ui_login, grant_district):
    finance = _page(browser, ui_login, "finance")
    finance.goto(f"{live_server.url}/funds/programmes/JHQD/")
    finance.fill("input[name=period_key]", "2026")
    finance.get_by_test_id("cycle-create").click()
    expect(finance.get_by_test_id("cycle-state")).to_have_text("已计算")
    expect(finance.get_by_test_id("entitlements")).to_contain_text(
        "会员 12 人（截至 2026-03-31）× 150.00 元 = 1,800.00 元"
    )
    finance.get_by_test_id("review").click()
    expect(finance.get_by_test_id("cycle-state")).to_have_text("已复核")
    expect(finance.get_by_test_id("approve")).to_have_count(0)  # the preparer is not offered approval
    cycle_url = finance.url

    approver = _page(browser, ui_login, "finance2")
    approver.goto(cycle_url)
    approver.get_by_test_id("approve").click()
    expect(approver.get_by_test_id("cycle-state")).to_have_text("已审批入账")
    approver.goto(f"{live_server.url}/funds/entries/")
    expect(approver.get_by_test_id("entries")).to_contain_text("JHQD 2026 应付 顺义新建科技有限公司工会")
    approver.goto(f"{live_server.url}/funds/accounts/3101/")
    expect(approver.get_by_test_id("closing")).to_have_text("998,200.00")
    assert Cycle.objects.get().state == Cycle.State.PAID

    chair = _page(browser, ui_login, "chair_new")
    chair.goto(f"{live_server.url}/programmes/grants/")
    expect(chair.get_by_test_id("grants")).to_contain_text("顺义新建科技有限公司工会")
    expect(chair.get_by_test_id("grants")).to_contain_text("1,800.00")


def test_finance_adds_a_tier_on_the_parameter_form(browser, live_server, ui_login, grant_district):
    """The tier table grows without a reload; the saved version reads as money in the versions table."""
    finance = _page(browser, ui_login, "finance")
    finance.goto(f"{live_server.url}/funds/programmes/JHQD/")
    form = finance.get_by_test_id("parameter-form")
    form.locator("input[name=effective_from]").fill("2027-01-01")
    form.locator("input[name=window_start]").fill("2027-01-01")
    form.locator("input[name=window_end]").fill("2027-12-31")
    form.locator("input[name='tiers-1-min_members']").fill("51")
    form.locator("input[name='tiers-1-rate']").fill("1,120")
    form.get_by_role("button", name="增加一档").click()
    expect(form.locator("input[name='tiers-2-rate']")).to_have_value("")
    form.locator("input[name='tiers-2-min_members']").fill("30")  # below the tier before: refused
    form.locator("input[name='tiers-2-rate']").fill("110")
    form.get_by_test_id("version-save").click()
    expect(finance.get_by_test_id("table-tiers")).to_contain_text("各档不能重叠")
    finance.get_by_test_id("parameter-form").locator("input[name='tiers-2-min_members']").fill("201")
    finance.get_by_test_id("parameter-form").locator("input[name=effective_from]").fill("2027-01-01")
    finance.get_by_test_id("version-save").click()
    versions = finance.get_by_test_id("versions")
    expect(versions).to_contain_text("2027-01-01 起")
    expect(versions).to_contain_text("1,120.00 元")
    expect(versions).to_contain_text("110.00 元")
    expect(versions).not_to_contain_text("min_members")
