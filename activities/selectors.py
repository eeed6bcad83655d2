"""Reading activities: always through orgs.scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from activities.models import Activity
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import scoped


def visible_activities(user: Any) -> QuerySet[Activity]:
    """The activities of the unions the user may see, newest first, with what a list row shows."""
    return (
        scoped(user, Perm.ORG_VIEW, Activity.objects.all())
        .select_related("organisation", "reported_by")
        .order_by("-held_on", "-id")
    )


def reporting_unions(user: Any) -> QuerySet[Organisation]:
    """The active grassroots unions the user may report an activity for."""
    return scoped(
        user,
        Perm.ORG_CHANGE,
        Organisation.objects.filter(kind__in=Organisation.GRASSROOTS_KINDS, status=Organisation.Status.ACTIVE),
    ).order_by("path")
