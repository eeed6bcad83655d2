from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from conftest import make_user
from funds import services, tasks
from funds.models import Cycle, Donation, Payment
from funds.testing import books, fund_programme
from funds.tests.plugin import KEY
from orgs.roles import Perm, Role
from orgs.services import role_grant
from orgs.testing import (
    API_DETAIL,
    API_LIST,
    DETAIL,
    EXPORT,
    LIST,
    ScopedRoute,
    check_route,
    count_queries,
    load_budgets,
)

pytestmark = pytest.mark.django_db
AMOUNTS = {"T-A-1": "100.00", "T-B-1": "200.00"}


@pytest.fixture
def approver(district):
    user = make_user("finance2")
    role_grant(actor=None, user=user, role=Role.FINANCE, organisation=district.root)
    return user


def pay_cycle(district, approver, programme, key):
    cycle = services.cycle_create(actor=district.user("finance"), programme=programme, period_key=key)
    services.cycle_review(actor=district.user("finance"), cycle=cycle)
    return services.cycle_approve(actor=approver, cycle=cycle)


@pytest.fixture
def paid(district, approver):
    programme = fund_programme(
        district=district.root, plugin_key=KEY, fund_code="3103", code="PG", params={"amounts": AMOUNTS}
    )
    cycle = pay_cycle(district, approver, programme, "2026")
    a = Payment.objects.get(cycle=cycle, beneficiary_org=district.union_a)
    b = Payment.objects.get(cycle=cycle, beneficiary_org=district.union_b)
    return a, b


ROUTES = [
    ScopedRoute("payment list", LIST, Perm.FUND_VIEW, lambda p: "/funds/payments/", lambda p: p.beneficiary_name),
    ScopedRoute(
        "payment export", EXPORT, Perm.FUND_VIEW, lambda p: "/funds/payments/?export=xlsx", lambda p: p.beneficiary_name
    ),
    ScopedRoute("entry list", LIST, Perm.FUND_VIEW, lambda p: "/funds/entries/", lambda p: p.entry.number),
    ScopedRoute("entry detail", DETAIL, Perm.FUND_VIEW, lambda p: f"/funds/entries/{p.entry_id}/"),
    ScopedRoute("grant list", LIST, Perm.FUND_VIEW, lambda p: "/programmes/grants/", lambda p: p.beneficiary_name),
    ScopedRoute(
        "api payments", API_LIST, Perm.FUND_VIEW, lambda p: "/api/v1/funds/payments/", lambda p: p.beneficiary_name
    ),
    ScopedRoute("api payment", API_DETAIL, Perm.FUND_VIEW, lambda p: f"/api/v1/funds/payments/{p.pk}/"),
    ScopedRoute(
        "api entitlements",
        API_LIST,
        Perm.FUND_VIEW,
        lambda p: "/api/v1/funds/entitlements/",
        lambda p: p.entitlement.explanation,
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_scope_matrix(client, district, paid, route, monkeypatch):
    a, b = paid
    if route.name == "grant list":  # the start-up grant page lists that plug-in's payments only
        monkeypatch.setattr("programmes.selectors.StartupGrant.key", KEY)
    inside = {"admin": a, "rights": b, "finance": a, "auditor": b, "town_a": a, "town_b": b, "chair_a": a,
              "org_dept": a, "econ": a, "social_a": a, "women": a, "worker_a": a}  # fmt: skip
    outside = {"town_a": b, "town_b": a, "chair_a": b}
    assert check_route(client, district, route, inside=inside, outside=outside) == []


def test_district_level_pages_hidden_from_unions(client, district, paid):
    a, _ = paid
    cycle = a.cycle
    for key, expected in (("finance", 200), ("auditor", 200), ("chair_a", 404), ("town_a", 404)):
        client.force_login(district.user(key))
        assert client.get(f"/funds/cycles/{cycle.pk}/").status_code == expected, key
        assert client.get("/funds/accounts/3103/").status_code == expected, key
        export = client.get("/funds/cycles/?export=xlsx")
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content))).get_sheet_by_index(0)
        assert (len(sheet.to_python()) == 2) == (expected == 200), key  # header + the cycle, or header only
    client.force_login(district.user("nobody"))
    for url in ("/funds/", "/funds/accounts/", "/funds/payments/", "/funds/donations/", "/api/v1/funds/payments/"):
        assert client.get(url).status_code == 403, url


