"""Issue 11 item 7: money reads like money — thousands separators on every amount (one ``|yuan``
filter), a running balance on the account statement, an empty trial balance that says so — and the
cycle page names its preparer, reviewer and each approver."""

from __future__ import annotations

import importlib
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.template import Context, Template
from python_calamine import CalamineWorkbook

from funds import services
from funds.ledger import Line
from funds.models import Cycle, JournalEntry, Payment
from funds.testing import books, fund_programme
from funds.tests.plugin import KEY
from funds.tests.test_pages import AMOUNTS, approver, pay_cycle  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def cells(html: str, testid: str) -> list[str]:
    return [c.strip() for c in re.findall(rf'data-testid="{testid}"[^>]*>([^<]*)<', html)]


def donate(district, fund, amount: str, on: date, name: str = "北京顺鑫物流有限公司"):
    return services.donation_register(
        actor=district.user("finance"), donor_kind="unit", donor_name=name, amount=amount, received_on=on, fund=fund
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234567.5"), "1,234,567.50"),
        (Decimal("0"), "0.00"),
        (Decimal("-4200"), "-4,200.00"),
        ("999", "999.00"),
        (None, ""),
    ],
)
def test_yuan_filter(value, shown):
    assert Template("{% load gh %}{{ v|yuan }}").render(Context({"v": value})) == shown


def test_amounts_have_thousands_separators_on_every_funds_page(client, district, approver):  # noqa: F811
    programme = fund_programme(
        district=district.root, plugin_key=KEY, fund_code="3103", code="PG", params={"amounts": AMOUNTS}
    )
    cycle = pay_cycle(district, approver, programme, "2026")
    acc = books(district.root)
    donation = donate(district, acc["3105"], "1234567.89", date(2026, 5, 1))
    client.force_login(district.user("finance"))
    pages = {
        "/funds/donations/": "1,234,567.89",
        f"/funds/donations/{donation.pk}/receipt/": "1,234,567.89",
        "/funds/accounts/": "1,234,567.89",
        "/funds/accounts/3105/": "1,234,567.89",
        "/funds/entries/": "1,234,567.89",
        "/funds/trial-balance/": "1,234,567.89",
        f"/funds/programmes/{programme.code}/": "999,700.00",  # the fund's balance: 1,000,000 − 300
        f"/funds/cycles/{cycle.pk}/": "999,700.00",
        f"/funds/entries/{donation.entry_id}/": "1,234,567.89",
    }
    for url, shown in pages.items():
        html = client.get(url).content.decode()
        assert shown in html, url
        assert "1234567.89" not in html and "999700.00" not in html, url


def test_account_statement_running_balance(client, district, approver):  # noqa: F811
    programme = fund_programme(
        district=district.root, plugin_key=KEY, fund_code="3103", code="PG", params={"amounts": AMOUNTS}
    )  # 1,000,000.00 allocated to 3103 on 2026-01-05
    pay_cycle(district, approver, programme, "2026")  # pays T-A-1 100.00 and T-B-1 200.00 out of 3103
    client.force_login(district.user("auditor"))
    html = client.get("/funds/accounts/3103/").content.decode()
    # opening 0.00; +1,000,000.00 (credit: a fund is credit-normal); −100.00; −200.00
    assert cells(html, "running-balance") == ["1,000,000.00", "999,900.00", "999,700.00"]
    assert cells(html, "closing") == ["999,700.00"]
    # From a start date, the opening balance carries the earlier lines.
    today = Payment.objects.first().entry.date
    html = client.get(f"/funds/accounts/3103/?start={today:%Y-%m-%d}").content.decode()
    assert "1,000,000.00" in html and cells(html, "running-balance") == ["999,900.00", "999,700.00"]
    # The bank account is debit-normal: the allocation debits it; the approved payments are owed on
    # the payable (credit-normal) until the bank pays them.
    bank = client.get(f"/funds/accounts/{programme.bank.code}/").content.decode()
    assert cells(bank, "running-balance")[-1:] == ["1,000,000.00"]
    payable = client.get("/funds/accounts/2202/").content.decode()
    assert cells(payable, "running-balance") == ["100.00", "300.00"]
    export = client.get("/funds/accounts/3103/?export=xlsx")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content))).get_sheet_by_index(0).to_python()
    )
    header = rows[0]
    balance = [r[header.index("余额")] for r in rows[1:]]
    assert balance == [1000000, 999900, 999700]


