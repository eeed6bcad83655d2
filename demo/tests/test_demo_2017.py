"""The demo year 2017 reproduces the report's figures from its records (issue 15, item 3).

One build for the module (about half a minute), in a transaction rolled back at the module's end;
each test reads it. Every figure is read through the domains' selectors (``demo.report2017``) and
checked against the report, and against the rows it is made of.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings

from assistance.models import HardshipFile
from conftest import TEST_DATA_KEY, TEST_HASHERS
from core.models import User
from demo import report2017, year2017
from funds.models import Account, BatchLine, Cycle, CycleApproval, JournalEntry, JournalLine, PayeeAccount, Payment
from funds.selectors import account_balance
from members import demo as members_demo
from orgs import demo as orgs_demo
from orgs.models import Organisation


@dataclass
class Built:
    district: Organisation
    admin: User
    line: str
    seconds: float


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Built]:
    media = tmp_path_factory.mktemp("demo-2017-media")
    with (
        django_db_blocker.unblock(),
        override_settings(GONGHUI_DATA_KEY=TEST_DATA_KEY, PASSWORD_HASHERS=TEST_HASHERS, MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        district = orgs_demo.build_tree()
        orgs_demo.build_accounts()
        members_demo.build({"members": 600})
        started = time.perf_counter()
        line = year2017.build({})
        seconds = time.perf_counter() - started
        yield Built(district, User.objects.get(username="admin"), line, seconds)
        transaction.set_rollback(True)


@pytest.fixture
def figures(built, db) -> dict:
    return report2017.measure(built.admin, built.district)


@pytest.mark.parametrize("figure", report2017.FIGURES, ids=lambda f: f.key)
def test_each_report_figure_is_reproduced(built, figures, figure):
    value = figures[figure.key]
    assert figure.holds(value), f"{figure.label}: {value} {figure.unit}, report: {figure.relation} {figure.expected}"


def test_exact_values_where_the_report_rounds(figures):
    # "15余万元" and "6200余名" are the report's roundings of the demo's exact records
    assert figures["donation_yuan"] == Decimal("153000.00")
    assert figures["competition_participants"] == year2017.COMPETITION_PARTICIPANTS
    assert figures["startup_per_member"] == Decimal("200.00")


def test_each_figure_equals_its_rows(built, figures, db):
    r = report2017.rows(built.admin, built.district)

    def total(qs, field: str = "amount") -> Decimal:
        return sum((getattr(row, field) for row in qs), Decimal("0.00"))

    assert figures["startup_unions"] == len({p.beneficiary_org_id for p in r["startup"]}) == r["startup"].count()
    assert figures["startup_yuan"] == total(r["startup"])
    members = sum(int(p.entitlement.inputs["members"]) for p in r["startup"].select_related("entitlement"))
    assert members == year2017.FOUNDING_MEMBERS
    assert figures["allowance_yuan"] == total(r["allowance"])
    assert r["allowance"].count() * Decimal("200.00") == figures["allowance_yuan"]  # 1,236 person-months
    assert figures["relief_people"] == len({a.person_id for a in r["relief"]}) == r["relief"].count()
    assert figures["relief_yuan"] == total(r["relief"])
    assert figures["donation_donors"] == len({d.donor_name for d in r["donations"]}) == r["donations"].count()
    assert figures["donation_yuan"] == total(r["donations"])
    assert figures["scholarship_children"] == r["scholarships"].count()
    assert figures["scholarship_yuan"] == total(r["scholarships"])
    assert figures["competitions"] == r["competitions"].count()
    assert figures["competition_participants"] == sum(a.participants for a in r["competitions"])
    assert figures["pilot_unions"] == len({p.beneficiary_org_id for p in r["pilots"]})


def test_money_moved_through_the_ledger_in_2017(built, db):
    """Every 2017 payment is a journal entry dated in 2017, from a cycle that was approved by
    someone other than who prepared it."""
    payments = Payment.objects.filter(entry__date__year=2017).select_related("entry", "cycle")
    assert payments.exists()
    for p in payments:
        assert p.paid_at.year == 2017 and p.entry.date.year == 2017
    cycles = Cycle.objects.filter(payments__in=payments).distinct()
    for cycle in cycles:
        signers = set(CycleApproval.objects.filter(cycle=cycle, voided_at__isnull=True).values_list("user", flat=True))
        assert signers and cycle.prepared_by_id not in signers
    assert JournalEntry.objects.filter(date__year=2017, period__code__startswith="2017-").count() >= payments.count()


def test_every_2017_payment_was_confirmed_by_the_bank(built, db):
    """As the finance office did: each payee's account entered by finance and verified by the district
    (two people, in 2017), each payment in a batch sent on its approval day, the bank's answer
    imported a few days later, all successful."""
    payments = Payment.objects.filter(entry__date__year=2017)
    assert payments.exists()
    assert set(payments.values_list("status", flat=True)) == {Payment.Status.CONFIRMED}
    lines = BatchLine.objects.filter(payment__in=payments, active=True).select_related("batch", "account", "payment")
    assert lines.count() == payments.count()  # one sent line each
    for ln in lines:
        sent = ln.batch.sent_at.date()
        assert ln.result == BatchLine.Result.CONFIRMED and ln.batch.state == "reconciled"
        assert sent == ln.payment.entry.date  # sent on the day the cycle was approved
        assert timedelta(days=1) <= ln.answered_at.date() - sent <= timedelta(days=5)
        assert ln.answered_at.year == 2017 and ln.payment.settle_entry.date == ln.answered_at.date()
        assert ln.batch.sent_by.username == "caiwu"
        acc = ln.account
        assert acc.status == PayeeAccount.Status.VERIFIED and acc.owner_key == ln.payment.beneficiary_key
        assert acc.entered_by_id != acc.verified_by_id
        assert (acc.entered_by.username, acc.verified_by.username) == ("caiwu", "admin")
        assert acc.valid_from.year == 2017 and acc.verified_at.date() <= sent
    imports = {ln.answered_in for ln in lines}
    assert all(i.returned == 0 and i.problems == [] and i.confirmed == i.lines for i in imports)


def test_the_payable_carries_nothing_from_2017_and_the_bank_paid_what_it_confirmed(built, figures, db):
    year = {"start": date(2017, 1, 1), "end": date(2017, 12, 31)}
    payable, bank = Account.objects.get(code="2202"), Account.objects.get(code="1002")
    assert account_balance(payable, **year) == 0
    assert account_balance(payable, end=date(2017, 12, 31)) == 0
    confirmed = Payment.objects.filter(entry__date__year=2017, status=Payment.Status.CONFIRMED)
    paid = confirmed.aggregate(s=Sum("amount"))["s"]
    joint_budget = next(Decimal(a) for code, a, _ in year2017.BUDGETS_2017 if code == "3103")
    joint = joint_budget - account_balance(Account.objects.get(code="3103"), start=date(2017, 1, 1))
    report = ("startup_yuan", "allowance_yuan", "relief_yuan", "scholarship_yuan")
    assert paid == sum(figures[k] for k in report) + joint  # the report's payouts and the pilot's quarters
    out = JournalLine.objects.filter(account=bank, entry__date__year=2017).aggregate(d=Sum("debit"), c=Sum("credit"))
    assert out["c"] == paid  # money left the bank only as the bank confirmed
    budgets = sum(Decimal(amount) for _, amount, _ in year2017.BUDGETS_2017)
    donations = sum(Decimal(amount) for _, amount in year2017.DONATIONS_2017)
    assert out["d"] == budgets + donations
    assert account_balance(bank, **year) == budgets + donations - paid


def test_the_ledger_agrees_with_the_figures(built, figures, db):
    """Each fund's 2017 movement (funds.selectors) is its budget or donations less the figure paid from it."""
    start, end = report2017.START, report2017.END

    def moved(code: str) -> Decimal:
        return account_balance(Account.objects.get(code=code), start=start, end=end)

    budgets = {code: Decimal(amount) for code, amount, _ in year2017.BUDGETS_2017}
    assert moved("3101") == budgets["3101"] - figures["startup_yuan"]
    assert moved("3104") == budgets["3104"] - figures["allowance_yuan"]
    assert moved("3106") == budgets["3106"] - figures["scholarship_yuan"]
    assert moved("3105") == figures["donation_yuan"] - figures["relief_yuan"]


