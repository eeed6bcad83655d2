"""Deadlines over a year the State Council has not published yet (issue 10 item 1).

The test database holds what chinesecalendar 1.11.0 covers (2004–2026): 2027 is not entered, so the
calendar computes it provisionally (weekends and the statutory days, no 调休) and every deadline counted
over it is 暂定 until an administrator enters 2027.
"""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from appeals import services
from appeals.models import Appeal, Referral, TimelineEntry
from appeals.tests.factories import at, category, fresh, liaison, make_appeal, make_person
from core.models import AuditEvent, CalendarDay, Notification
from core.workdays import calendar_year_enter, provisional_years

S = Appeal.State

# The 2027 arrangement "entered" below (made up for the test): 元旦 Fri 1 January alone, and Saturday
# 9 January worked (调休上班) — so a deadline counted over early January comes one day sooner.
HOLIDAYS_2027 = [(date(2027, 1, 1), date(2027, 1, 1), "元旦"), (date(2027, 2, 5), date(2027, 2, 11), "春节")]
MAKE_UP_2027 = [date(2027, 1, 9)]


@pytest.fixture
def no_2027(db) -> None:
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def _enter_2027(district):
    return calendar_year_enter(
        actor=district.user("admin"), year=2027, holidays=HOLIDAYS_2027, make_up_workdays=MAKE_UP_2027
    )


def test_register_on_28_december_with_15_working_days_is_provisional(district, no_2027) -> None:
    assert category("skills").handling_days == 15
    appeal = make_appeal(district, code="skills", when=at(2026, 12, 28))
    assert appeal.pk is not None
    assert (appeal.contact_deadline, appeal.contact_deadline_provisional) == (date(2026, 12, 29), False)
    # 29–31 Dec (3), 元旦 and the weekend rest, 4–8 Jan (8), 11–15 Jan (13), 18, 19 Jan (15)
    assert (appeal.handling_deadline, appeal.handling_deadline_provisional) == (date(2027, 1, 19), True)
    assert provisional_years() == [2027]


def test_registering_on_30_december_works(district, no_2027) -> None:
    appeal = make_appeal(district, code="wage_arrears", when=at(2026, 12, 30))
    assert (appeal.contact_deadline, appeal.contact_deadline_provisional) == (date(2026, 12, 31), False)
    appeal = make_appeal(district, code="wage_arrears", when=at(2026, 12, 31))
    assert (appeal.contact_deadline, appeal.contact_deadline_provisional) == (date(2027, 1, 4), True)


def test_deadline_pages_show_provisional(district, login, no_2027) -> None:
    appeal = make_appeal(district, code="skills", when=at(2026, 12, 28))
    client = login(district.user("rights"))
    body = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert body.count('data-testid="deadline-provisional"') == 1  # 办理时限 only; the contact one is firm
    assert "暂定" in body
    listing = client.get("/appeals/").content.decode()
    assert 'data-testid="deadline-provisional"' in listing
    data = client.get(f"/api/v1/appeals/{appeal.pk}/").json()
    assert data["handling_deadline_provisional"] is True and data["contact_deadline_provisional"] is False


def _referred(district, when_registered, code="skills"):
    appeal = make_appeal(district, code=code, when=when_registered)
    rights = district.user("rights")
    services.appeal_contact(actor=rights, appeal=appeal, note="已电话联系职工", at=at(2026, 12, 29))
    services.appeal_refer(
        actor=rights,
        appeal=appeal,
        lead=district.town_a,
        deadline=fresh(appeal).handling_deadline,  # the form proposes the request's own deadline
        at=at(2026, 12, 29),
    )
    return fresh(appeal)


