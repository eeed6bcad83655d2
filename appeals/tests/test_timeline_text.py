"""Issue 11 item 6: a request's timeline never shows an internal marker such as ``[referral-1114]``;
the overdue escalation links the referral it is about through a field instead."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from appeals import services
from appeals.models import Appeal, Referral, TimelineEntry
from appeals.tests.factories import at, make_appeal, run_to

pytestmark = pytest.mark.django_db


def overdue_referrals(district) -> Appeal:
    a = run_to(district, make_appeal(district, when=at(2025, 9, 22)), Appeal.State.CONTACTED)
    services.appeal_refer(
        actor=district.user("rights"),
        appeal=a,
        lead=district.town_a,
        co_handlers=[district.women],
        deadline=date(2025, 9, 30),
        at=at(2025, 9, 23),
    )
    for day in (9, 10, 13):  # three ticks while both referrals are overdue
        services.appeals_tick(now=at(2025, 10, day))
    return a


def test_overdue_entry_links_each_referral_once_and_reads_plainly(client, district):
    a = overdue_referrals(district)
    entries = TimelineEntry.objects.filter(appeal=a, action="超时督办").order_by("id")
    refs = Referral.objects.filter(appeal=a)
    assert sorted(e.referral_id for e in entries) == sorted(r.pk for r in refs)  # one per referral, linked
    assert all(not e.note.startswith("[") for e in entries)
    assert {e.note for e in entries} == {f"办理（{r.handler_org.name}）已超时，已督办至上级组织" for r in refs}
    client.force_login(district.user("rights"))
    page = client.get(f"/appeals/{a.pk}/").content.decode()
    assert "办理（区妇联）已超时，已督办至上级组织" in page
    assert "[referral-" not in page and "[appeal]" not in page


def test_request_level_overdue_logs_once_without_a_referral(district):
    a = make_appeal(district, when=at(2025, 9, 30))
    for _ in range(2):
        services.appeals_tick(now=at(2025, 10, 10))
    entry = TimelineEntry.objects.get(appeal=a, action="超时督办")
    assert entry.referral_id is None and entry.note == "联系已超时，已督办至上级组织"


def test_migration_moves_existing_markers_into_the_field(district):
    a = overdue_referrals(district)
    ref = Referral.objects.filter(appeal=a).first()
    other = make_appeal(district)
    old = [
        TimelineEntry.objects.create(appeal=a, at=a.registered_at, action="超时督办", note=f"[referral-{ref.pk}] 旧"),
        TimelineEntry.objects.create(appeal=a, at=a.registered_at, action="超时督办", note="[appeal] 协调已超时"),
        # a referral of another request is not linked; text in brackets that is no marker stays
        TimelineEntry.objects.create(
            appeal=other, at=a.registered_at, action="超时督办", note=f"[referral-{ref.pk}] 别"
        ),
        TimelineEntry.objects.create(appeal=a, at=a.registered_at, action="备注", note="[工资] 已核实"),
    ]
    migration = importlib.import_module("appeals.migrations.0003_timeline_entry_referral")
    state = MigrationExecutor(connection).loader.project_state(("appeals", "0003_timeline_entry_referral"))
    migration.forwards(state.apps, None)
    got = {e.pk: (e.note, e.referral_id) for e in TimelineEntry.objects.filter(pk__in=[o.pk for o in old])}
    assert [got[o.pk] for o in old] == [("旧", ref.pk), ("协调已超时", None), ("别", None), ("[工资] 已核实", None)]
