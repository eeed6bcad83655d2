"""Test, demo and benchmark helpers: a published assessment of given scores, through the services.

The set (one manual indicator of weight 100), its computation, review and publication go through
``assessment.services``; only the reviewers' scores are bulk-inserted (50,000 of them in the funds
benchmark) instead of one ``manual_score_record`` call each.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from assessment import services
from assessment.models import Assessment, IndicatorSet, ManualScore
from orgs.models import Organisation

DEFAULT_BANDS = [
    {"min_score": "90", "grade": "优秀"},
    {"min_score": "75", "grade": "良好"},
    {"min_score": "60", "grade": "合格"},
    {"min_score": "0", "grade": "不合格"},
]
# A social workers' set grades with the yearly evaluation's results.
WORKER_BANDS = [
    {"min_score": "90", "grade": "优秀"},
    {"min_score": "75", "grade": "称职"},
    {"min_score": "60", "grade": "基本称职"},
    {"min_score": "0", "grade": "不称职"},
]


def publish_scores(
    *,
    organisation: Organisation,
    year: int,
    kind: str,
    scores: Mapping[int, Decimal],
    computer: Any,
    checker: Any,
    pass_score: str = "60",
    indicator_set: IndicatorSet | None = None,
) -> Assessment:
    """Publish ``scores`` (organisation id → 0–100) as the year's assessment of ``kind`` below
    ``organisation``: ``computer`` scores and computes, ``checker`` reviews and publishes. With
    ``indicator_set`` given, its scores are replaced and a new version is computed."""
    if indicator_set is None:
        indicator_set = services.indicator_set_create(
            actor=computer,
            organisation=organisation,
            year=year,
            assessee_kind=kind,
            name=f"{year} 年度综合考评",
            indicators=[services.IndicatorSpec(label="年度综合考评", weight="100")],
            grade_bands=DEFAULT_BANDS,
            pass_score=pass_score,
            reviewers=[computer],
        )
    indicator = indicator_set.indicators.get()
    ManualScore.objects.filter(indicator=indicator).delete()
    ManualScore.objects.bulk_create(
        (
            ManualScore(
                indicator=indicator, organisation_id=pk, reviewer=computer, score=score, evidence="年度考评材料"
            )
            for pk, score in scores.items()
        ),
        batch_size=5000,
    )
    version = services.assessment_compute(actor=computer, indicator_set=indicator_set)
    services.assessment_review(actor=checker, assessment=version)
    return services.assessment_publish(actor=checker, assessment=version)