def test_auditor_changes_nothing(client, district, approver):
    programme = fund_programme(
        district=district.root, plugin_key=KEY, fund_code="3103", code="AU", params={"amounts": AMOUNTS}
    )
    cycle = services.cycle_create(actor=district.user("finance"), programme=programme, period_key="2026")
    services.cycle_review(actor=district.user("finance"), cycle=cycle)
    client.force_login(district.user("auditor"))
    assert client.post(f"/funds/cycles/{cycle.pk}/approve/").status_code == 403
    assert client.get("/funds/donations/new/").status_code == 403
    assert client.get("/funds/allocations/new/").status_code == 403
    assert (
        client.post(f"/funds/programmes/{programme.code}/", {"action": "cycle", "period_key": "2027"}).status_code
        == 403
    )
    entry = programme.fund.lines.first().entry
    assert client.post(f"/funds/entries/{entry.pk}/", {"reason": "x", "on": "2026-06-01"}).status_code == 403
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.REVIEWED and Payment.objects.count() == 0


def test_finance_runs_a_cycle_through_the_pages(client, district, approver):
    programme = fund_programme(
        district=district.root, plugin_key=KEY, fund_code="3103", code="UI", params={"amounts": AMOUNTS}
    )
    client.force_login(district.user("finance"))
    r = client.post(f"/funds/programmes/{programme.code}/", {"action": "cycle", "period_key": "2026"})
    cycle = Cycle.objects.get(programme=programme)
    assert r.status_code == 302 and cycle.state == Cycle.State.COMPUTED
    page = client.get(f"/funds/cycles/{cycle.pk}/").content.decode()
    assert "T-A-1 固定 100.00 元" in page
    e = cycle.entitlements.get(beneficiary_org=district.union_a)
    r = client.post(f"/funds/entitlements/{e.pk}/adjust/", {"amount": "90", "reason": ""})
    assert "调整理由" in r.content.decode() and r.status_code == 200
    client.post(f"/funds/entitlements/{e.pk}/adjust/", {"amount": "90", "reason": "核减"})
    client.post(f"/funds/cycles/{cycle.pk}/review/")
    r = client.post(f"/funds/cycles/{cycle.pk}/approve/", follow=True)
    assert "审批人不能是制单人" in r.content.decode()
    client.force_login(approver)
    client.post(f"/funds/cycles/{cycle.pk}/approve/")
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.PAID
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [Decimal("90.00"), Decimal("200.00")]
    r = client.get(f"/funds/payments/?cycle={cycle.pk}&export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    tb = client.get("/funds/trial-balance/").content.decode()
    assert "借贷平衡" in tb


def test_bad_inputs_give_messages_not_errors(client, district):
    books(district.root)
    client.force_login(district.user("finance"))
    r = client.post(
        "/funds/donations/new/",
        {"donor_kind": "unit", "donor_name": "某公司", "amount": "abc", "received_on": "2026-05-01", "fund": ""},
    )
    assert r.status_code == 200 and "金额无效" in r.content.decode()
    assert Donation.objects.count() == 0
    assert client.get("/funds/accounts/?type=zzz").status_code == 200
    assert client.get("/funds/entries/?date_from=notadate").status_code == 200
    assert client.get("/funds/accounts/3105/?start=bad").status_code == 200


def test_donation_pages(client, district):
    acc = books(district.root)
    client.force_login(district.user("finance"))
    r = client.post(
        "/funds/donations/new/",
        {
            "donor_kind": "unit",
            "donor_name": "北京顺鑫物流有限公司",
            "amount": "20,000",
            "received_on": "2026-05-01",
            "fund": acc["3105"].pk,
        },
    )
    d = Donation.objects.get()
    assert r.status_code == 302 and d.amount == Decimal("20000.00")
    receipt = client.get(f"/funds/donations/{d.pk}/receipt/").content.decode()
    assert "2026-00001" in receipt and "20,000.00" in receipt
    assert "北京顺鑫物流有限公司" in client.get("/funds/donations/").content.decode()
    client.force_login(district.user("chair_a"))
    assert client.get(f"/funds/donations/{d.pk}/receipt/").status_code == 404


BUDGETS = load_budgets(__file__)
# the bank pages' budgets are measured with their own world, in test_bank_pages.py
BANK_PAGES = {"bank_batches", "bank_batch_detail", "bank_accounts", "bank_missing", "bank_returned"}
BANK_PAGES |= {"api_bank_batches", "api_payee_accounts"}


@pytest.mark.parametrize("key", sorted(set(BUDGETS) - BANK_PAGES))
def test_query_budget_constant(client, district, approver, key):
    programme = fund_programme(
        district=district.root, plugin_key=KEY, fund_code="3103", code="QB", params={"amounts": AMOUNTS}
    )
    acc = books(district.root)
    first = pay_cycle(district, approver, programme, "2026")
    urls = {
        "accounts": "/funds/accounts/",
        "account_detail": "/funds/accounts/3103/",
        "trial_balance": "/funds/trial-balance/",
        "entries": "/funds/entries/",
        "entry_detail": f"/funds/entries/{Payment.objects.first().entry_id}/",
        "payments": "/funds/payments/",
        "donations": "/funds/donations/",
        "programmes": "/funds/",
        "programme_detail": f"/funds/programmes/{programme.code}/",
        "cycle_detail": f"/funds/cycles/{first.pk}/",
        "cycles": "/funds/cycles/",
        "grants": "/programmes/grants/",
        "dues": "/programmes/dues/",
        "api_payments": "/api/v1/funds/payments/",
        "api_entries": "/api/v1/funds/entries/",
        "api_entitlements": "/api/v1/funds/entitlements/",
    }
    client.force_login(district.user("finance"))
    counts = []
    for round_ in range(2):
        for year in range(2027 + 3 * round_, 2030 + 3 * round_):
            pay_cycle(district, approver, programme, str(year))
            services.donation_register(
                actor=district.user("finance"),
                donor_kind="unit",
                donor_name=f"单位{year}",
                amount="10",
                received_on=date(2026, 5, 1),
                fund=acc["3105"],
            )
        n, response = count_queries(client, urls[key])
        assert response.status_code == 200
        counts.append(n)
    assert counts[0] == counts[1] <= BUDGETS[key], counts


def test_api_statement_and_trial_balance(client, district, paid):
    client.force_login(district.user("auditor"))
    st = client.get("/api/v1/funds/accounts/3103/statement/?start=2026-01-01").json()
    assert st["opening"] == "0.00" and st["closing"] == "999700.00" and len(st["results"]) == 3
    assert client.get("/api/v1/funds/accounts/3103/statement/?start=bad").status_code == 400
    tb = client.get("/api/v1/funds/trial-balance/").json()
    assert tb["balanced"] is True and tb["debit"] == tb["credit"]
    client.force_login(district.user("chair_a"))
    assert client.get("/api/v1/funds/accounts/3103/statement/").status_code == 404
    assert client.get("/api/v1/funds/trial-balance/").json()["rows"] == []
    client.force_login(district.user("econ"))
    assert client.get("/api/v1/funds/trial-balance/").status_code == 403


def test_progress_fragment_polls_until_computed(client, district):
    from django.test import override_settings

    programme = fund_programme(
        district=district.root, plugin_key=KEY, fund_code="3103", code="PR", params={"amounts": AMOUNTS}
    )
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        cycle = services.cycle_create(actor=district.user("finance"), programme=programme, period_key="2026")
    assert cycle.state == Cycle.State.COMPUTING  # queued, no worker has run it yet
    client.force_login(district.user("finance"))
    r = client.get(f"/funds/cycles/{cycle.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in r.content.decode() and "HX-Refresh" not in r
    tasks.cycle_compute_run(cycle.pk)  # what the worker does
    r = client.get(f"/funds/cycles/{cycle.pk}/progress/", HTTP_HX_REQUEST="true")
    assert r["HX-Refresh"] == "true"
    assert Cycle.objects.get(pk=cycle.pk).progress_done == 2


def test_period_close_page(client, district, paid):
    from funds.models import Period

    code = Period.objects.first().code
    client.force_login(district.user("auditor"))
    assert client.post("/funds/periods/", {"code": code}).status_code == 403
    client.force_login(district.user("finance"))
    client.post("/funds/periods/", {"code": code})
    assert Period.objects.get(code=code).status == Period.Status.CLOSED
