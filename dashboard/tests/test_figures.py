"""The leadership dashboard (issue 15 item 1): every figure equals the rows its drill-down link opens,
for the district and for a town, and the scope holds (a town leader cannot pick another town; a
worker is refused)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from activities.tests.factories import competition
from appeals.tests.factories import make_appeal
from dashboard.figures import Period, board, is_figure_key
from funds.testing import add_members
from orgs.models import Organisation
from orgs.services import organisation_create
from orgs.testing import count_queries, load_budgets

pytestmark = pytest.mark.django_db
K = Organisation.Kind
TODAY = timezone.localdate()
YEAR = Period(date(TODAY.year, 1, 1), TODAY)

# How each figure is measured on the rows of its drill-down list: the number of rows, or a sum or a
# distinct count over them. Rates and shares link to the rates / coverage page and are not sums.
MEASURE = {
    "orgs.grassroots": "rows",
    "orgs.new": "rows",
    "members.active": "rows",
    "members.joined": "rows",
    "events.count": "rows",
    "events.people": "sum:participants",
    "competitions.count": "rows",
    "competitions.people": "sum:participants",
    "appeals.total": "rows",
    "appeals.overdue": "rows",
    "cadres.count": "rows",
    "cadres.trained": "rows",
    "cadres.untrained": "rows",
    "grants.count": "rows",
    "grants.yuan": "sum:amount",
    "allowance.files": "distinct:file",
    "allowance.yuan": "sum:amount",
    "relief.people": "distinct:person",
    "relief.yuan": "sum:amount",
    "scholarship.count": "rows",
    "scholarship.yuan": "sum:amount",
    "donations.donors": "distinct:donor_name",
    "donations.yuan": "sum:amount",
    "files.active": "rows",
    "files.opened": "rows",
    "files.exited": "rows",
    "assessment.assessed": "rows",
    "assessment.passed": "rows",
    "assessment.failed": "rows",
    "pilots.unions": "distinct:beneficiary_org",
    "pilots.yuan": "sum:amount",
    "reform.tasks": "rows",
    "reform.overdue": "rows",
}
NOT_ROWS = {"appeals.response", "appeals.resolution", "appeals.satisfaction", "cadres.share"}
NOT_ROWS |= {"funds.total"}  # the sum of the funds' figures (checked below), each the sum of its ledger lines
NOT_ROWS |= {"pilots.towns", "pilots.streets"}  # the towns of the paid unions: counted from the same rows below


def measured(client, url: str, how: str):
    response = client.get(url)
    assert response.status_code == 200, url
    if how == "ledger":  # a fund's statement up to the period's end: its lines, in the fund's direction
        account, rows = response.context["account"], response.context["st"].lines
        debit = sum((line.debit for line in rows), Decimal("0.00"))
        credit = sum((line.credit for line in rows), Decimal("0.00"))
        return debit - credit if account.debit_normal else credit - debit
    rows = response.context["table"].data.data
    if how == "rows":
        return rows.count()
    kind, _, field = how.partition(":")
    if kind == "sum":
        return rows.aggregate(s=Sum(field))["s"] or (Decimal("0.00") if field == "amount" else 0)
    return rows.aggregate(n=Count(field, distinct=True))["n"]


@pytest.mark.parametrize("who,root", [("admin", "root"), ("town_a", "town_a"), ("admin", "town_a")])
def test_every_figure_is_the_rows_behind_it(world, client, who, root):
    user = world.user(who)
    org = getattr(world, root)
    client.force_login(user)
    b = board(user, org, YEAR)
    figures = b.by_key
    assert all(is_figure_key(key) for key in figures)
    checked = 0
    for key, fig in figures.items():
        if key in NOT_ROWS or not fig.url:
            continue
        how = "ledger" if key.startswith("funds.") else MEASURE[key]
        assert measured(client, fig.url, how) == fig.value, key
        checked += 1
    funds = [f for k, f in figures.items() if k.startswith("funds.") and k != "funds.total"]
    if "funds.total" in figures:
        assert figures["funds.total"].value == sum((f.value for f in funds), Decimal("0.00"))
    assert checked >= 15
    # The figures that matter here are not all zero: the rows behind them exist.
    if org == world.town_a:
        assert figures["grants.count"].value == 2 and figures["grants.yuan"].value == Decimal("6300.00")
        assert figures["competitions.count"].value == 2  # the town's own is not a grassroots union's
        assert figures["competitions.people"].value == 65
    else:
        assert figures["grants.count"].value == 3 and figures["grants.yuan"].value == Decimal("7500.00")
        assert figures["competitions.count"].value == 3
        assert figures["appeals.total"].value == 2


def test_chart_segments_are_the_rows_behind_them(world, client):
    from dashboard.charts import charts

    admin = world.user("admin")
    client.force_login(admin)
    got = {c.key: c for c in charts(admin, world.root, YEAR)}
    assert {"joined", "compare", "payouts", "events"} <= set(got)
    compare = {p.label: p for p in got["compare"].points}
    assert compare["仁和镇总工会"].value == 12 + 30 + 5
    assert measured(client, compare["仁和镇总工会"].url, "rows") == 47
    (payout,) = got["payouts"].points
    assert payout.value == Decimal("7500.00") and measured(client, payout.url, "sum:amount") == payout.value
    month = got["joined"].points[0]
    assert month.value == 50 and measured(client, month.url, "rows") == 50
    for p in got["events"].points:
        assert measured(client, p.url, "rows") == p.value
    # a town: the payouts of its organisations and of its members' persons, summed apart and added
    (town_payout,) = next(c for c in charts(admin, world.town_a, YEAR) if c.key == "payouts").points
    assert town_payout.value == Decimal("6300.00") == measured(client, town_payout.url, "sum:amount")


def test_page_shows_figures_charts_and_tables(world, client):
    client.force_login(world.user("admin"))
    response = client.get(reverse("dashboard:leader"), {"subtree": "T-A", "kind": "year", "year": TODAY.year})
    assert response.status_code == 200
    html = response.content.decode()
    assert "领导驾驶舱 · 仁和镇总工会" in html
    assert 'data-testid="figure-grants.count"' in html and "vendor/echarts/echarts.min.js" in html
    assert 'data-testid="chart-table-compare"' in html and "<caption" in html
    assert 'data-testid="side-node-T-B"' in html  # the district sees the other town in its tree


def test_export_is_the_figures(world, client):
    from python_calamine import CalamineWorkbook

    client.force_login(world.user("admin"))
    response = client.get(reverse("dashboard:leader"), {"subtree": "T-A", "export": "xlsx"})
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(__import__("io").BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["项目", "指标", "数值", "单位", "说明"]
    assert ["经费保障", "建会专项基金", 6300.0, "元", ""] in rows


def test_scope_refusals(world, client):
    url = reverse("dashboard:leader")
    client.force_login(world.user("town_a"))
    assert client.get(url, {"subtree": "T-B"}).status_code == 404  # another town
    assert client.get(url, {"subtree": "T"}).status_code == 404  # the district above
    assert client.get(url, {"subtree": "9" * 30}).status_code == 404
    page = client.get(url)
    assert page.status_code == 200 and page.context["root"] == world.town_a
    assert 'data-testid="side-node-T-B"' not in page.content.decode()
    assert client.get(reverse("dashboard:report"), {"subtree": "T-B"}).status_code == 404
    client.force_login(world.user("worker_a"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("dashboard:report")).status_code == 403
    client.force_login(world.user("nobody"))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "month", "year": "0", "month": "1"},
        {"kind": "month", "year": "2026", "month": "13"},
        {"kind": "quarter", "year": "2026"},
        {"kind": "range", "start": "2026-05-01", "end": "2026-01-01"},
        {"kind": "range", "start": "NaN", "end": "2026-01-01"},
        {"kind": "decade"},
        {"kind": "year", "year": "9" * 30},
    ],
)
def test_bad_period_is_a_chinese_message_and_no_figures(world, client, params):
    client.force_login(world.user("admin"))
    response = client.get(reverse("dashboard:leader"), params)
    assert response.status_code == 200
    assert "board" not in response.context
    assert response.context["form"].errors


def test_a_chair_sees_only_their_union(world, client):
    client.force_login(world.user("chair_a"))
    response = client.get(reverse("dashboard:leader"))
    assert response.status_code == 200 and response.context["root"] == world.union_a
    assert response.context["board"].by_key["members.active"].value == 5


def test_groups_follow_the_actions_held(world, client):
    client.force_login(world.user("econ"))  # 经济技术部: organisations, members, activities; no money
    figures = client.get(reverse("dashboard:leader")).context["board"].by_key
    assert "competitions.count" in figures
    assert "grants.count" not in figures and "relief.yuan" not in figures  # left out, never shown as zero


BUDGETS = load_budgets(__file__)


@pytest.mark.parametrize("who,code", [("admin", "T"), ("admin", "T-A"), ("town_a", "T-A"), ("econ", "T")])
def test_leader_query_budget_constant(world, client, who, code):
    """The page costs the same queries whatever the data: more unions, members, events and requests
    change nothing (the bench checks the same at 300,000 members)."""
    client.force_login(world.user(who))
    url = f"{reverse('dashboard:leader')}?subtree={code}&kind=year&year={TODAY.year}"
    client.get(url)
    counts = []
    for round_ in range(2):
        union = organisation_create(
            actor=None, parent=world.town_a, code=f"QB-{round_}", name=f"预算工会{round_}", kind=K.ENTERPRISE
        )
        add_members(union, 7, joined_on=date(TODAY.year, 1, 3))
        make_appeal(world, org=union)
        a = competition(world, organisation=union)
        Activity.objects.filter(pk=a.pk).update(state=Activity.State.REVIEWED, participants=9)
        n, response = count_queries(client, url)
        assert response.status_code == 200
        counts.append(n)
    assert counts[0] == counts[1] <= BUDGETS["leader"], (who, code, counts)


def test_fund_balances_assessment_ranks_and_files_opened_and_exited(world, client):
    """The figures added for issue 15 item 1 beyond the first cut, with rows behind them: each special
    fund's balance from the ledger, the published assessment of the period's year, the hardship files
    opened (建档) and exited (脱困) in the period — each equal to the rows its link lists."""
    from assessment.tests.factories import joint_set, publish, score_both, small_world
    from assistance.models import HardshipFile
    from assistance.tests.allowance_helpers import person
    from assistance.tests.factories import hardship_file
    from funds.models import Account
    from funds.selectors import account_balance

    year = Period(date(2026, 1, 1), date(2026, 12, 31))  # the assessment factories' year
    S = HardshipFile.State
    hardship_file(person(world), approved_on=date(2026, 2, 1))  # opened in the period
    hardship_file(person(world), approved_on=date(2026, 3, 1), state=S.EXITED, exited_on=date(2026, 6, 30))
    hardship_file(person(world), approved_on=date(2025, 3, 1), state=S.EXITED, exited_on=date(2026, 1, 31))
    hardship_file(person(world), approved_on=date(2024, 3, 1))  # neither: opened before, still active
    small_world(world)
    indicator_set = joint_set(world)
    score_both(world, indicator_set)
    publish(world, indicator_set)
    admin = world.user("admin")
    client.force_login(admin)
    figures = board(admin, world.root, year).by_key
    assert figures["files.opened"].value == 2 and figures["files.exited"].value == 2
    results = indicator_set.assessments.get().results.filter(social_worker__isnull=True)
    assert figures["assessment.assessed"].value == results.count() >= 2
    assert figures["assessment.passed"].value == results.filter(passed=True).count()
    assert figures["assessment.failed"].value == results.filter(passed=False).count() >= 1
    first = results.order_by("rank").first().organisation.name
    assert figures["assessment.assessed"].note.startswith(f"前三名：{first}")
    funds = {k: f for k, f in figures.items() if k.startswith("funds.") and k != "funds.total"}
    assert "funds.3101" in funds
    for key, fig in funds.items():
        account = Account.objects.get(code=key.removeprefix("funds."))
        assert account.is_fund and fig.value == account_balance(account, end=year.end)
        assert measured(client, fig.url, "ledger") == fig.value
    for key in ("files.opened", "files.exited", "assessment.assessed", "assessment.passed", "assessment.failed"):
        assert measured(client, figures[key].url, MEASURE[key]) == figures[key].value, key
    # a town has no funds of its own, and sees only its unions' results
    town = board(world.user("town_a"), world.town_a, year).by_key
    assert not [k for k in town if k.startswith("funds.") and k != "funds.total"]
    assert town["assessment.assessed"].value == results.filter(organisation__path__startswith=world.town_a.path).count()


@pytest.mark.parametrize(
    "url",
    [
        "/assistance/files/?approved_from=NaN",
        "/assistance/files/?exited_to=0000-01-01&exited_from=2026-13-40",
        "/assessment/?subtree=" + "9" * 30,
        "/assessment/?year=0&unions=true&subtree=T-B",
        "/funds/accounts/3101/?end=NaN",
    ],
)
def test_the_new_drill_down_filters_refuse_bad_input_in_chinese(world, client, url):
    client.force_login(world.user("admin"))
    response = client.get(url)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        shown = [str(m) for m in response.context["messages"]]
        table = response.context.get("table")
        rows = table.data.data.count() if table is not None else response.context["st"].lines.count()
        assert shown and all("有误" in m or "无效" in m or "不" in m for m in shown), shown
        assert rows == 0
