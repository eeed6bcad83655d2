"""Deadlines in working days across the real calendar rows (seeded by migration): 2025 National Day
(Oct 1–8, Sep 28 and Oct 11 working) and 2026 Spring Festival (Feb 15–23, Feb 14 and Feb 28 working)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from appeals import services
from appeals.models import Appeal, Referral, TimelineEntry
from appeals.tests.factories import at, fresh, liaison, make_appeal, run_to
from core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "registered, contact_due, handling_due",
    [
        # eve of National Day: first working day after the break; 欠薪 = 5 working days
        (at(2025, 9, 30), date(2025, 10, 9), date(2025, 10, 14)),
        # a Saturday before the adjusted working Sunday Sep 28
        (at(2025, 9, 27), date(2025, 9, 28), date(2025, 10, 10)),
        # Friday Oct 10: the adjusted working Saturday Oct 11 counts
        (at(2025, 10, 10), date(2025, 10, 11), date(2025, 10, 16)),
        # before Spring Festival: Saturday Feb 14 works, then the break Feb 15–23
        (at(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 27)),
        # on the working Saturday itself: Feb 24 next; five days end on the working Saturday Feb 28
        (at(2026, 2, 14), date(2026, 2, 24), date(2026, 2, 28)),
        # registered during the holiday: Feb 24–27, then the working Saturday Feb 28
        (at(2026, 2, 18), date(2026, 2, 24), date(2026, 2, 28)),
    ],
)
def test_deadlines_across_holidays(district, registered, contact_due, handling_due):
    a = make_appeal(district, when=registered)
    assert (a.contact_deadline, a.handling_deadline) == (contact_due, handling_due)


def test_category_days_are_used(district):
    a = make_appeal(district, code="social_insurance", when=at(2025, 9, 26))  # 15 working days
    # Sep 28, 29, 30, Oct 9, 10, 11, 13, 14, 15, 16, 17, 20, 21, 22, 23
    assert a.handling_deadline == date(2025, 10, 23)


def test_contact_in_time_measured_against_working_day_deadline(district):
    on_time = make_appeal(district, when=at(2025, 9, 30))
    services.appeal_contact(
        actor=district.user("rights"), appeal=on_time, note="节后第一天联系", at=at(2025, 10, 9, 17)
    )
    late = make_appeal(district, when=at(2025, 9, 30))
    services.appeal_contact(actor=district.user("rights"), appeal=late, note="晚了一天", at=at(2025, 10, 10, 9))
    assert fresh(on_time).contacted_in_time is True
    assert fresh(late).contacted_in_time is False


def test_tick_reminds_one_working_day_ahead_then_escalates_once(district):
    liaison(district, district.union_a)
    a = make_appeal(district, when=at(2025, 9, 30))
    social = district.user("social_a")
    # Oct 8 is a holiday; the next working day Oct 9 is the contact deadline → reminder, once.
    for _ in range(2):
        services.appeals_tick(now=at(2025, 10, 8))
    assert Notification.objects.filter(user=social, kind="appeal_due").count() == 1
    # Oct 10: overdue → flagged and escalated to 仁和镇 (the parent of the union), once per officer.
    for _ in range(2):
        out = services.appeals_tick(now=at(2025, 10, 10))
    assert out["overdue"] == 1
    a = fresh(a)
    assert a.overdue and a.escalated_at is not None
    town_officer = district.user("town_a")
    assert Notification.objects.filter(user=town_officer, kind="appeal_overdue").count() == 1
    assert TimelineEntry.objects.filter(appeal=a, action="超时督办").count() == 1


def test_overdue_referral_escalates_to_handler_parent(district):
    a = make_appeal(district, when=at(2025, 9, 22))
    a = run_to(district, a, Appeal.State.CONTACTED)
    services.appeal_refer(
        actor=district.user("rights"),
        appeal=a,
        lead=district.town_a,
        co_handlers=[district.women],
        deadline=date(2025, 9, 30),
        at=at(2025, 9, 23),
    )
    services.appeals_tick(now=at(2025, 10, 9))
    women_ref = Referral.objects.get(appeal=a, handler_org=district.women)
    assert women_ref.overdue
    # 区妇联's parent is the district federation: its officers (rights dept, admin) are told.
    assert Notification.objects.filter(user=district.user("rights"), kind="appeal_overdue").exists()


def test_autoclose_after_feedback_without_rating(district):
    a = run_to(district, make_appeal(district), Appeal.State.FED_BACK)
    fb = fresh(a).fed_back_at
    assert services.appeals_autoclose(now=fb + timedelta(days=6)) == 0
    assert services.appeals_autoclose(now=fb + timedelta(days=7)) == 1
    a = fresh(a)
    assert a.state == Appeal.State.CLOSED and a.auto_closed and a.rating == ""
    assert services.appeals_autoclose(now=fb + timedelta(days=8)) == 0