def test_running_balance_continues_across_pages(client, district):
    fund = books(district.root)["3105"]
    amounts = [Decimal(1000 + 37 * i) + Decimal("0.25") for i in range(23)]
    for i, amount in enumerate(amounts):
        donate(district, fund, str(amount), date(2026, 3, 1 + i), name=f"单位{i}")
    client.force_login(district.user("finance"))
    first = cells(client.get("/funds/accounts/3105/").content.decode(), "running-balance")
    second = cells(client.get("/funds/accounts/3105/?page=2").content.decode(), "running-balance")
    expected, running = [], Decimal("0.00")
    for amount in amounts:
        running += amount
        expected.append(f"{running:,.2f}")
    assert first == expected[:20] and second == expected[20:]
    assert second[-1] == "32,366.75"  # 23 × 1,000.25 + 37 × (0 + 1 + … + 22) = 23,005.75 + 9,361


def test_empty_trial_balance_says_there_is_nothing_yet(client, district):
    books(district.root)
    client.force_login(district.user("finance"))
    html = client.get("/funds/trial-balance/").content.decode()
    assert "尚无记账凭证" in html and "借贷平衡" not in html and 'data-testid="balanced"' not in html
    donate(district, books(district.root)["3105"], "500", date(2026, 5, 1))
    html = client.get("/funds/trial-balance/").content.decode()
    assert 'data-testid="balanced"' in html and "尚无记账凭证" not in html
    html = client.get("/funds/trial-balance/?end=2026-04-30").content.decode()  # before the first entry
    assert "截至 2026-04-30 尚无记账凭证" in html and 'data-testid="balanced"' not in html


def test_cycle_page_names_preparer_reviewer_and_each_approver(client, district, approver):  # noqa: F811
    chain = [{"name": "财务审核", "role": "finance"}, {"name": "分管领导审批", "role": "district_admin"}]
    programme = fund_programme(
        district=district.root,
        plugin_key=KEY,
        fund_code="3103",
        code="PG",
        params={"amounts": AMOUNTS},
        approval_chain=chain,
    )
    cycle = services.cycle_create(actor=district.user("finance"), programme=programme, period_key="2026")
    services.cycle_review(actor=district.user("finance"), cycle=cycle)
    services.cycle_approve(actor=approver, cycle=cycle)
    client.force_login(district.user("auditor"))
    html = client.get(f"/funds/cycles/{cycle.pk}/").content.decode()
    signers = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split('data-testid="signers"')[1].split("</dl>")[0]))
    assert "制单 finance" in signers and "复核 finance" in signers
    assert "财务审核（财务人员） finance2" in signers and "分管领导审批（区总工会管理员） 待审批" in signers
    assert signers.count("finance2") == 1
    services.cycle_approve(actor=district.user("admin"), cycle=cycle)
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.PAID
    html = client.get(f"/funds/cycles/{cycle.pk}/").content.decode()
    assert "待审批" not in html.split('data-testid="signers"')[1].split("</dl>")[0]


def test_payment_entries_name_the_programme_not_its_rule_key(client, district, approver):  # noqa: F811
    programme = fund_programme(
        district=district.root, plugin_key=KEY, fund_code="3103", code="PG", params={"amounts": AMOUNTS}
    )
    programme.name = "测试发放项目"
    programme.save()
    pay_cycle(district, approver, programme, "2026")
    entry = Payment.objects.first().entry
    assert entry.rule == "测试发放项目（PG）2020-01-01 起参数，2026 期"
    client.force_login(district.user("finance"))
    for url in ("/funds/entries/", f"/funds/entries/{entry.pk}/", f"/funds/programmes/{programme.code}/"):
        html = client.get(url).content.decode()
        assert KEY not in html, url
    assert "测试发放项目（PG）2020-01-01 起参数，2026 期" in client.get("/funds/entries/").content.decode()


def test_migration_rewrites_posted_payment_rules_only(district):
    programme = fund_programme(
        district=district.root, plugin_key=KEY, fund_code="3103", code="PG", params={"amounts": AMOUNTS}
    )
    acc = books(district.root)

    def post(rule: str):
        return services.entry_post(
            date=date(2026, 6, 1),
            description="旧凭证",
            lines=(Line(acc["3103"], debit=Decimal("1.00")), Line(programme.bank, credit=Decimal("1.00"))),
            organisation=district.root,
            prepared_by=None,
            rule=rule,
        )

    old = post(f"PG {KEY} 参数版本 2020-01-01 周期 2026-Q3")
    others = [post("捐赠收入"), post(f"XX {KEY} 参数版本 2020-01-01 周期 2026")]  # not a programme's code
    migration = importlib.import_module("funds.migrations.0004_payment_rule_names_the_programme")
    state = MigrationExecutor(connection).loader.project_state(("funds", "0004_payment_rule_names_the_programme"))
    migration.forwards(state.apps, None)
    rules = dict(JournalEntry.objects.values_list("pk", "rule"))
    assert rules[old.pk] == "PG（PG）2020-01-01 起参数，2026-Q3 期"
    assert [rules[e.pk] for e in others] == ["捐赠收入", f"XX {KEY} 参数版本 2020-01-01 周期 2026"]
