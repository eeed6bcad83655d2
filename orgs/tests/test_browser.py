"""What a person does in the browser: sign in, browse the tree, be refused, be locked out."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_town_officer_sees_only_own_subtree(page, live_server, browser_district, ui_login):
    ui_login(page, "town_a")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    page.goto(f"{live_server.url}/orgs/")
    tree = page.get_by_test_id("org-tree")
    expect(tree.locator("li[data-code='T-A']")).to_be_visible()
    page.get_by_test_id("toggle-T-A").click()
    expect(tree.locator("li[data-code='T-A-1']")).to_be_visible()
    expect(tree.locator("li[data-code='T-A-2']")).to_be_visible()
    shot(page, "orgs-tree-town-officer")
    # nothing of the other town, the district or the partners anywhere on the page
    for code in ("T", "T-B", "T-B-1", "T-W"):
        expect(tree.locator(f"li[data-code='{code}']")).to_have_count(0)
    # opening the other town's union by URL is refused as if it did not exist
    response = page.goto(f"{live_server.url}/orgs/T-B-1/")
    assert response.status == 404
    expect(page.get_by_test_id("not-found")).to_be_visible()
    shot(page, "orgs-outside-scope-404")


def test_admin_browses_lists_and_opens_detail(page, live_server, browser_district, ui_login):
    ui_login(page, "admin")
    page.goto(f"{live_server.url}/orgs/list/?q=村")
    expect(page.get_by_role("link", name="沙坨村工会联合会")).to_be_visible()
    expect(page.get_by_role("link", name="西泗上村联合会")).to_be_visible()
    shot(page, "orgs-list-admin")
    page.get_by_role("link", name="沙坨村工会联合会").click()
    expect(page.get_by_role("heading", name="沙坨村工会联合会")).to_be_visible()
    shot(page, "orgs-detail-admin")


def test_five_wrong_passwords_lock_the_account(page, live_server, browser_district, ui_login):
    for _ in range(5):
        ui_login(page, "town_b", "Wrong-Pass-1")
    ui_login(page, "town_b", PASSWORD)
    expect(page.get_by_test_id("locked")).to_be_visible()
    shot(page, "login-locked")
