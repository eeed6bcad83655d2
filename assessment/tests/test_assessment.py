from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.models import OrganisationAssessment
from assessment.services import assessment_record
from orgs.roles import Perm
from orgs.testing import EXPORT, LIST, ScopedRoute, check_route

pytestmark = pytest.mark.django_db


@pytest.fixture
def scores(district):
    a = assessment_record(
        actor=district.user("town_a"), organisation=district.union_a, year=2026, score=Decimal("86.5"), passed=True
    )
    b = assessment_record(
        actor=district.user("admin"), organisation=district.union_b, year=2026, score=Decimal("55"), passed=False
    )
    return a, b


@pytest.mark.parametrize(
    "route",
    [
        ScopedRoute("assessment list", LIST, Perm.ORG_VIEW, lambda a: "/assessment/", lambda a: a.organisation.name),
        ScopedRoute(
            "assessment export",
            EXPORT,
            Perm.ORG_VIEW,
            lambda a: "/assessment/?export=xlsx",
            lambda a: a.organisation.name,
        ),
    ],
    ids=lambda r: r.name,
)
def test_scope_matrix(client, district, scores, route):
    a, b = scores
    inside = {"admin": a, "org_dept": b, "auditor": a, "town_a": a, "chair_a": a, "worker_a": a}
    outside = {"town_a": b, "town_b": a, "chair_a": b}
    assert check_route(client, district, route, inside=inside, outside=outside) == []


def test_a_union_does_not_assess_itself_and_one_result_a_year(district, scores):
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


def test_entry_page(client, district):
    client.force_login(district.user("town_a"))
    r = client.post(
        "/assessment/", {"organisation": district.union_a.pk, "year": "2026", "score": "91", "passed": "on"}
    )
    assert r.status_code == 302 and OrganisationAssessment.objects.get().passed
    r = client.post("/assessment/", {"organisation": district.union_a.pk, "year": "2026", "score": "91"})
    assert r.status_code == 200 and "已有考评结果" in r.content.decode()
