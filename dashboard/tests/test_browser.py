"""In the browser, zh-CN, as each role would: every page of every role's navigation fits a 390 px
phone and shows no internal key, ``None``/``True``/``False`` or raw dict; the second finance officer
finds the cycle awaiting them on the workbench; a worker lands in the portal and reads a message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from appeals import services as appeal_services
from appeals.models import Appeal
from appeals.tests.factories import make_appeal, make_person, run_to
from conftest import make_user
from funds import services
from funds.testing import add_members, fund_programme
from funds.tests.plugin import KEY
from orgs.roles import Role
from orgs.services import role_grant

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
ROLES = ["admin", "org_dept", "rights", "econ", "finance", "finance2", "auditor", "town_a", "chair_a", "social_a"]
ROLES += ["women", "worker_a"]
# What a person must never read: a snake_case identifier (a rule key such as joint_union_subsidy, a
# field or state name), Python's None/True/False, a raw dict or JSON object.
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
PYTHON = re.compile(r"\b(?:None|True|False)\b")
RAW_DICT = re.compile(r"\{\s*['\"]")
NAV_LINKS = "#navbar-menu a[href]:not([href='#']), .portal-nav a[href]"
READABLE = """() => [document.body.innerText,
  ...[...document.querySelectorAll('input:not([type=hidden]):not([type=password]), textarea, select')]
     .map(e => e.value)].join('\\n')"""


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def busy_district(browser_district, settings, tmp_path):
    """The test district with something on every page: members, requests at several steps (one
    referred to 妇联), a paid cycle and one awaiting the second finance officer, a worker's message."""
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    d = browser_district
    d.users["finance2"] = make_user("finance2")
    role_grant(actor=None, user=d.users["finance2"], role=Role.FINANCE, organisation=d.root)
    add_members(d.union_a, 5, joined_on=date(2025, 3, 1))
    add_members(d.firm_a, 3, joined_on=date(2025, 3, 1))
    person = make_person(d.union_a, user=d.user("worker_a"), name="张伟")
    mine = make_appeal(d, worker=person, title="加班费未支付")
    appeal_services.appeal_contact(actor=d.user("rights"), appeal=mine, note="已电话联系，明天上门了解情况")
    run_to(d, make_appeal(d, title="工地欠薪"), Appeal.State.HANDLING, co=(d.women,))
    run_to(d, make_appeal(d, org=d.firm_a, title="社保断缴"), Appeal.State.CLOSED)
    programme = fund_programme(
        district=d.root, plugin_key=KEY, fund_code="3103", code="BR", params={"amounts": {"T-A-1": "1200.00"}}
    )
    paid = services.cycle_create(actor=d.user("finance"), programme=programme, period_key="2025")
    services.cycle_review(actor=d.user("finance"), cycle=paid)
    services.cycle_approve(actor=d.users["finance2"], cycle=paid)
    waiting = services.cycle_create(actor=d.user("finance"), programme=programme, period_key="2026")
    d.waiting = services.cycle_review(actor=d.user("finance"), cycle=waiting)
    return d


def _signed_in(new_context, ui_login, username: str, device: dict):
    page = new_context(**device).new_page()
    ui_login(page, username)
    page.wait_for_load_state()
    return page


def _nav_pages(page) -> list[str]:
    hrefs = page.eval_on_selector_all(NAV_LINKS, "els => els.map(e => e.getAttribute('href'))")
    return list(dict.fromkeys(h for h in hrefs if h.startswith("/")))


def _walk(page, base: str) -> Iterator[tuple[str, Any]]:
    """Opens, one after the other, every page of the signed-in user's navigation (as read on the page
    they land on), yielding (url, response) while the page is open."""
    hrefs = _nav_pages(page)
    assert hrefs, "no navigation at all"
    for href in hrefs:
        yield href, page.goto(base + href)


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_the_navigation_fits_a_phone_and_shows_no_internal_key(
    live_server, busy_district, new_context, ui_login, username
):
    """Each page is opened once on a 390 px phone (it must not scroll sideways), then widened to a
    desktop window, where the columns a phone hides are shown, and read for internal keys."""
    page = _signed_in(new_context, ui_login, username, PHONE)
    accounts = set(busy_district.users)  # the test accounts' own names (town_a…) are data, not keys
    failures = []
    for href, response in _walk(page, live_server.url):
        width, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
        if response.status != 200 or width > inner:
            failures.append(f"{href}: status {response.status}, page {width} px wide in a {inner} px window")
        page.set_viewport_size(DESKTOP["viewport"])
        text = page.evaluate(READABLE)
        keys = sorted({k for k in SNAKE.findall(text) if k not in accounts})
        found = keys + sorted(set(PYTHON.findall(text))) + (["{'…"] if RAW_DICT.search(text) else [])
        if found:
            failures.append(f"{href}: shows {found}")
        page.set_viewport_size(PHONE["viewport"])  # the next page opens on the phone again
    assert failures == [], failures


def test_second_finance_officer_finds_the_cycle_awaiting_them(live_server, busy_district, new_context, ui_login):
    cycle = busy_district.waiting
    page = _signed_in(new_context, ui_login, "finance2", DESKTOP)
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    todo = page.get_by_test_id(f"todo-cycle-{cycle.pk}")
    expect(todo).to_contain_text("待我审批")
    expect(todo).to_contain_text("（审批）")  # the step waiting for them
    expect(page.get_by_test_id("unread-count")).to_be_visible()  # and the notification told them
    shot(page, "workbench-finance2")
    todo.click()  # one click away
    page.wait_for_url(f"**/funds/cycles/{cycle.pk}/")
    expect(page.get_by_role("heading", name=re.compile(cycle.period_key))).to_be_visible()
    # The preparer has nothing to approve.
    preparer = _signed_in(new_context, ui_login, "finance", DESKTOP)
    expect(preparer.get_by_test_id(f"todo-cycle-{cycle.pk}")).to_have_count(0)


def test_worker_lands_in_the_portal_and_reads_a_message(live_server, busy_district, new_context, ui_login):
    page = _signed_in(new_context, ui_login, "worker_a", PHONE)
    assert page.url == f"{live_server.url}/portal/"
    expect(page.get_by_test_id("my-appeal")).to_contain_text("加班费未支付")
    page.get_by_test_id("nav-messages").click()
    page.wait_for_url("**/portal/messages/")
    message = page.get_by_test_id("message").filter(has_text="已有联络人联系")
    expect(message).to_contain_text("明天上门了解情况")
    shot(page, "portal-messages-phone")
    message.get_by_role("link").click()
    page.wait_for_url("**/portal/appeals/*/")
    expect(page.get_by_text("加班费未支付").first).to_be_visible()
