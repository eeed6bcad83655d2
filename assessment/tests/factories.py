"""Assessments for tests, recorded through the service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assessment.models import OrganisationAssessment
from assessment.services import assessment_record


def two_assessments(district: Any) -> tuple[OrganisationAssessment, OrganisationAssessment]:
    """Union A passed (recorded by its town), union B failed (recorded by the district)."""
    a = assessment_record(
        actor=district.user("town_a"), organisation=district.union_a, year=2026, score=Decimal("86.5"), passed=True
    )
    b = assessment_record(
        actor=district.user("admin"), organisation=district.union_b, year=2026, score=Decimal("55"), passed=False
    )
    return a, b
