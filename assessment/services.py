"""Changes to assessments: a superior records a union's yearly result."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from assessment.models import OrganisationAssessment
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at


def assessment_record(
    *, actor: Any, organisation: Organisation, year: int, score: Decimal, passed: bool
) -> OrganisationAssessment:
    """A superior records a union's yearly assessment: the assessor must hold ORG_CHANGE over the
    union's parent, so a union never assesses itself."""
    parent = Organisation.objects.filter(path=organisation.parent_path).first() if organisation.depth > 1 else None
    if parent is None or not can_at(actor, Perm.ORG_CHANGE, parent):
        raise PermissionDenied("考评须由上级组织录入")
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"score": "得分应在 0 到 100 之间"})
    try:
        with transaction.atomic():
            return OrganisationAssessment.objects.create(
                organisation=organisation, year=year, score=score, passed=passed, assessed_by=actor
            )
    except IntegrityError:
        raise ValidationError({"year": f"{organisation.name} {year} 年已有考评结果"}) from None
