"""The chart of accounts is assembled from the apps' declarations (funds/chart.py)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from funds.chart import FundAccount, declared_accounts
from funds.checks import fund_account_declarations
from funds.models import Account
from funds.services import standard_accounts_ensure

# The district's chart as it stood when it was one hard-coded list in funds/services.py, and the
# accounts apps have declared since.
CHART = [
    ("1002", "银行存款", "asset", False),
    ("2202", "应付受益款", "liability", False),  # funds: approved, not yet paid by the bank (issue 17)
    ("3101", "建会专项基金", "fund", True),
    ("3102", "税务代收经费返还", "fund", True),
    ("3103", "联合工会经费保障资金", "fund", True),
    ("3104", "困难职工帮扶资金", "fund", True),
    ("3105", "顺义区职工专项温暖基金", "fund", True),
    ("3106", "金秋助学资金", "fund", True),
    ("3107", "职工创新奖励资金", "fund", True),  # activities: innovation rewards
]


@pytest.fixture
def declare(monkeypatch):
    """Let an installed app declare accounts, as a new domain would in its apps.py."""

    def _declare(label: str, *accounts: FundAccount) -> None:
        monkeypatch.setattr(apps.get_app_config(label), "fund_accounts", accounts, raising=False)

    return _declare


def test_the_declarations_make_the_same_chart_as_before():
    assert [(a.code, a.name, a.type, a.is_fund) for a in declared_accounts()] == CHART


def test_each_app_declares_the_accounts_it_pays_from():
    assert {a.code for a in apps.get_app_config("programmes").fund_accounts} == {"3101", "3102", "3103"}
    assert {a.code for a in apps.get_app_config("funds").fund_accounts} == {"1002", "2202", "3104", "3105", "3106"}
    assert {a.code for a in apps.get_app_config("activities").fund_accounts} == {"3107"}


@pytest.mark.django_db
def test_ensure_creates_the_declared_accounts_once(district):
    first = standard_accounts_ensure(district=district.root)
    rows = list(Account.objects.order_by("code").values_list("code", "name", "type", "is_fund", "organisation"))
    assert rows == [(*row, district.root.pk) for row in CHART]
    again = standard_accounts_ensure(district=district.root)
    assert {code: a.pk for code, a in again.items()} == {code: a.pk for code, a in first.items()}
    assert Account.objects.count() == len(CHART)


@pytest.mark.django_db
def test_existing_accounts_are_kept_as_they_are(district):
    standard_accounts_ensure(district=district.root)
    Account.objects.filter(code="3105").update(name="温暖基金（改名）")
    standard_accounts_ensure(district=district.root)
    assert Account.objects.get(code="3105").name == "温暖基金（改名）"


@pytest.mark.django_db
def test_a_new_app_declaration_joins_the_chart(district, declare):
    declare("surveys", FundAccount("3201", "职工文体活动经费"), FundAccount("5001", "活动支出", type="expense"))
    accounts = standard_accounts_ensure(district=district.root)
    assert set(accounts) == {row[0] for row in CHART} | {"3201", "5001"}
    assert (accounts["3201"].type, accounts["3201"].is_fund) == ("fund", True)
    assert (accounts["5001"].type, accounts["5001"].is_fund) == ("expense", False)
    assert fund_account_declarations() == []


def test_the_same_declaration_in_two_apps_is_one_account(declare):
    declare("activities", FundAccount("3104", "困难职工帮扶资金"))
    assert fund_account_declarations() == []
    assert [a.code for a in declared_accounts()].count("3104") == 1


@pytest.mark.django_db  # the project's other checks read the working calendar
def test_a_code_declared_two_ways_is_refused(declare):
    declare("activities", FundAccount("3101", "活动启动经费"))
    errors = fund_account_declarations()
    assert [e.id for e in errors] == ["funds.E001"]
    assert "3101" in errors[0].msg and "programmes" in errors[0].msg and "activities" in errors[0].msg
    with pytest.raises(SystemCheckError, match="3101"):
        call_command("check")


def test_an_unknown_account_type_is_refused(declare):
    declare("activities", FundAccount("3201", "活动经费", type="fundz"))
    errors = fund_account_declarations()
    assert [e.id for e in errors] == ["funds.E001"]
    assert "fundz" in errors[0].msg


def test_the_project_passes_the_check():
    assert fund_account_declarations() == []