def test_the_year_leaves_no_file_open_and_is_not_built_twice(built, db):
    assert not HardshipFile.objects.filter(situation__startswith=year2017.MARK).exclude(state="exited").exists()
    before = Payment.objects.count()
    assert "跳过" in year2017.build({})
    assert Payment.objects.count() == before


def test_the_step_reports_what_it_entered(built):
    print(f"2017 history built in {built.seconds:.1f} s: {built.line}")  # the timing is bench/demo_2017.py's
    assert "新建工会启动经费 73 家 309,800.00 元" in built.line
    assert "大病救助 11 人；金秋助学 46 人；技能竞赛 51 场；联合工会试点 6 家" in built.line


# --- the work report (dashboard) reproduces the report, sentence by sentence (issue 15, "What must be shown")

# Each of the report's figures as the generated work report must state it: the figure keys of
# ``report2017.FIGURES`` it covers, and the sentence (the report's wording, dashboard.report's template).
REPORT_SENTENCES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("startup_unions", "startup_yuan"), "截至10月31日，已经为73家新建单位发放建会专项基金，共计30.98万元。"),
    (("allowance_yuan",), "向纳入工会帮扶系统的困难职工按月发放生活补助，累计发放24.72万元。"),
    (("relief_people", "relief_yuan"), "通过职工专项温暖基金救助了11名大病职工，救助金额72630元。"),
    (("donation_donors", "donation_yuan"), "职工专项温暖基金已收到来自10家单位及个人共计15余万元的捐款。"),
    (("scholarship_children", "scholarship_yuan"), "为46名困难职工子女发放金秋助学金14.97万元。"),
    (("competitions", "competition_participants"), "基层工会举办技能大赛51场，共有6200余名职工参加。"),
    (("pilot_unions", "pilot_towns", "pilot_streets"), "在2个镇、1个街道的6家村（社区）联合工会实行“三补贴三挂钩”"),
)

