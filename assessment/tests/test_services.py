from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment import selectors
from assessment.models import OrganisationAssessment
from assessment.services import assessment_record
from assessment.tests.factories import two_assessments

pytestmark = pytest.mark.django_db


def test_a_union_does_not_assess_itself_and_one_result_a_year(district):
    two_assessments(district)
    with pytest.raises(PermissionDenied):
        assessment_record(
            actor=district.user("chair_a"), organisation=district.union_a, year=2027, score=Decimal("99"), passed=True
        )
    with pytest.raises(PermissionDenied):
        assessment_record(
            actor=district.user("town_a"), organisation=district.union_b, year=2027, score=Decimal("99"), passed=True
        )
    with pytest.raises(ValidationError, match="已有考评结果"):
        assessment_record(
            actor=district.user("town_a"), organisation=district.union_a, year=2026, score=Decimal("90"), passed=True
        )
    with pytest.raises(ValidationError, match="0 到 100"):
        assessment_record(
            actor=district.user("town_a"), organisation=district.union_a, year=2027, score=Decimal("101"), passed=True
        )
    assert OrganisationAssessment.objects.count() == 2


def test_selectors_are_scoped(district):
    a, b = two_assessments(district)
    assert list(selectors.visible_assessments(district.user("chair_a"))) == [a]
    assert set(selectors.visible_assessments(district.user("admin"))) == {a, b}
    unions = list(selectors.assessable_unions(district.user("town_a")))
    assert district.union_a in unions and district.town_a not in unions and district.union_b not in unions