def test_entering_2027_recomputes_audits_and_notifies_once(district, no_2027) -> None:
    liaison(district, district.union_a)
    worker_user = district.user("worker_a")
    person = make_person(district.union_a, user=worker_user)
    appeal = _referred(district, at(2026, 12, 28))
    appeal_b = make_appeal(district, code="skills", when=at(2026, 12, 28), worker=person)
    ref = appeal.referrals.get()
    assert (ref.deadline, ref.deadline_provisional) == (date(2027, 1, 19), True)
    history_before = appeal.history.count()
    worker_notes_before = Notification.objects.filter(user=worker_user).count()

    change = _enter_2027(district)

    appeal, appeal_b, ref = fresh(appeal), fresh(appeal_b), Referral.objects.get(pk=ref.pk)
    # 15 working days from 28 December with Saturday 9 January worked: Monday 18 January
    assert (appeal.handling_deadline, appeal.handling_deadline_provisional) == (date(2027, 1, 18), False)
    assert (appeal_b.handling_deadline, appeal_b.handling_deadline_provisional) == (date(2027, 1, 18), False)
    # the referral counted its 14 working days from 29 December: 18 January as well
    assert (ref.deadline, ref.deadline_provisional) == (date(2027, 1, 18), False)
    assert change.recomputed == {"deadlines_recomputed": 3, "deadlines_moved": 3}
    assert provisional_years() == []
    # audited: the calendar change, the request's history and an internal timeline note
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CALENDAR_CHANGED)
    assert event.detail["deadlines_moved"] == 3 and event.user == district.user("admin")
    assert appeal.history.count() == history_before + 1
    assert appeal.history.first().handling_deadline == date(2027, 1, 18)
    note = TimelineEntry.objects.get(appeal=appeal, action="期限重算")
    assert note.public is False
    assert "2027-01-19（暂定）→ 2027-01-18" in note.note and "仁和镇总工会" in note.note
    # one notice per person per request, the liaison's included, though both the request and its
    # referral moved; the worker (职工) gets none
    moved = Notification.objects.filter(kind="appeal_deadline_moved")
    social = district.user("social_a")  # the liaison, also an officer of the handling town union
    assert moved.filter(user=social, url__endswith=f"/{appeal.pk}/").count() == 1
    assert moved.filter(user=district.user("town_a"), url__endswith=f"/{appeal.pk}/").count() == 1
    assert moved.filter(user=social, url__endswith=f"/{appeal_b.pk}/").count() == 1
    assert Notification.objects.filter(user=worker_user).count() == worker_notes_before

    # entering 2027 again: nothing is provisional any more, nobody is told anything twice
    again = _enter_2027(district)
    assert again.recomputed == {}
    assert Notification.objects.filter(kind="appeal_deadline_moved").count() == moved.count()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CALENDAR_CHANGED).count() == 2


def test_an_unmoved_provisional_deadline_is_confirmed_silently(district, no_2027) -> None:
    liaison(district, district.union_a)
    appeal = make_appeal(district, code="skills", when=at(2026, 12, 28))
    change = calendar_year_enter(
        actor=district.user("admin"),
        year=2027,
        holidays=[(date(2027, 1, 1), date(2027, 1, 1), "元旦")],
        make_up_workdays=[],
    )
    appeal = fresh(appeal)
    assert (appeal.handling_deadline, appeal.handling_deadline_provisional) == (date(2027, 1, 19), False)
    assert change.recomputed == {"deadlines_recomputed": 1, "deadlines_moved": 0}
    assert not Notification.objects.filter(kind="appeal_deadline_moved").exists()
    assert not TimelineEntry.objects.filter(appeal=appeal, action="期限重算").exists()


def test_calendar_page_entry_recomputes(district, login, no_2027) -> None:
    appeal = make_appeal(district, code="skills", when=at(2026, 12, 28))
    client = login(district.user("admin"))
    page = client.get("/accounts/calendar/").content.decode()
    assert "更新法定节假日" in page and "chinesecalendar" not in page and "数据包" not in page
    response = client.post(
        "/accounts/calendar/",
        {
            "year": "2027",
            "holidays": "2027-01-01 2027-01-01 元旦\n2027-02-05 2027-02-11 春节",
            "workdays": "2027-01-09",
        },
        follow=True,
    )
    assert "已重算暂定期限 1 件" in response.content.decode()
    assert fresh(appeal).handling_deadline == date(2027, 1, 18)