# The work report's placeholder (dashboard.figures key) of each report figure, and how the figure is
# measured on the rows its link lists (as dashboard/tests/test_figures.py measures them).
REPORT_KEYS: dict[str, tuple[str, str]] = {
    "startup_unions": ("grants.count", "rows"),
    "startup_yuan": ("grants.yuan", "sum:amount"),
    "allowance_yuan": ("allowance.yuan", "sum:amount"),
    "relief_people": ("relief.people", "distinct:person"),
    "relief_yuan": ("relief.yuan", "sum:amount"),
    "donation_donors": ("donations.donors", "distinct:donor_name"),
    "donation_yuan": ("donations.yuan", "sum:amount"),
    "scholarship_children": ("scholarship.count", "rows"),
    "scholarship_yuan": ("scholarship.yuan", "sum:amount"),
    "competitions": ("competitions.count", "rows"),
    "competition_participants": ("competitions.people", "sum:participants"),
    "pilot_unions": ("pilots.unions", "distinct:beneficiary_org"),
    "pilot_towns": ("pilots.towns", "towns"),
    "pilot_streets": ("pilots.streets", "streets"),
}
REPORT_QUERY = {"subtree": report2017.DISTRICT, "kind": "range", "start": "2017-01-01", "end": "2017-10-31"}


def _work_report_texts(tmp_path) -> dict[str, str]:
    import io as _io
    from contextlib import redirect_stdout

    from django.core.management import call_command
    from docx import Document

    args = ["work_report", "--org", report2017.DISTRICT, "--from", "2017-01-01", "--to", "2017-10-31"]
    out = _io.StringIO()
    with redirect_stdout(out):
        call_command(*args, stdout=out)
    target = tmp_path / "report-2017.docx"
    call_command(*args, "--format", "docx", "-o", str(target))
    docx = "\n".join(p.text for p in Document(str(target)).paragraphs)
    return {"txt": out.getvalue(), "docx": docx}


def test_the_work_report_states_each_figure_of_the_report(built, figures, db, tmp_path):
    """``manage.py work_report`` for the district and 2017-01-01..2017-10-31, as txt and as docx (read
    back with python-docx): every figure of the report is in its sentence, written as the report writes it."""
    covered = {key for keys, _ in REPORT_SENTENCES for key in keys}
    assert covered | {"startup_per_member"} == {f.key for f in report2017.FIGURES}
    texts = _work_report_texts(tmp_path)
    for fmt, text in texts.items():
        assert text.splitlines()[0].endswith("工作简报"), fmt
        assert "（2017年1月1日至2017年10月31日）" in text, fmt
        for keys, sentence in REPORT_SENTENCES:
            assert sentence in text, f"{fmt}: {sentence!r} not in the report ({[figures[k] for k in keys]})"
    for figure in report2017.FIGURES:  # and the sentences' figures are the report's (report2017.FIGURES)
        assert figure.holds(figures[figure.key]), figure.key


def test_each_work_report_figure_equals_its_drill_down_rows(built, figures, db, client):
    """The HTML work report: each figure's link opens the list of its rows; the rows it lists count or
    sum to the figure, and the figure is the one ``report2017.measure`` reads from the domains."""
    import html
    import re

    from django.db.models import Count, Sum
    from django.urls import reverse

    client.force_login(built.admin)
    page = client.get(reverse("dashboard:report"), REPORT_QUERY)
    assert page.status_code == 200
    anchors = re.findall(r'<a href="([^"]+)" data-figure="([a-z_.]+)"', page.content.decode())
    links = {key: html.unescape(href) for href, key in anchors}
    for key, (placeholder, how) in REPORT_KEYS.items():
        assert placeholder in links, placeholder
        url = links[placeholder]
        response = client.get(url)
        assert response.status_code == 200, url
        rows = response.context["table"].data.data
        if how == "rows":
            value = rows.count()
        elif how in ("towns", "streets"):
            kind = Organisation.Kind.TOWN if how == "towns" else Organisation.Kind.STREET
            paths = {p[:8] for p in rows.values_list("beneficiary_org__path", flat=True)}
            value = Organisation.objects.filter(path__in=paths, kind=kind).count()
        else:
            agg, _, field = how.partition(":")
            if agg == "sum":
                value = rows.aggregate(s=Sum(field))["s"]
            else:
                value = rows.aggregate(n=Count(field, distinct=True))["n"]
        assert value == figures[key], f"{key}: the rows of {url} give {value}, the figure is {figures[key]}"
