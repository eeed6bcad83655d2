from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities.models import Activity
from assessment import selectors, services
from assessment.models import Assessment, AssessmentEvent, AssessmentResult, IndicatorSet
from assessment.tests.factories import A, joint_set, publish, score_both, small_world

pytestmark = pytest.mark.django_db
S = Assessment.State


def test_weights_not_summing_to_100_are_refused(district):
    with pytest.raises(ValidationError, match=r"权重合计为 90\.00 分，应为 100 分"):
        joint_set(district, indicators=[A("开展活动次数", "60", "auto", "activities_held"), A("规范化建设", "30")])
    with pytest.raises(ValidationError, match="第 1 项指标“新建基层工会数”不适用于此类考核对象"):
        joint_set(district, indicators=[A("新建基层工会数", "100", "auto", "unions_founded")])
    with pytest.raises(ValidationError, match="没有名为“nope”的自动指标"):
        joint_set(district, indicators=[A("x", "100", "auto", "nope")])
    with pytest.raises(ValidationError, match="第 2 项指标的“权重”应为有限的数字"):
        joint_set(district, indicators=[A("a", "50"), A("b", "NaN")])
    with pytest.raises(ValidationError, match="满分值应大于起评值"):
        joint_set(district, indicators=[A("a", "100", "auto", "activities_held", floor="5", target="5")])
    assert not IndicatorSet.objects.exists()


def test_who_sets_up_and_scores(district):
    with pytest.raises(PermissionDenied):
        services.indicator_set_create(
            actor=district.user("town_a"),
            organisation=district.root,
            year=2026,
            assessee_kind="joint",
            name="x",
            indicators=[A("a", "100")],
            grade_bands=[{"min_score": "0", "grade": "合格"}],
        )
    s = joint_set(district)
    manual = s.indicators.get(source="manual")
    with pytest.raises(PermissionDenied):  # not a named reviewer
        services.manual_score_record(
            actor=district.user("admin"), indicator=manual, organisation=district.union_a, score="80", evidence="x"
        )
    reviewer = district.user("org_dept")
    with pytest.raises(ValidationError, match=r"评分应在 0\.00 到 100\.00 之间"):
        services.manual_score_record(
            actor=reviewer, indicator=manual, organisation=district.union_a, score="101", evidence="x"
        )
    with pytest.raises(ValidationError, match="不是本指标体系的考核对象"):
        services.manual_score_record(
            actor=reviewer, indicator=manual, organisation=district.firm_a, score="80", evidence="x"
        )
    with pytest.raises(ValidationError, match="请填写评分依据"):
        services.manual_score_record(
            actor=reviewer, indicator=manual, organisation=district.union_a, score="80", evidence=" "
        )


def test_scores_totals_ranks_grades(district):
    small_world(district)
    s = joint_set(district)
    score_both(district, s, "80", "90")  # mean 85
    version = services.assessment_compute(actor=district.user("admin"), indicator_set=s)
    a = version.results.get(organisation=district.union_a)
    # activities 3 of target 4 → 75 → 40 × 0.75 = 30; members 13 of 20 → 65 → 30 × 0.65 = 19.5;
    # manual mean 85 → 30 × 0.85 = 25.5; total 75.00 → 良好, rank 1
    assert a.lines["1"]["points"] == "30.00" and a.lines["2"]["points"] == "19.50" and a.lines["3"]["score"] == "85.00"
    assert (a.total, a.rank, a.grade, a.passed) == (D("75.00"), 1, "良好", True)
    b = version.results.get(organisation=district.union_b)
    # no data at all: members and activities count 0 (0 points), manual not scored (weight spread)
    assert (b.total, b.rank, b.grade, b.passed) == (D("0.00"), 2, "不合格", False)
    assert b.lines["3"]["points"] is None and b.lines["1"]["points"] == "0.00"


def test_a_published_result_is_frozen_and_a_recomputation_is_a_new_version(district):
    small_world(district)
    s = joint_set(district)
    score_both(district, s)
    v1 = publish(district, s)
    assert v1.state == S.PUBLISHED
    # the data changes: one more activity, its report reviewed late
    Activity.objects.create(
        organisation=district.union_a,
        title="迟到的报送",
        held_on=date(2026, 11, 1),
        reported_at=timezone.make_aware(datetime(2026, 11, 2)),
        state=Activity.State.REVIEWED,
    )
    frozen = selectors.published_results(2026).get(organisation=district.union_a)
    assert frozen.total == D("75.00") and frozen.assessment == v1
    v2 = services.assessment_compute(actor=district.user("admin"), indicator_set=s, note="补报活动")
    assert v2.version == 2 and v2.state == S.COMPUTED and v2.compared_to == v1
    # activities 4 of 4 → 40 points: 75 → 85
    assert v2.differences == [
        {
            "organisation": district.union_a.pk,
            "name": district.union_a.name,
            "before": "75.00",
            "after": "85.00",
            "lines": {"1": ["30.00", "40.00"]},
        }
    ]
    assert selectors.published_results(2026).get(organisation=district.union_a).total == D("75.00")
    with pytest.raises(ValidationError, match="计算人不能审核"):
        services.assessment_review(actor=district.user("admin"), assessment=v2)
    with pytest.raises(ValidationError, match="不能发布"):
        services.assessment_publish(actor=district.user("org_dept"), assessment=v2)
    services.assessment_review(actor=district.user("org_dept"), assessment=v2)
    services.assessment_publish(actor=district.user("org_dept"), assessment=v2)
    v1.refresh_from_db()
    assert v1.state == S.SUPERSEDED
    assert selectors.published_results(2026).get(organisation=district.union_a).total == D("85.00")
    assert AssessmentResult.objects.filter(assessment=v1, organisation=district.union_a).get().total == D("75.00")
    kinds = list(AssessmentEvent.objects.order_by("pk").values_list("assessment__version", "kind"))
    assert kinds == [
        (1, "compute"),
        (1, "review"),
        (1, "publish"),
        (2, "recompute"),
        (2, "review"),
        (1, "supersede"),
        (2, "publish"),
    ]


def test_an_unpublished_draft_is_superseded_by_the_next_computation(district):
    s = joint_set(district)
    v1 = services.assessment_compute(actor=district.user("admin"), indicator_set=s)
    v2 = services.assessment_compute(actor=district.user("admin"), indicator_set=s)
    v1.refresh_from_db()
    assert v1.state == S.SUPERSEDED and v2.compared_to == v1 and v2.differences == []
    with pytest.raises(PermissionDenied):
        services.assessment_compute(actor=district.user("town_a"), indicator_set=s)
    with pytest.raises(ValidationError, match="请填写退回原因"):
        services.assessment_reopen(actor=district.user("org_dept"), assessment=v2, reason="")


def test_who_sees_which_results(district):
    small_world(district)
    s = joint_set(district)
    v1 = services.assessment_compute(actor=district.user("admin"), indicator_set=s)
    chair = district.user("chair_a")
    assert not selectors.visible_results(chair).exists()  # not published yet
    assert selectors.visible_results(district.user("auditor")).count() == 2
    services.assessment_review(actor=district.user("org_dept"), assessment=v1)
    services.assessment_publish(actor=district.user("org_dept"), assessment=v1)
    assert [r.organisation for r in selectors.visible_results(chair)] == [district.union_a]
    assert not selectors.visible_sets(chair).exists()
    assert not selectors.visible_results(district.user("town_b")).filter(organisation=district.union_a).exists()
