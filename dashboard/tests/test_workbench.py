"""The workbench (issue 11 item 3): what this user has to do, each item a link to exactly those rows,
counted in the user's scope; approvers told when a cycle reaches their step; the key figures linked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals import services as appeal_services
from appeals.models import Appeal, Referral
from appeals.tests.factories import make_appeal, run_to
from conftest import make_user
from core.models import Notification
from dashboard.selectors import todos
from funds import services
from funds.models import Period
from funds.testing import fund_programme
from funds.tests.plugin import KEY
from members.models import ImportJob
from orgs.roles import Role
from orgs.services import role_grant
from orgs.testing import count_queries, load_budgets

pytestmark = pytest.mark.django_db
TWO_STEPS = ["财务审核", {"name": "分管领导审批", "role": Role.DISTRICT_ADMIN}]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def finance2(district):
    user = make_user("finance2")
    role_grant(actor=None, user=user, role=Role.FINANCE, organisation=district.root)
    district.users["finance2"] = user
    return user


def reviewed_cycle(district, code="WB", key="2026"):
    programme = fund_programme(
        district=district.root,
        plugin_key=KEY,
        fund_code="3103",
        code=code,
        params={"amounts": {"T-A-1": "100.00"}},
        approval_chain=TWO_STEPS,
    )
    cycle = services.cycle_create(actor=district.user("finance"), programme=programme, period_key=key)
    return services.cycle_review(actor=district.user("finance"), cycle=cycle)


def keys(user, **kw) -> dict[str, object]:
    return {t.key: t for t in todos(user, **kw)}


def test_cycle_waits_only_for_whoever_may_sign_its_next_step(client, district, finance2):
    cycle = reviewed_cycle(district)
    key = f"cycle-{cycle.pk}"
    assert key in keys(finance2)
    assert key not in keys(district.user("finance"))  # prepared it: may never approve it
    assert key not in keys(district.user("admin"))  # step 1 is finance's, not the administrator's
    assert key not in keys(district.user("auditor"))  # reads money, signs nothing
    client.force_login(finance2)
    html = client.get(reverse("dashboard:home")).content.decode()
    link = f'href="{reverse("funds:cycle_detail", args=[cycle.pk])}" data-testid="todo-{key}"'
    assert link in html and "（财务审核）" in html
    services.cycle_approve(actor=finance2, cycle=cycle)
    assert key not in keys(finance2)  # signed its step: nothing more for them
    assert key in keys(district.user("admin"))  # the second step is the administrator's
    services.cycle_approve(actor=district.user("admin"), cycle=cycle)
    assert key not in keys(district.user("admin"))  # paid


def test_approvers_are_notified_when_a_cycle_reaches_their_step(district, finance2):
    cycle = reviewed_cycle(district)
    url = reverse("funds:cycle_detail", args=[cycle.pk])
    told = Notification.objects.filter(kind="cycle_step", url=url)
    assert list(told.values_list("user__username", flat=True)) == ["finance2"]  # not the preparer, not admin
    assert "（财务审核）" in told.get().title and "100.00" in told.get().body
    services.cycle_approve(actor=finance2, cycle=cycle)
    assert told.get(user=finance2).read_at is not None  # the step is signed: settled
    assert told.filter(user=district.user("admin"), read_at__isnull=True).count() == 1
    # A second review of the same figures tells nobody twice.
    assert told.count() == 2


def test_a_change_voids_and_the_approver_is_told_again(district, finance2):
    cycle = reviewed_cycle(district)
    services.cycle_recompute(actor=district.user("finance"), cycle=cycle)
    services.cycle_review(actor=district.user("finance"), cycle=cycle)
    told = Notification.objects.filter(kind="cycle_step", user=finance2)
    assert told.count() == 2  # once per revision of the figures


def test_request_deadlines_returned_and_referrals_in_scope(client, district):
    today = timezone.localdate()
    due = make_appeal(district, title="今日到期的诉求")
    late = make_appeal(district, title="已超期的诉求")
    Appeal.objects.filter(pk=due.pk).update(contact_deadline=today)
    Appeal.objects.filter(pk=late.pk).update(contact_deadline=today - timedelta(days=3))
    referred = run_to(
        district, make_appeal(district, title="转给妇联的诉求"), Appeal.State.COORDINATING, co=(district.women,)
    )
    returned = run_to(district, make_appeal(district, title="被退回的诉求"), Appeal.State.COORDINATING)
    lead = Referral.objects.get(appeal=returned, role=Referral.Role.LEAD)
    appeal_services.referral_return(actor=district.user("town_a"), referral=lead, reason="不属于本镇职责")
    mine = keys(district.user("town_a"))
    assert (mine["appeals-due-today"].count, mine["appeals-overdue"].count, mine["appeals-returned"].count) == (1, 1, 1)
    assert mine["referrals-T-A"].count == 1  # the lead referral of 转给妇联的诉求 (the returned one is closed)
    assert keys(district.user("women"))["referrals-T-W"].count == 1
    other = keys(district.user("town_b"))  # nothing of town A's requests
    assert (other["appeals-due-today"].count, other["appeals-overdue"].count, other["appeals-returned"].count) == (
        0,
        0,
        0,
    )
    # Each link lists exactly the rows it counts.
    client.force_login(district.user("town_a"))
    for key, title in (
        ("appeals-due-today", due.title),
        ("appeals-overdue", late.title),
        ("appeals-returned", returned.title),
        ("referrals-T-A", referred.title),
    ):
        html = client.get(mine[key].url).content.decode()
        shown = [t for t in (due.title, late.title, returned.title, referred.title) if t in html]
        assert shown == [title], (key, shown)
    client.force_login(district.user("town_b"))
    assert due.title not in client.get(mine["appeals-due-today"].url).content.decode()


def test_filters_refuse_bad_values(client, district):
    client.force_login(district.user("town_a"))
    make_appeal(district, title="任意诉求")
    html = client.get(reverse("appeals:list") + "?due=tomorrow").content.decode()
    assert "筛选条件有误" in html and "任意诉求" not in html


def test_imports_of_this_user_only(district):
    chair = district.user("chair_a")
    now = timezone.now()
    done = ImportJob.objects.create(
        created_by=chair, file_name="会员名册.xlsx", stored_path="x", status=ImportJob.Status.DONE, finished_at=now
    )
    failed = ImportJob.objects.create(
        created_by=chair, file_name="坏文件.xlsx", stored_path="y", status=ImportJob.Status.FAILED, finished_at=now
    )
    ImportJob.objects.create(
        created_by=chair,
        file_name="去年.xlsx",
        stored_path="z",
        status=ImportJob.Status.DONE,
        finished_at=now - timedelta(days=30),
    )
    ImportJob.objects.create(created_by=district.user("town_a"), file_name="别人的.xlsx", stored_path="w")
    mine = keys(chair)
    assert {k for k in mine if k.startswith("import-")} == {f"import-{done.pk}", f"import-{failed.pk}"}
    assert mine[f"import-{failed.pk}"].tone == "red" and "失败" in mine[f"import-{failed.pk}"].label
    assert mine[f"import-{done.pk}"].url == reverse("members:import_job", args=[done.pk])
    assert not any(k.startswith("import-") for k in keys(district.user("town_a")))  # queued, not finished


def test_periods_to_close_and_calendar_for_those_who_act_on_them(district):
    for code in ("2026-01", "2026-02", "2026-12"):
        Period.objects.create(code=code, year=2026, month=int(code[-2:]))
    Period.objects.filter(code="2026-02").update(status=Period.Status.CLOSED)
    on = date(2026, 12, 2)
    finance = keys(district.user("finance"), today=on)
    assert finance["periods-to-close"].count == 1 and "2026-01" in finance["periods-to-close"].label
    assert "periods-to-close" not in keys(district.user("auditor"), today=on)  # may not close
    # From 60 days before a year not entered yet, its administrators are told (2027 is not in the table).
    admin = keys(district.user("admin"), today=on)
    assert admin["calendar-missing"].count == 1 and "2027" in admin["calendar-missing"].label
    assert admin["calendar-missing"].url == reverse("accounts:calendar")
    assert "calendar-missing" not in keys(district.user("admin"), today=date(2026, 6, 1))
    assert "calendar-missing" not in keys(district.user("town_a"), today=on)


def test_key_figures_link_to_their_rows(client, district):
    make_appeal(district, title="镇里的诉求")
    make_appeal(district, org=district.union_b, title="另一个镇的诉求")
    client.force_login(district.user("town_a"))
    response = client.get(reverse("dashboard:home"))
    figures = {f.label: f for f in response.context["figures"]}
    assert figures["未办结诉求"].value == "1" and figures["基层工会"].value == "2"
    for f in figures.values():
        assert client.get(f.url).status_code == 200, f
    listed = client.get(figures["未办结诉求"].url).content.decode()
    assert "镇里的诉求" in listed and "另一个镇的诉求" not in listed
    # the table's rows (the organisation tree beside it names the town too)
    table = client.get(figures["基层工会"].url).context["table"]
    names = {row.record.name for row in table.paginated_rows}
    assert names == {district.union_a.name, district.firm_a.name}


def test_nothing_to_do_says_so(client, district):
    client.force_login(district.user("econ"))
    html = client.get(reverse("dashboard:home")).content.decode()
    assert 'data-testid="no-todos"' in html


BUDGETS = load_budgets(__file__)


@pytest.mark.parametrize("user_key", ["admin", "finance2", "town_a", "chair_a"])
def test_workbench_query_budget_constant(client, district, finance2, user_key):
    client.force_login(district.user(user_key))
    client.get(reverse("dashboard:home"))  # warm the ten-minute calendar-warning cache
    counts = []
    for round_ in range(2):
        for i in range(3):
            reviewed_cycle(district, code=f"QB{round_}{i}", key="2026")
            run_to(district, make_appeal(district, title=f"诉求{round_}{i}"), Appeal.State.COORDINATING)
            ImportJob.objects.create(
                created_by=district.user(user_key),
                file_name=f"{round_}{i}.xlsx",
                stored_path="x",
                status=ImportJob.Status.DONE,
                finished_at=timezone.now(),
            )
        n, response = count_queries(client, reverse("dashboard:home"))
        assert response.status_code == 200
        counts.append(n)
    assert counts[0] == counts[1] <= BUDGETS["home"], (user_key, counts)
