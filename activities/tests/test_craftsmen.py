"""顺义工匠 selection: every step in order, every step out of order refused, scope, objections, award."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from activities import craftsmen_services as cs
from activities.craftsmen import CraftsmanSelection, Nomination, Objection
from activities.ranking import combined_score
from members.models import Honour
from members.tests.factories import member

DEEDS = "带领班组攻克叉车液压系统故障难题，年节约维修费用二十余万元，培养徒弟十二名。"
REVIEWERS = ("admin", "econ", "org_dept")


def _open(district, **changes):
    fields = {
        "actor": district.user("econ"),
        "organiser": district.root,
        "year": 2026,
        "quota": 1,
        "nominations_close": timezone.localdate() + timedelta(days=10),
    }
    fields.update(changes)
    return cs.selection_open(**fields)


def _nominate(district, selection, name="张师傅"):
    person = member(district.union_a, name=name).person
    return cs.nomination_add(
        actor=district.user("chair_a"),
        selection=selection,
        union=district.union_a,
        person=person,
        trade="叉车维修工",
        deeds=DEEDS,
    )


def _score_all(district, nomination, scores):
    for key, score in zip(REVIEWERS, scores, strict=True):
        cs.score_record(actor=district.user(key), nomination=nomination, score=score)


def _published(district):
    """Two nominees scored by three reviewers, quota 1, published for a 5-day notice from today."""
    selection = _open(district)
    first, second = _nominate(district, selection, "张师傅"), _nominate(district, selection, "李师傅")
    cs.nominations_close(actor=district.user("econ"), selection=selection)
    _score_all(district, first, ["90", "92", "94"])
    _score_all(district, second, ["80", "85", "70"])
    today = timezone.localdate()
    cs.shortlist_publish(
        actor=district.user("econ"), selection=selection, notice_starts=today, notice_ends=today + timedelta(days=4)
    )
    return selection, first, second


def _notice_over(selection):
    """Moves the notice period into the past (the award waits for its end)."""
    today = timezone.localdate()
    CraftsmanSelection.objects.filter(pk=selection.pk).update(
        notice_starts=today - timedelta(days=10), notice_ends=today - timedelta(days=3)
    )


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=12))
def test_combined_score_is_a_mean_within_the_scores(scores):
    value = combined_score(scores)
    assert min(scores) <= value <= max(scores)
    assert value == value.quantize(Decimal("0.01"))


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=5, max_size=12))
def test_combined_score_ignores_one_extreme_score_from_five_reviewers(scores):
    raised = [*sorted(scores)[:-1], Decimal(100)]
    assert combined_score(raised) == combined_score(scores)


def test_combined_score_examples():
    assert combined_score([Decimal(90), Decimal(92), Decimal(94)]) == Decimal("92.00")
    assert combined_score([Decimal(x) for x in (10, 90, 91, 92, 100)]) == Decimal("91.00")
    assert combined_score([Decimal("1"), Decimal("2"), Decimal("2")]) == Decimal("1.67")


def test_full_selection_awards_a_dated_district_honour(district):
    selection, first, second = _published(district)
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.combined_score, first.rank, first.outcome) == (Decimal("92.00"), 1, Nomination.Outcome.SHORTLISTED)
    assert (second.rank, second.outcome) == (2, Nomination.Outcome.NOT_SELECTED)
    _notice_over(selection)
    today = timezone.localdate()
    honours = cs.selection_award(actor=district.user("econ"), selection=selection, awarded_on=today)
    assert len(honours) == 1
    honour = honours[0]
    assert (honour.person_id, honour.title, honour.level, honour.awarded_on) == (
        first.person_id,
        Honour.Title.CRAFTSMAN,
        Honour.Level.DISTRICT,
        today,
    )
    first.refresh_from_db()
    assert first.honour_id == honour.pk and first.outcome == Nomination.Outcome.AWARDED
    selection.refresh_from_db()
    assert selection.state == CraftsmanSelection.State.AWARDED and selection.awarded_on == today


def test_steps_out_of_order_are_refused(district):
    econ = district.user("econ")
    selection = _open(district)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="推荐中，不能发布公示"):
        cs.shortlist_publish(actor=econ, selection=selection, notice_starts=today, notice_ends=today + timedelta(5))
    with pytest.raises(ValidationError, match="推荐中，不能授予"):
        cs.selection_award(actor=econ, selection=selection, awarded_on=today)
    with pytest.raises(ValidationError, match="还没有任何推荐"):
        cs.nominations_close(actor=econ, selection=selection)
    nomination = _nominate(district, selection)
    with pytest.raises(ValidationError, match="不在评审阶段"):
        cs.score_record(actor=econ, nomination=nomination, score="90")
    cs.nominations_close(actor=econ, selection=selection)
    with pytest.raises(ValidationError, match="评审中，不能截止推荐"):
        cs.nominations_close(actor=econ, selection=selection)
    with pytest.raises(ValidationError, match="不能再推荐"):
        _nominate(district, selection, "王师傅")
    with pytest.raises(ValidationError, match="评审中，不能授予"):
        cs.selection_award(actor=econ, selection=selection, awarded_on=today)
    selection.refresh_from_db()
    assert selection.state == CraftsmanSelection.State.REVIEWING


def test_publish_needs_three_reviewers_and_a_five_day_notice(district):
    econ = district.user("econ")
    selection = _open(district)
    nomination = _nominate(district, selection)
    cs.nominations_close(actor=econ, selection=selection)
    cs.score_record(actor=econ, nomination=nomination, score="88")
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="评分不足 3 位评审：张师傅"):
        cs.shortlist_publish(actor=econ, selection=selection, notice_starts=today, notice_ends=today + timedelta(6))
    with pytest.raises(ValidationError, match="公示期不少于 5 天"):
        cs.shortlist_publish(actor=econ, selection=selection, notice_starts=today, notice_ends=today + timedelta(3))
    selection.refresh_from_db()
    assert selection.state == CraftsmanSelection.State.REVIEWING
    nomination.refresh_from_db()
    assert nomination.rank is None


def test_award_refused_before_the_notice_period_ends(district):
    selection, _first, _second = _published(district)
    with pytest.raises(ValidationError, match="公示期满后才能授予"):
        cs.selection_award(actor=district.user("econ"), selection=selection, awarded_on=timezone.localdate())
    assert not Honour.objects.exists()


def test_upheld_objection_withdraws_the_nominee(district):
    econ = district.user("econ")
    selection, first, _second = _published(district)
    today = timezone.localdate()
    objection = cs.objection_record(
        actor=econ, nomination=first, received_on=today, objector="匿名", content="反映其事迹中的节约金额不实"
    )
    _notice_over(selection)
    with pytest.raises(ValidationError, match="还有未核查的异议"):
        cs.selection_award(actor=econ, selection=selection, awarded_on=today)
    cs.objection_decide(actor=econ, objection=objection, upheld=True, note="经核实，节约金额为五万元，事迹不实")
    first.refresh_from_db()
    assert first.outcome == Nomination.Outcome.WITHDRAWN
    assert cs.selection_award(actor=econ, selection=selection, awarded_on=today) == []
    with pytest.raises(ValidationError, match="已授予，不能核查异议"):
        cs.objection_decide(actor=econ, objection=objection, upheld=False, note="再议")


def test_objection_refusals(district):
    econ = district.user("econ")
    _selection, first, second = _published(district)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="不在公示名单中"):
        cs.objection_record(actor=econ, nomination=second, received_on=today, objector="", content="有异议")
    with pytest.raises(ValidationError, match="公示期内"):
        cs.objection_record(
            actor=econ, nomination=first, received_on=today - timedelta(days=1), objector="", content="有异议"
        )
    with pytest.raises(ValidationError, match="异议内容"):
        cs.objection_record(actor=econ, nomination=first, received_on=today, objector="", content="  ")
    objection = cs.objection_record(actor=econ, nomination=first, received_on=today, objector="", content="有异议")
    assert objection.objector == "匿名"
    with pytest.raises(ValidationError, match="核查情况"):
        cs.objection_decide(actor=econ, objection=objection, upheld=False, note="")
    cs.objection_decide(actor=econ, objection=objection, upheld=False, note="经核实，反映情况不属实")
    with pytest.raises(ValidationError, match="已有核查结论"):
        cs.objection_decide(actor=econ, objection=objection, upheld=True, note="再议")
    assert Objection.objects.get().finding == Objection.Finding.DISMISSED


def test_scope_and_input_refusals(district):
    selection = _open(district)
    outsider = member(district.union_b, name="赵师傅").person
    with pytest.raises(ValidationError, match="不是沙坨村工会联合会（含下级）的在册会员"):
        cs.nomination_add(
            actor=district.user("chair_a"),
            selection=selection,
            union=district.union_a,
            person=outsider,
            trade="电工",
            deeds=DEEDS,
        )
    with pytest.raises(PermissionDenied):
        cs.nomination_add(
            actor=district.user("chair_a"),
            selection=selection,
            union=district.union_b,
            person=outsider,
            trade="电工",
            deeds=DEEDS,
        )
    with pytest.raises(ValidationError, match="至少 20 字"):
        cs.nomination_add(
            actor=district.user("town_b"),
            selection=selection,
            union=district.union_b,
            person=outsider,
            trade="电工",
            deeds="好",
        )
    nomination = _nominate(district, selection)
    with pytest.raises(ValidationError, match="不能重复推荐"):
        cs.nomination_add(
            actor=district.user("town_a"),
            selection=selection,
            union=district.town_a,
            person=nomination.person,
            trade="电工",
            deeds=DEEDS,
        )
    with pytest.raises(PermissionDenied):
        cs.nominations_close(actor=district.user("town_a"), selection=selection)
    with pytest.raises(PermissionDenied):
        _open(district, actor=district.user("town_a"), year=2027)
    with pytest.raises(ValidationError, match="区总工会组织"):
        _open(district, organiser=district.town_a, year=2027)
    with pytest.raises(ValidationError, match="已经存在"):
        _open(district)
    with pytest.raises(ValidationError, match="2000–2100"):
        _open(district, year=0)
    cs.nominations_close(actor=district.user("econ"), selection=selection)
    with pytest.raises(PermissionDenied):
        cs.score_record(actor=district.user("town_a"), nomination=nomination, score="90")
    for bad in ("NaN", "abc", "-1", "100.5", "90.123", "1e400"):
        with pytest.raises(ValidationError, match="评分"):
            cs.score_record(actor=district.user("econ"), nomination=nomination, score=bad)
    # a reviewer who nominated someone may not score them
    chair_nominee = Nomination.objects.get(pk=nomination.pk)
    Nomination.objects.filter(pk=chair_nominee.pk).update(nominated_by=district.user("econ"))
    chair_nominee.refresh_from_db()
    with pytest.raises(ValidationError, match="自己推荐"):
        cs.score_record(actor=district.user("econ"), nomination=chair_nominee, score="90")
    assert not chair_nominee.scores.exists()


def test_rescoring_replaces_the_reviewers_score(district):
    selection = _open(district)
    nomination = _nominate(district, selection)
    cs.nominations_close(actor=district.user("econ"), selection=selection)
    cs.score_record(actor=district.user("econ"), nomination=nomination, score="70")
    cs.score_record(actor=district.user("econ"), nomination=nomination, score="75.5")
    assert [s.score for s in nomination.scores.all()] == [Decimal("75.50")]
