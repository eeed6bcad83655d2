"""The dashboard's precomputed tallies (issue 15, speed): kept by triggers in the change's own
transaction, so a figure read from them equals the figure counted from the rows, at once after any
change — through services, ``bulk_create``, ``QuerySet.update``, deletes, a person's transfer, a
voucher's date, a subtree's move."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from appeals.models import Appeal, Category
from appeals.tests.factories import make_appeal
from conftest import TEST_DATA_KEY, build_district, make_user
from dashboard import charts, figures, selectors, tallies
from dashboard.figures import Period, board
from dashboard.models import AppealTally
from dashboard.tests.conftest import TODAY
from funds.models import Payment
from funds.testing import add_members
from members.models import Membership, Person
from orgs.roles import Perm, Role
from orgs.scope import ScopeMode
from orgs.services import organisation_move, role_grant

YEAR = Period(date(TODAY.year, 1, 1), date(TODAY.year, 12, 31))
PERIODS = [YEAR, Period(TODAY - timedelta(days=40), TODAY), Period(date(TODAY.year - 3, 1, 1), TODAY)]


def morning(day: date) -> datetime:
    """Half past seven in Beijing: still the day before in UTC, so a day taken from the stored UTC
    time instead of the local one would land the request on the wrong day."""
    return datetime.combine(day, time(7, 30), tzinfo=timezone.get_current_timezone())


def snapshot(user, root, period) -> dict[str, object]:
    """Every figure and chart point the user sees for the subtree and period."""
    out: dict[str, object] = {f.key: f.value for _, figs in board(user, root, period).groups for f in figs}
    for chart in charts.charts(user, root, period):
        out.update({f"{chart.key}:{p.label}": p.value for p in chart.points})
    return out


def live(user, root, period) -> dict[str, object]:
    with mock.patch.object(tallies, "fresh", return_value=False):
        return snapshot(user, root, period)


def assert_agree(user, *roots) -> None:
    assert tallies.differences() == dict.fromkeys(tallies.TALLY_TABLES, 0)
    for root in roots:
        for period in PERIODS:
            assert snapshot(user, root, period) == live(user, root, period), (root.code, period)


@pytest.mark.django_db
def test_the_tallies_equal_the_rows_and_the_live_figures(world):
    admin = world.user("admin")
    assert not tallies.missing_triggers()
    assert tallies.fresh()
    assert figures.tallied(admin, Perm.MEMBER_VIEW, world.root)
    assert figures.tallied(admin, Perm.MEMBER_VIEW, world.town_a)
    assert not figures.tallied(admin, Perm.MEMBER_VIEW, world.union_a)  # below a town: counted live
    assert snapshot(admin, world.root, YEAR)["members.active"] > 0
    assert_agree(admin, world.root, world.town_a, world.town_b, world.union_a)


@pytest.mark.django_db
def test_a_change_shows_at_once_whichever_way_it_is_written(world):
    admin = world.user("admin")

    def fig(key, root=world.root):
        return snapshot(admin, root, YEAR)[key]

    active, joined, total = fig("members.active"), fig("members.joined"), fig("appeals.total")
    add_members(world.union_b, 3, joined_on=TODAY)  # bulk_create
    assert (fig("members.active"), fig("members.joined")) == (active + 3, joined + 3)
    assert fig("members.active", world.town_b) == snapshot(admin, world.town_b, YEAR)["members.active"]
    Membership.objects.filter(organisation=world.union_b, joined_on=TODAY).update(
        status=Membership.Status.LEFT, ended_on=TODAY
    )
    assert (fig("members.active"), fig("members.joined")) == (active, joined + 3)

    appeal = make_appeal(world, org=world.union_a)  # the service
    assert fig("appeals.total") == total + 1
    Appeal.objects.filter(pk=appeal.pk).update(rating=Appeal.Rating.SATISFIED)  # no signals
    assert snapshot(admin, world.root, YEAR) == live(admin, world.root, YEAR)
    Appeal.objects.filter(pk=appeal.pk).update(organisation=world.union_b)  # another town
    assert_agree(admin, world.root, world.town_a, world.town_b)
    Appeal.objects.filter(pk=appeal.pk).delete()
    assert fig("appeals.total") == total
    assert_agree(admin, world.root, world.town_a, world.town_b)


def raw(sql: str, *params) -> None:
    """The books are append-only through the ORM (``funds.models``); the triggers hold under raw SQL too."""
    with connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.mark.django_db
def test_payments_follow_a_person_s_transfer_and_a_voucher_s_date(world):
    admin = world.user("admin")
    payment = Payment.objects.filter(beneficiary_org__isnull=False).order_by("pk").first()
    person = Person.objects.filter(organisation=world.union_a).first()
    raw(
        "UPDATE funds_payment SET beneficiary_org_id = NULL, beneficiary_person_id = %s WHERE id = %s",
        person.pk,
        payment.pk,
    )
    assert_agree(admin, world.root, world.town_a, world.town_b)
    Person.objects.filter(pk=person.pk).update(organisation=world.union_b)  # transferred to 后沙峪镇
    assert_agree(admin, world.root, world.town_a, world.town_b)
    raw("UPDATE funds_journalentry SET date = %s WHERE id = %s", date(TODAY.year - 1, 6, 1), payment.entry_id)
    assert_agree(admin, world.root, world.town_a, world.town_b)
    raw("UPDATE funds_payment SET amount = amount + 1 WHERE id = %s", payment.pk)
    assert_agree(admin, world.root, world.town_a, world.town_b)


@pytest.mark.django_db
def test_a_moved_subtree_is_recounted_in_the_move_and_a_raw_path_change_reads_live(world):
    admin = world.user("admin")
    before = snapshot(admin, world.town_b, YEAR)["members.active"]
    moved = Membership.objects.active_on().filter(organisation__path__startswith=world.union_a.path).count()
    organisation_move(actor=admin, organisation=world.union_a, new_parent=world.town_b)
    world.town_b.refresh_from_db()
    assert tallies.fresh()
    assert snapshot(admin, world.town_b, YEAR)["members.active"] == before + moved
    assert_agree(admin, world.root, world.town_a, world.town_b)

    # a path changed behind the services' back (and back again)
    raw("UPDATE orgs_organisation SET path = %s WHERE id = %s", "ZZZZ", world.firm_a.pk)
    raw("UPDATE orgs_organisation SET path = %s WHERE id = %s", world.firm_a.path, world.firm_a.pk)
    assert not tallies.fresh()
    assert not figures.tallied(admin, Perm.MEMBER_VIEW, world.root)
    call_command("tallies", "--rebuild", stdout=io.StringIO())
    assert tallies.fresh()


@pytest.mark.django_db
def test_the_workbench_reads_the_district_s_tallies_and_agrees_with_the_rows(world):
    admin = world.user("admin")
    make_appeal(world, org=world.union_b, when=morning(TODAY - timedelta(days=30)))  # long overdue

    def home(user):
        got = selectors.home_figures(user)
        return [(t.key, t.count) for t in got["todos"]], [(f.label, f.value) for f in got["figures"]]

    assert figures.tallied_district(admin, Perm.APPEAL_OFFICE) == world.root
    todos, key = home(admin)
    assert ("appeals-overdue", 1) in todos
    with mock.patch.object(tallies, "fresh", return_value=False):
        assert figures.tallied_district(admin, Perm.APPEAL_OFFICE) is None
        assert home(admin) == (todos, key)
    chair = make_user("tally_home")
    role_grant(actor=None, user=chair, role=Role.SUB_OFFICER, organisation=world.town_a)
    assert figures.tallied_district(chair, Perm.APPEAL_OFFICE) is None  # a town's officer: counted live


@pytest.mark.django_db
def test_narrower_scopes_read_the_rows(world):
    chair = make_user("tally_chair")
    role_grant(actor=None, user=chair, role=Role.SUB_OFFICER, organisation=world.town_a)
    own = make_user("tally_own")
    role_grant(actor=None, user=own, role=Role.SUB_OFFICER, organisation=world.town_a, scope=ScopeMode.ORG)
    assert figures.tallied(chair, Perm.MEMBER_VIEW, world.town_a)
    assert not figures.tallied(chair, Perm.MEMBER_VIEW, world.root)
    assert not figures.tallied(own, Perm.MEMBER_VIEW, world.town_a)
    for user in (chair, own):
        assert snapshot(user, world.town_a, YEAR) == live(user, world.town_a, YEAR)


@pytest.mark.django_db
def test_the_command_finds_a_tally_that_disagrees_and_rebuilds_it(world, capsys):
    call_command("tallies")
    assert "dashboard_appealtally: 一致" in capsys.readouterr().out
    AppealTally.objects.filter(pk=AppealTally.objects.first().pk).update(n_all=999)
    with pytest.raises(CommandError, match="不一致"):
        call_command("tallies", "--check")
    assert "dashboard_appealtally: 1 项不一致" in capsys.readouterr().out
    call_command("tallies", "--rebuild")
    assert tallies.differences()["dashboard_appealtally"] == 0
    tallies.uninstall()  # as a migration rebuilding a tallied SQLite table would leave it
    assert tallies.missing_triggers() == tallies.trigger_names(connection.vendor)
    with pytest.raises(CommandError):
        call_command("tallies")
    assert "缺少触发器" in capsys.readouterr().out
    call_command("tallies", "--install")
    assert not tallies.missing_triggers() and "已安装触发器" in capsys.readouterr().out
    make_appeal(world, org=world.union_a)  # counted again
    assert tallies.differences()["dashboard_appealtally"] == 0


# --- any sequence of writes ---------------------------------------------------------------------------

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("appeal"), st.integers(0, 3), st.integers(-400, 5)),
        st.tuples(st.just("flags"), st.integers(0, 20), st.sampled_from(["", "satisfied", "basic", "unsatisfied"])),
        st.tuples(st.just("state"), st.integers(0, 20), st.sampled_from(Appeal.State.values)),
        st.tuples(st.just("move_appeal"), st.integers(0, 20), st.integers(0, 3)),
        st.tuples(st.just("drop_appeal"), st.integers(0, 20)),
        st.tuples(st.just("members"), st.integers(0, 3), st.integers(1, 4), st.integers(-900, 0)),
        st.tuples(st.just("leave"), st.integers(0, 30)),
        st.tuples(st.just("drop_member"), st.integers(0, 30)),
        st.tuples(st.just("transfer"), st.integers(0, 30), st.integers(0, 3)),
    ),
    max_size=12,
)


@override_settings(GONGHUI_DATA_KEY=TEST_DATA_KEY)
class TallyProperties(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.d = build_district()
        cls.orgs = [cls.d.root, cls.d.union_a, cls.d.union_b, cls.d.firm_a]
        cls.category = Category.objects.first()

    def _nth(self, qs, i):
        rows = list(qs.order_by("pk").values_list("pk", flat=True))
        return rows[i % len(rows)] if rows else None

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(OPS)
    def test_any_writes_leave_the_tallies_equal_to_the_rows(self, ops) -> None:
        for op in ops:
            kind = op[0]
            if kind == "appeal":
                at = date.today() + timedelta(days=op[2])
                Appeal.objects.bulk_create(
                    [
                        Appeal(
                            organisation=self.orgs[op[1]],
                            category=self.category,
                            channel=Appeal.Channel.HOTLINE,
                            title="属性测试",
                            description="属性测试",
                            reporter_name="测试",
                            registered_at=morning(at),
                            contact_deadline=at + timedelta(days=1),
                            handling_deadline=at + timedelta(days=10),
                        )
                    ]
                )
            elif kind == "flags" and (pk := self._nth(Appeal.objects, op[1])):
                Appeal.objects.filter(pk=pk).update(
                    rating=op[2], resolved=op[1] % 2 == 0, contacted_in_time=op[1] % 3 == 0, reopen_count=op[1] % 4
                )
            elif kind == "state" and (pk := self._nth(Appeal.objects, op[1])):
                invalid = op[1] % 5 == 0
                Appeal.objects.filter(pk=pk).update(
                    state=op[2], invalid=invalid, invalid_reason="重复诉求" if invalid else ""
                )
            elif kind == "move_appeal" and (pk := self._nth(Appeal.objects, op[1])):
                Appeal.objects.filter(pk=pk).update(organisation=self.orgs[op[2]])
            elif kind == "drop_appeal" and (pk := self._nth(Appeal.objects, op[1])):
                Appeal.objects.filter(pk=pk).delete()
            elif kind == "members":
                add_members(self.orgs[op[1]], op[2], joined_on=date.today() + timedelta(days=op[3]))
            elif kind == "leave" and (pk := self._nth(Membership.objects, op[1])):
                Membership.objects.filter(pk=pk).update(status=Membership.Status.LEFT, ended_on=F("joined_on"))
            elif kind == "drop_member" and (pk := self._nth(Membership.objects, op[1])):
                Membership.objects.filter(pk=pk).delete()
            elif kind == "transfer" and (pk := self._nth(Membership.objects, op[1])):
                Membership.objects.filter(pk=pk).update(organisation=self.orgs[op[2]])
        assert tallies.differences() == dict.fromkeys(tallies.TALLY_TABLES, 0)
        admin = self.d.user("admin")
        for root in (self.d.root, self.d.town_a, self.d.town_b):
            assert snapshot(admin, root, YEAR) == live(admin, root, YEAR)
