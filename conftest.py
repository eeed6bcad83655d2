"""Fixtures shared by every app's tests: a small district with one account per role."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.test import TestCase, TransactionTestCase
from django.test.utils import override_settings

from core.models import User
from orgs.models import Organisation
from orgs.roles import Role, ScopeMode
from orgs.services import organisation_create, organisation_create_root, role_grant

TEST_DATA_KEY = base64.b64encode(b"gonghui-test-key-32-bytes-long!!").decode()
PASSWORD = "Test@Pass123"
# Real hashing costs ~0.2 s a password; tests check behaviour, not hash strength.
TEST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
K = Organisation.Kind


def _database_order(item: pytest.Item) -> int:
    """0: rolled-back tests, 1: transactional ones (they flush every table, the migrations' rows
    included), 2: tests without a database — pytest-django's order."""
    case = getattr(item, "cls", None)  # Django's own test classes carry no marker
    if case is not None and issubclass(case, TransactionTestCase):
        return 0 if issubclass(case, TestCase) else 1
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    transactional = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    if transactional or "transactional_db" in fixtures or "live_server" in fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


# Set by scripts/test.py for its second database's run: the tests that touch no database give the
# same answer there, so they run once, in the SQLite run.
DATABASE_TESTS_ONLY = "GONGHUI_DATABASE_TESTS_ONLY"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # pytest-django sorts first, then pytest groups the tests of a session-scoped parameter (the
    # browser tests' `browser_name`) together, which put the flushing browser tests in the middle
    # of the rolled-back ones: every test after them found the seeded categories and calendar gone.
    items.sort(key=_database_order)
    if os.environ.get(DATABASE_TESTS_ONLY) == "1":
        without_database = [item for item in items if _database_order(item) == 2]
        if without_database:
            config.hook.pytest_deselected(items=without_database)
            items[:] = [item for item in items if _database_order(item) != 2]


@pytest.fixture(autouse=True, scope="session")
def _test_settings_for_the_session():
    """The same settings before any test: Django's own test classes build their data in setUpClass,
    before a function fixture could apply (each of their users cost a real PBKDF2 hash there)."""
    with override_settings(GONGHUI_DATA_KEY=TEST_DATA_KEY, PASSWORD_HASHERS=TEST_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.GONGHUI_DATA_KEY = TEST_DATA_KEY
    settings.PASSWORD_HASHERS = TEST_HASHERS


@dataclass
class District:
    """district → town A (仁和镇), town B (后沙峪镇), partner 妇联/团委; a union and an enterprise under each town."""

    root: Organisation
    town_a: Organisation
    town_b: Organisation
    union_a: Organisation
    union_b: Organisation
    firm_a: Organisation
    women: Organisation
    youth: Organisation
    users: dict[str, User] = field(default_factory=dict)

    def user(self, key: str) -> User:
        return self.users[key]


def make_user(username: str, **extra) -> User:
    user = User(username=username, display_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def build_district() -> District:
    root = organisation_create_root(name="测试区总工会", code="T")
    town_a = organisation_create(actor=None, parent=root, code="T-A", name="仁和镇总工会", kind=K.TOWN)
    town_b = organisation_create(actor=None, parent=root, code="T-B", name="后沙峪镇总工会", kind=K.TOWN)
    union_a = organisation_create(
        actor=None,
        parent=town_a,
        code="T-A-1",
        name="沙坨村工会联合会",
        kind=K.VILLAGE_JOINT,
        founded_on=date(2020, 5, 1),
    )
    union_b = organisation_create(
        actor=None,
        parent=town_b,
        code="T-B-1",
        name="西泗上村联合会",
        kind=K.VILLAGE_JOINT,
        founded_on=date(2019, 3, 1),
    )
    firm_a = organisation_create(
        actor=None,
        parent=town_a,
        code="T-A-2",
        name="北京顺鑫物流有限公司工会",
        kind=K.ENTERPRISE,
        employer_name="北京顺鑫物流有限公司",
        credit_code="91350100M000100Y43",
        economic_type=Organisation.EconomicType.NON_PUBLIC,
    )
    women = organisation_create(actor=None, parent=root, code="T-W", name="区妇联", kind=K.WOMENS_FEDERATION)
    youth = organisation_create(actor=None, parent=root, code="T-Y", name="区团委", kind=K.YOUTH_LEAGUE)
    d = District(root, town_a, town_b, union_a, union_b, firm_a, women, youth)
    grants = {
        "admin": (Role.DISTRICT_ADMIN, root, None),
        "org_dept": (Role.ORG_DEPT, root, None),
        "rights": (Role.RIGHTS_DEPT, root, None),
        "econ": (Role.ECON_DEPT, root, None),
        "finance": (Role.FINANCE, root, None),
        "auditor": (Role.AUDITOR, root, None),
        "town_a": (Role.SUB_OFFICER, town_a, None),
        "town_b": (Role.SUB_OFFICER, town_b, None),
        "chair_a": (Role.GRASSROOTS_CHAIR, union_a, None),
        "social_a": (Role.SOCIAL_WORKER, town_a, None),
        "women": (Role.PARTNER_OFFICER, women, None),
        "youth": (Role.PARTNER_OFFICER, youth, None),
        "worker_a": (Role.WORKER, union_a, ScopeMode.SELF),
        # 帮扶工作人员: one at 沙坨村 (verifies), one at town A (reviews); "rights" is the centre.
        "assist_a": (Role.ASSISTANCE_OFFICER, union_a, None),
        "assist_town_a": (Role.ASSISTANCE_OFFICER, town_a, None),
    }
    for key, (role, org, scope) in grants.items():
        user = make_user(key)
        role_grant(actor=None, user=user, role=role, organisation=org, scope=scope)
        d.users[key] = user
    d.users["nobody"] = make_user("nobody")
    return d


@pytest.fixture
def district(db) -> District:
    return build_district()


@pytest.fixture
def login(client):
    def _login(user: User):
        client.force_login(user)
        return client

    return _login


# --- browser tests (Playwright driving Debian's Chromium) ---------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",  # the browser's own texts (validation bubbles, dialogs) in Chinese too
]
# Every browser test runs as the users do: the Chinese locale and Beijing time.
BROWSER_LOCALE = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    import os
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)  # in CI a browser test may never be skipped
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """pytest-playwright's ``page``/``context`` fixtures: zh-CN (Accept-Language and navigator.language)."""
    return {**browser_context_args, **BROWSER_LOCALE}


@pytest.fixture
def new_context(browser, browser_context_args):
    """A further context (another person, or a phone) with the same locale: ``new_context(viewport=...)``."""
    contexts = []

    def _new(**kwargs):
        context = browser.new_context(**{**browser_context_args, **kwargs})
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


def reseed_migration_rows() -> None:
    """Put back the rows the migrations seed (request categories, the working-day calendar): a
    transactional test starts from the tables an earlier one flushed, those rows included."""
    from appeals.defaults import seed_categories
    from appeals.models import Category
    from core.workdays import seed_calendar_from_package

    seed_categories(Category)
    seed_calendar_from_package()


@pytest.fixture
def browser_district(transactional_db) -> District:
    """The test district in a transactional database, visible to the live server's thread."""
    reseed_migration_rows()
    return build_district()


@pytest.fixture
def ui_login(live_server):
    """Sign in through the login form, as a person would."""

    def _login(page, username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("[data-testid=login-submit]")
        return page

    return _login
