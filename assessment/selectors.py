"""Reading yearly assessments: always through orgs.scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from assessment.models import OrganisationAssessment
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import scoped


def visible_assessments(user: Any) -> QuerySet[OrganisationAssessment]:
    """The assessments of the unions the user may see, latest year first, in tree order."""
    return (
        scoped(user, Perm.ORG_VIEW, OrganisationAssessment.objects.all())
        .select_related("organisation", "assessed_by")
        .order_by("-year", "organisation__path")
    )


def assessable_unions(user: Any) -> QuerySet[Organisation]:
    """Active grassroots unions below the user's own organisations (a union does not assess itself;
    the service checks the parent)."""
    return scoped(
        user,
        Perm.ORG_CHANGE,
        Organisation.objects.filter(
            kind__in=Organisation.GRASSROOTS_KINDS, status=Organisation.Status.ACTIVE, depth__gt=1
        ),
    ).order_by("path")
