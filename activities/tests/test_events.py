"""Events: capacity, eligibility, registration window, duplicates; ranking with ties and awards
becoming honours; report and review by the union above."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities import selectors, services
from activities.models import Activity, Registration
from activities.tests.factories import competition, held
from members.models import Honour
from members.tests.factories import member
from members.tests.xlsx_helpers import write_rows

pytestmark = pytest.mark.django_db


def test_event_create_checks_scope_partners_and_dates(district):
    with pytest.raises(PermissionDenied):
        competition(district, actor=district.user("town_b"))
    with pytest.raises(ValidationError, match="协作单位"):
        competition(district, co_organisers=[district.union_b])
    with pytest.raises(ValidationError, match="报名截止日期不能晚于"):
        competition(district, registration_closes=timezone.localdate() + timedelta(days=30))
    with pytest.raises(ValidationError, match="参加范围"):
        competition(district, eligible_org=district.union_b)
    with pytest.raises(ValidationError, match="名额"):
        competition(district, capacity=0)
    assert Activity.objects.count() == 0
    event = competition(district)
    assert event.state == Activity.State.PLANNED and list(event.co_organisers.all()) == [district.youth]
    assert event.eligible_org == district.town_a  # the organiser's subtree by default


def test_capacity_is_enforced(district):
    event = competition(district, capacity=2)
    people = [member(district.union_a).person for _ in range(3)]
    econ = district.user("econ")
    services.registration_add(actor=econ, activity=event, person=people[0])
    services.registration_add(actor=econ, activity=event, person=people[1])
    with pytest.raises(ValidationError, match="名额已满"):
        services.registration_add(actor=econ, activity=event, person=people[2])
    assert event.registrations.count() == 2


def test_eligibility_is_the_organisers_subtree_of_active_members(district):
    event = competition(district)
    outsider = member(district.union_b).person
    with pytest.raises(ValidationError, match="不是仁和镇总工会（含下级）的在册会员"):
        services.registration_add(actor=district.user("econ"), activity=event, person=outsider)
    inside = member(district.firm_a).person
    assert services.registration_add(actor=district.user("econ"), activity=event, person=inside).channel == "office"


def test_registration_window_and_state(district):
    today = timezone.localdate()
    later = competition(district, registration_opens=today + timedelta(days=2))
    person = member(district.union_a).person
    with pytest.raises(ValidationError, match="报名尚未开始"):
        services.registration_add(actor=district.user("econ"), activity=later, person=person)
    closed = competition(
        district, registration_opens=today - timedelta(days=9), registration_closes=today - timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="报名已截止"):
        services.registration_add(actor=district.user("econ"), activity=closed, person=person)
    assert Registration.objects.count() == 0


def test_duplicates_are_refused(district):
    event = competition(district)
    m = member(district.union_a)
    m.person.user = district.user("worker_a")
    m.person.save()
    services.registration_self(actor=district.user("worker_a"), activity=event)
    with pytest.raises(ValidationError, match="已报名该活动，不能重复报名"):
        services.registration_self(actor=district.user("worker_a"), activity=event)
    with pytest.raises(ValidationError, match="不能重复报名"):
        services.registration_add(actor=district.user("econ"), activity=event, person=m.person)
    assert event.registrations.get().channel == Registration.Channel.PORTAL


def test_self_registration_needs_a_linked_member(district):
    event = competition(district)
    with pytest.raises(PermissionDenied):
        services.registration_self(actor=district.user("worker_a"), activity=event)  # no person linked
    with pytest.raises(PermissionDenied):
        services.registration_add(
            actor=district.user("chair_a"), activity=event, person=member(district.union_a).person
        )


def test_excel_import_is_all_or_nothing_with_row_numbers(district, tmp_path):
    event = competition(district, capacity=3)
    a, b = member(district.union_a).person, member(district.union_a).person
    stranger = member(district.union_b).person
    headers = ["姓名", "身份证号"]
    bad = write_rows(
        tmp_path / "bad.xlsx",
        [[a.name, a.id_number], [stranger.name, stranger.id_number], ["错名", b.id_number], [a.name, a.id_number]],
        headers,
    )
    out = services.registrations_import(
        actor=district.user("econ"), activity=event, filename="bad.xlsx", content=bad.read_bytes()
    )
    assert out.created == 0 and Registration.objects.count() == 0
    # an outsider and a wrong name get the same message: the file reveals nobody outside the range
    assert [e for e in out.errors if e.startswith(("第 3 行：", "第 4 行："))] == [
        f"第 3 行：{stranger.name}不是仁和镇总工会（含下级）的在册会员，或姓名与身份证号不符",
        "第 4 行：错名不是仁和镇总工会（含下级）的在册会员，或姓名与身份证号不符",
    ]
    assert any(e.startswith("第 5 行：") and "重复" in e for e in out.errors)
    good = write_rows(tmp_path / "good.xlsx", [[a.name, a.id_number], [b.name, b.id_number.lower()]], headers)
    out = services.registrations_import(
        actor=district.user("econ"), activity=event, filename="good.xlsx", content=good.read_bytes()
    )
    assert out == services.ImportOutcome(2, []) and event.registrations.filter(channel="import").count() == 2
    more = [member(district.union_a).person for _ in range(2)]
    full = write_rows(tmp_path / "full.xlsx", [[p.name, p.id_number] for p in more], headers)
    out = services.registrations_import(
        actor=district.user("econ"), activity=event, filename="full.xlsx", content=full.read_bytes()
    )
    assert out.created == 0 and "名额不足" in out.errors[0] and event.registrations.count() == 2
    out = services.registrations_import(actor=district.user("econ"), activity=event, filename="x.pdf", content=b"%PDF")
    assert out.created == 0 and out.errors


def _contest(district, scores):
    event = competition(district)
    regs = [
        services.registration_add(actor=district.user("econ"), activity=event, person=member(district.union_a).person)
        for _ in scores
    ]
    held(event)
    services.attendance_record(actor=district.user("econ"), activity=event, attended=[r.pk for r in regs])
    services.results_record(
        actor=district.user("econ"), activity=event, scores={r.pk: s for r, s in zip(regs, scores, strict=True)}
    )
    return event, [Registration.objects.get(pk=r.pk) for r in regs]


def test_results_rank_with_ties_and_awards_become_honours(district):
    event, regs = _contest(district, [D("88"), D("97.5"), D("97.5"), D("90")])
    assert [r.rank for r in regs] == [4, 1, 1, 3]
    econ = district.user("econ")
    today = timezone.localdate()
    honours = services.award_grant(
        actor=econ,
        activity=event,
        awards={regs[1].pk: "first", regs[2].pk: "first", regs[3].pk: "tech_expert"},
        awarded_on=today,
    )
    assert len(honours) == 3
    h = Honour.objects.get(person=regs[1].person)
    assert h.awarded_on == today and h.level == Honour.Level.TOWN and h.awarded_by == "仁和镇总工会"
    assert "叉车技能大赛 一等奖（第 1 名）" in h.note and h.registration == Registration.objects.get(pk=regs[1].pk)
    assert Honour.objects.get(person=regs[3].person).title == Honour.Title.TECH_EXPERT
    with pytest.raises(ValidationError, match="不能重复颁奖"):
        services.award_grant(actor=econ, activity=event, awards={regs[1].pk: "second"}, awarded_on=today)
    with pytest.raises(ValidationError, match="已颁发奖项"):
        services.results_record(actor=econ, activity=event, scores={regs[0].pk: D("99")})
    assert Honour.objects.count() == 3


def test_results_refusals(district):
    event = competition(district)
    reg = services.registration_add(actor=district.user("econ"), activity=event, person=member(district.union_a).person)
    with pytest.raises(ValidationError, match="尚未开展"):
        services.results_record(actor=district.user("econ"), activity=event, scores={reg.pk: D("80")})
    held(event)
    with pytest.raises(ValidationError, match="未记为到场"):
        services.results_record(actor=district.user("econ"), activity=event, scores={reg.pk: D("80")})
    with pytest.raises(ValidationError, match="没有成绩名次"):
        services.award_grant(
            actor=district.user("econ"), activity=event, awards={reg.pk: "first"}, awarded_on=timezone.localdate()
        )
    with pytest.raises(PermissionDenied):
        services.results_record(actor=district.user("town_b"), activity=event, scores={reg.pk: D("80")})
    with pytest.raises(ValidationError, match="不是数字"):
        services.parse_score("NaN x", row="张三")
    with pytest.raises(ValidationError, match="至多两位小数"):
        services.parse_score("NaN", row="张三")
    assert services.parse_score(" 95.5 ", row="张三") == D("95.5") and services.parse_score("", row="x") is None


def test_report_and_review_by_the_union_above(district):
    event = competition(district, organisation=district.union_a, actor=district.user("chair_a"))
    reg = services.registration_add(
        actor=district.user("chair_a"), activity=event, person=member(district.union_a).person
    )
    held(event)
    with pytest.raises(ValidationError, match="未记录是否到场"):
        services.event_report(actor=district.user("chair_a"), activity=event)
    services.attendance_record(actor=district.user("chair_a"), activity=event, attended=[reg.pk])
    event = services.event_report(actor=district.user("chair_a"), activity=event, participants=999)
    assert event.state == Activity.State.REPORTED and event.participants == 1  # the headcount is the attendance
    with pytest.raises(PermissionDenied):
        services.event_review(actor=district.user("chair_a"), activity=event, approve=True)  # not the union above
    with pytest.raises(PermissionDenied):
        services.event_review(actor=district.user("town_b"), activity=event, approve=True)
    with pytest.raises(ValidationError, match="写明"):
        services.event_review(actor=district.user("town_a"), activity=event, approve=False)
    event = services.event_review(actor=district.user("town_a"), activity=event, approve=False, note="缺照片")
    assert event.state == Activity.State.RETURNED
    event = services.event_report(actor=district.user("chair_a"), activity=event)
    event = services.event_review(actor=district.user("town_a"), activity=event, approve=True)
    assert event.state == Activity.State.REVIEWED and event.reviewed_by == district.user("town_a")
    with pytest.raises(ValidationError, match="不在待审核"):
        services.event_review(actor=district.user("town_a"), activity=event, approve=True)
    with pytest.raises(ValidationError, match="已报送"):
        services.attendance_record(actor=district.user("chair_a"), activity=event, attended=[])


def test_a_reporter_cannot_review_their_own_report(district):
    event = services.activity_report(
        actor=district.user("town_a"),
        organisation=district.union_a,
        title="健步走",
        kind="member",
        held_on=date(2026, 5, 1),
        participants=30,
    )
    with pytest.raises(ValidationError, match="自己报送"):
        services.event_review(actor=district.user("town_a"), activity=event, approve=True)
    assert services.event_review(actor=district.user("econ"), activity=event, approve=True).state == "reviewed"


def test_figures_count_reviewed_events_distinct_persons_and_participations(district):
    econ, town = district.user("econ"), district.user("town_a")
    people = [member(district.union_a).person for _ in range(3)]
    events = []
    for title in ("甲", "乙"):
        event = competition(district, organisation=district.union_a, actor=district.user("chair_a"), title=title)
        regs = [
            services.registration_add(actor=econ, activity=event, person=p)
            for p in people[:2]
            if title == "甲" or p is people[0]
        ]
        held(event)
        services.attendance_record(actor=econ, activity=event, attended=[r.pk for r in regs])
        services.event_report(actor=district.user("chair_a"), activity=event)
        events.append(event)
    services.event_review(actor=town, activity=events[0], approve=True)
    services.event_review(actor=town, activity=events[1], approve=True)
    unreviewed = services.activity_report(
        actor=district.user("chair_a"),
        organisation=district.union_a,
        title="未审核",
        kind="member",
        held_on=timezone.localdate() - timedelta(days=1),
        participants=50,
    )
    start, end = timezone.localdate() - timedelta(days=30), timezone.localdate()
    f = selectors.event_figures(town, root=district.town_a, start=start, end=end)
    assert (f.events, f.grassroots_events, f.participations, f.persons, f.headcount) == (2, 2, 3, 2, 3)
    assert unreviewed not in selectors.counted_events(town, root=district.town_a, start=start, end=end)
    assert selectors.event_figures(district.user("town_b"), root=district.town_a, start=start, end=end).events == 0
    assert selectors.event_figures(econ, root=district.town_b, start=start, end=end).events == 0


def test_portal_open_events(district):
    event = competition(district)
    competition(district, organisation=district.town_b, actor=district.user("econ"), co_organisers=[])
    person = member(district.union_a).person
    open_now = list(selectors.open_events_for(person))
    assert open_now == [event] and open_now[0].mine is False and open_now[0].taken == 0
