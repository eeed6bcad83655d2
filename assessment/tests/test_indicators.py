"""Each automatic indicator against values counted by hand on ``small_world``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from assessment.models import AssesseeKind
from assessment.registry import Assessee, Run, get_indicator, indicators_for
from assessment.tests.factories import small_world
from assistance.models import HardshipFile, Verification
from assistance.tests.factories import hardship_file
from cadres import services as cadres_services
from cadres.models import Attendance, Post
from cadres.tests.factories import cadre, post, training_class
from members.tests.factories import member
from orgs.services import organisation_create
from surveys.tests.factories import answer, satisfaction_survey, workers

pytestmark = pytest.mark.django_db


def run_of(district, *orgs):
    return Run(
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        root_path=district.root.path,
        assessees=[Assessee(o.pk, o.path, o.name) for o in orgs],
    )


def measure(district, key, *orgs):
    return get_indicator(key).compute(run_of(district, *orgs))


def test_appeal_rates_by_hand(district):
    w = small_world(district)
    ua, ub = district.union_a, district.union_b
    response = measure(district, "appeals_response", ua, ub)
    # 3 of the 4 requests of 2026 contacted in time; the 2025 request is outside the period
    assert response[ua.pk].value == D("75.0") and sorted(response[ua.pk].rows) == sorted(a.pk for a in w["appeals"])
    assert ub.pk not in response  # no requests: not applicable
    resolution = measure(district, "appeals_resolution", ua)[ua.pk]
    assert resolution.value == D("66.7") and len(resolution.rows) == 3  # 2 resolved of 3 valid
    satisfaction = measure(district, "appeals_satisfaction", ua)[ua.pk]
    assert satisfaction.value == D("90.0")  # (1 satisfied + 0.8 × 1 basic) / 2 rated
    assert "已评价 2 件" in satisfaction.note


def test_members_and_growth_by_hand(district):
    w = small_world(district)
    ua = district.union_a
    organised = measure(district, "members_organised", ua, district.union_b)
    assert organised[ua.pk].value == D(13) and district.union_b.pk not in organised
    assert set(organised[ua.pk].rows) == {m.pk for m in w["stay"] + w["joined"]}
    growth = measure(district, "members_growth", ua)[ua.pk]
    assert growth.value == D("8.3")  # (13 − 12) / 12
    assert set(growth.rows) == {m.pk for m in w["joined"]}


def test_activities_by_hand(district):
    w = small_world(district)
    got = measure(district, "activities_held", district.union_a)[district.union_a.pk]
    assert got.value == D(3) and set(got.rows) == {a.pk for a in w["activities"]}


def test_a_town_counts_its_subtree_and_unions_founded(district):
    small_world(district)
    new = organisation_create(
        actor=None,
        parent=district.town_a,
        code="T-A-9",
        name="新建村工会联合会",
        kind="village_joint",
        founded_on=date(2026, 3, 1),
    )
    founded = measure(district, "unions_founded", district.town_a, district.town_b)
    assert founded[district.town_a.pk].value == D(1) and founded[district.town_a.pk].rows == [new.pk]
    assert district.town_b.pk not in founded
    # the town's activities are its unions' (沙坨村's 3)
    assert measure(district, "activities_held", district.town_a)[district.town_a.pk].value == D(3)
    assert "unions_founded" not in {d.key for d in indicators_for(AssesseeKind.JOINT)}


def test_the_registry_describes_every_indicator():
    keys = {d.key for d in indicators_for(AssesseeKind.SUB_FEDERATION)}
    assert {
        "appeals_response",
        "appeals_resolution",
        "appeals_satisfaction",
        "activities_held",
        "members_organised",
        "members_growth",
        "unions_founded",
        "dues_paid",
        "dues_growth",
        "startup_grants_used",
        "cadres_trained",
        "hardship_reverified",
        "surveys_response",
        "surveys_satisfaction",
    } <= keys
    for key in keys:
        d = get_indicator(key)
        assert d.label and d.description and d.row_columns and d.default_target > d.default_floor


def test_only_reviewed_activities_count(district):
    small_world(district)
    # 待审核 and 被退回 were held and reported in 2026 but are not counted until the union above accepts them
    held = measure(district, "activities_held", district.union_a)[district.union_a.pk]
    assert held.value == D(3) and "审核通过" in held.note
    assert "审核通过" in get_indicator("activities_held").description


def test_cadres_trained_by_hand(district):
    """town_a: 沙坨村's chair (trained in 2026) and vice-chair (not), 顺鑫物流's chair (trained in 2025
    only), a chair whose post ended in 2025 (not to train) → 1 of 3; 西泗上村: 1 untrained → 0."""
    ua, firm, ub = district.union_a, district.firm_a, district.union_b
    trained, vice, firm_chair, gone, other = (
        cadre(district, org, name) for org, name in ((ua, "张"), (ua, "王"), (firm, "刘"), (ua, "赵"), (ub, "李"))
    )
    post(district, ua, trained)
    post(district, ua, vice, Post.Role.VICE_CHAIR)
    post(district, firm, firm_chair)
    ended = post(district, ua, gone, Post.Role.COMMITTEE)
    Post.objects.filter(pk=ended.pk).update(ended_on=date(2025, 6, 30))  # left before 2026
    post(district, ub, other)
    spring = training_class(district, district.root, "春训班", date(2026, 3, 1), date(2026, 3, 5))
    last_year = training_class(district, district.root, "岁末班", date(2025, 12, 1), date(2025, 12, 5))
    for klass, who, on in ((spring, trained, date(2026, 3, 5)), (last_year, firm_chair, date(2025, 12, 5))):
        cadres_services.attendance_record(
            actor=district.user("admin"),
            training_class=klass,
            cadre=who,
            status=Attendance.Status.COMPLETED,
            completed_on=on,
        )
    got = measure(district, "cadres_trained", district.town_a, district.town_b, district.root)
    town_a = got[district.town_a.pk]
    assert town_a.value == D("33.3") and "应培训基层工会干部 3 人，已完成培训 1 人" in town_a.note
    assert set(Post.objects.filter(pk__in=town_a.rows).values_list("cadre__name", flat=True)) == {"张", "王", "刘"}
    assert got[district.town_b.pk].value == D("0.0")
    assert district.root.pk not in got  # the rows belong to the towns, each counted once
    assert district.union_a.pk not in measure(district, "cadres_trained", district.town_b)


def _file(union, name, start, end, **extra):
    return hardship_file(member(union, name=name).person, approved_on=start, valid_until=end, **extra)


def test_hardship_files_reverified_on_time_by_hand(district):
    """2025 at 沙坨村: due 1 March (renewed 20 Feb: on time), due 1 May (renewed 1 June: late), due
    1 July (exited in August, never renewed: late), due 31 December (renewed that day: on time); not
    due: a file exited while still covered, a span due 31 December 2024 → 2 of 4."""
    ua = district.union_a
    early = _file(ua, "甲", date(2024, 3, 1), date(2025, 2, 28))
    late = _file(ua, "乙", date(2024, 5, 1), date(2025, 4, 30))
    _file(ua, "丙", date(2024, 6, 1), date(2025, 5, 31), state=HardshipFile.State.EXITED, exited_on=date(2025, 5, 10))
    lapsed = _file(
        ua, "丁", date(2024, 7, 1), date(2025, 6, 30), state=HardshipFile.State.EXITED, exited_on=date(2025, 8, 1)
    )
    last_day = _file(ua, "戊", date(2024, 12, 31), date(2025, 12, 30))
    _file(ua, "己", date(2023, 12, 31), date(2024, 12, 30))
    for file, done in ((early, date(2025, 2, 20)), (late, date(2025, 6, 1)), (last_day, date(2025, 12, 31))):
        Verification.objects.create(
            file=file, kind=Verification.Kind.YEARLY, done_on=done, valid_until=done.replace(year=done.year + 1)
        )
    run = Run(date(2025, 1, 1), date(2025, 12, 31), district.root.path, [Assessee(ua.pk, ua.path, ua.name)])
    got = get_indicator("hardship_reverified").compute(run)[ua.pk]
    assert got.value == D("50.0") and got.note == "期内到期应复核 4 件，按期复核 2 件"
    initial = Verification.objects.filter(kind=Verification.Kind.INITIAL)
    assert set(got.rows) == set(initial.filter(file__in=[early, late, lapsed, last_day]).values_list("pk", flat=True))
    # 2026 is not over: only what fell due by today counts, and a union without files has no rate
    assert district.union_b.pk not in measure(district, "hardship_reverified", district.union_b)


def test_survey_response_and_satisfaction_by_hand(district):
    """西泗上村's survey: 3 invited, 2 answered (scores 5 and 3 of 1–5 → 100 and 50) → 66.7% and 75.0;
    its town rolls it up; 沙坨村 and 仁和镇 had no survey (not applicable)."""
    users = workers(district.union_b, 3, "kh")
    survey = satisfaction_survey(district)
    answer(survey, users[0], score=5)
    answer(survey, users[1], score=3)
    for orgs in ((district.union_b, district.union_a), (district.town_b, district.town_a)):
        response = measure(district, "surveys_response", *orgs)
        satisfaction = measure(district, "surveys_satisfaction", *orgs)
        got, none = orgs
        assert response[got.pk].value == D("66.7") and response[got.pk].rows == [survey.pk]
        assert response[got.pk].note == "邀请 3 人次，作答 2 人次"
        assert satisfaction[got.pk].value == D("75.0") and satisfaction[got.pk].rows == [survey.pk]
        assert none.pk not in response and none.pk not in satisfaction


def test_a_subtree_satisfaction_weights_every_answer_alike(district):
    """仁和镇's survey: 沙坨村's 3 answers score 100 each, 顺鑫物流's one 0 → the town's 75.0 (each
    answer alike), not 50.0 (the mean of the two unions' means)."""
    a_users, firm_users = workers(district.union_a, 3, "wa"), workers(district.firm_a, 1, "wf")
    survey = satisfaction_survey(district, organisation=district.town_a, actor_key="town_a")
    for user in a_users:
        answer(survey, user, score=5)
    answer(survey, firm_users[0], score=1)
    got = measure(district, "surveys_satisfaction", district.town_a)[district.town_a.pk]
    assert got.value == D("75.0") and "量表题作答 4 个" in got.note
    assert measure(district, "surveys_response", district.town_a)[district.town_a.pk].value == D("100.0")