def test_unsatisfied_rating_on_28_december_reopens(district, no_2027) -> None:
    rights, admin = district.user("rights"), district.user("admin")
    appeal = make_appeal(district, code="wage_arrears", when=at(2026, 12, 10))
    services.appeal_contact(actor=rights, appeal=appeal, note="已电话联系", at=at(2026, 12, 10))
    services.appeal_refer(actor=rights, appeal=appeal, lead=district.town_a, at=at(2026, 12, 11))
    ref = fresh(appeal).referrals.get()
    services.referral_accept(actor=admin, referral=ref, at=at(2026, 12, 11))
    services.referral_complete(actor=admin, referral=ref, result="已约谈企业", at=at(2026, 12, 14))
    services.appeal_feedback(actor=rights, appeal=appeal, result="企业承诺补发", resolved=True, at=at(2026, 12, 15))
    rated = services.appeal_rate(
        actor=rights, appeal=appeal, rating=Appeal.Rating.UNSATISFIED, comment="至今未补发", at=at(2026, 12, 28)
    )
    assert rated.state == S.COORDINATING and rated.reopen_count == 1
    # 5 working days from 28 December: 29, 30, 31 December, 4 and 5 January
    assert (rated.handling_deadline, rated.handling_deadline_provisional) == (date(2027, 1, 5), True)
    _enter_2027(district)
    # recounted from the reopening (28 December), not from registration
    assert (fresh(appeal).handling_deadline, fresh(appeal).handling_deadline_provisional) == (date(2027, 1, 5), False)


def test_tick_on_31_december_and_into_2027(district, no_2027) -> None:
    rights, admin = district.user("rights"), district.user("admin")
    late = make_appeal(district, code="wage_arrears", when=at(2026, 12, 24), title="未联系")  # contact due 25 Dec
    fed = make_appeal(district, code="wage_arrears", when=at(2026, 12, 14), title="待评价")
    services.appeal_contact(actor=rights, appeal=fed, note="已联系", at=at(2026, 12, 14))
    services.appeal_refer(actor=rights, appeal=fed, lead=district.town_a, at=at(2026, 12, 14))
    ref = fresh(fed).referrals.get()
    services.referral_accept(actor=admin, referral=ref, at=at(2026, 12, 15))
    services.referral_complete(actor=admin, referral=ref, result="已办", at=at(2026, 12, 16))
    services.appeal_feedback(actor=rights, appeal=fed, result="已解决", resolved=True, at=at(2026, 12, 21))
    eve = make_appeal(district, code="wage_arrears", when=at(2026, 12, 31), title="年末登记")  # due 4 Jan

    out = services.appeals_tick(now=at(2026, 12, 31, 18))
    assert out["overdue"] >= 1 and out["auto_closed"] == 1
    assert fresh(late).overdue is True
    assert fresh(fed).state == S.CLOSED and fresh(fed).auto_closed is True
    assert fresh(eve).overdue is False

    out = services.appeals_tick(now=at(2027, 1, 5, 9))
    assert fresh(eve).overdue is True  # contact deadline 4 January (provisional) has passed
    assert out["overdue"] >= 2


def test_tick_command_on_31_december(district, no_2027, monkeypatch) -> None:
    late = make_appeal(district, code="wage_arrears", when=at(2026, 12, 24))
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 12, 31, 18))
    out = StringIO()
    call_command("appeals_tick", stdout=out)
    assert "超时督办" in out.getvalue()
    assert fresh(late).overdue is True


def test_calendar_page_prefills_the_year_to_enter_as_ranges(district, login, no_2027, monkeypatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 12, 1))
    page = login(district.user("admin")).get("/accounts/calendar/").content.decode()
    assert "2027-02-05 2027-02-10 春节" in page and "2027-10-01 2027-10-05 国庆节" in page
