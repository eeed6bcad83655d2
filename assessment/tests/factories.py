"""A small hand-countable fixture for the assessment's indicators, and sets built through the service."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from activities.models import Activity
from appeals.models import Appeal
from appeals.tests.factories import at, make_appeal
from assessment import services
from assessment.models import AssesseeKind, IndicatorSet
from assessment.testing import DEFAULT_BANDS
from funds.testing import add_members

A = services.IndicatorSpec


def small_world(district: Any) -> dict[str, Any]:
    """沙坨村 (union_a) in 2026: 12 members at the start of the year, 13 at its end (2 left, 3
    joined); 3 activities in the year whose reports were reviewed (plus one unreported, one awaiting
    review, one returned and a reviewed one of 2025); 4 requests of
    2026 (plus one of 2025). 西泗上村 (union_b) has no data at all."""
    ua = district.union_a
    stay = add_members(ua, 10, joined_on=date(2025, 1, 1))
    left = add_members(ua, 2, joined_on=date(2025, 6, 1), ended_on=date(2026, 3, 1))
    joined = add_members(ua, 3, joined_on=date(2026, 5, 1))
    now = timezone.make_aware(datetime(2026, 9, 30, 12))
    reviewed = Activity.State.REVIEWED
    held = [
        Activity.objects.create(
            organisation=ua, title=f"活动{d}", held_on=date(2026, 4, d), reported_at=now, state=reviewed
        )
        for d in (1, 2, 3)
    ]
    Activity.objects.create(organisation=ua, title="未报送", held_on=date(2026, 4, 9))
    for title, state in (("待审核", Activity.State.REPORTED), ("被退回", Activity.State.RETURNED)):
        Activity.objects.create(organisation=ua, title=title, held_on=date(2026, 4, 10), reported_at=now, state=state)
    Activity.objects.create(
        organisation=ua, title="上年度", held_on=date(2025, 12, 30), reported_at=now, state=reviewed
    )
    appeals = [make_appeal(district, org=ua, when=at(2026, 3, d)) for d in (1, 2, 3, 4)]
    make_appeal(district, org=ua, when=at(2025, 12, 30))
    flags = [
        {"contacted_in_time": True, "resolved": True, "rating": Appeal.Rating.SATISFIED},
        {"contacted_in_time": True, "resolved": True, "rating": Appeal.Rating.BASIC},
        {"contacted_in_time": False, "invalid": True, "invalid_reason": "重复登记"},
        {"contacted_in_time": True, "resolved": False},
    ]
    for appeal, values in zip(appeals, flags, strict=True):
        Appeal.objects.filter(pk=appeal.pk).update(**values)
    return {"stay": stay, "left": left, "joined": joined, "activities": held, "appeals": appeals}


def joint_set(district: Any, *, indicators: list[A] | None = None, reviewers: tuple = ()) -> IndicatorSet:
    return services.indicator_set_create(
        actor=district.user("admin"),
        organisation=district.root,
        year=2026,
        assessee_kind=AssesseeKind.JOINT,
        name="2026 年度联合会考核",
        indicators=indicators
        or [
            A("开展活动次数", "40", "auto", "activities_held", floor="0", target="4"),
            A("组织会员人数", "30", "auto", "members_organised", floor="0", target="20"),
            A("规范化建设", "30"),
        ],
        grade_bands=DEFAULT_BANDS,
        pass_score="60",
        reviewers=list(reviewers) or [district.user("org_dept"), district.user("auditor")],
    )


def score_both(district: Any, indicator_set: IndicatorSet, a: str = "80", b: str = "90") -> None:
    manual = indicator_set.indicators.get(source="manual")
    for key, score in (("org_dept", a), ("auditor", b)):
        services.manual_score_record(
            actor=district.user(key),
            indicator=manual,
            organisation=district.union_a,
            score=Decimal(score),
            evidence="台账齐全",
        )


def publish(district: Any, indicator_set: IndicatorSet) -> Any:
    version = services.assessment_compute(actor=district.user("admin"), indicator_set=indicator_set)
    services.assessment_review(actor=district.user("org_dept"), assessment=version)
    return services.assessment_publish(actor=district.user("org_dept"), assessment=version)
