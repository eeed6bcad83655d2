"""Changes to activities: a union reports an activity it held."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities.models import Activity
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at


def activity_report(
    *, actor: Any, organisation: Organisation, title: str, kind: str, held_on: date, participants: int
) -> Activity:
    """A union reports an activity it held (counted by the joint-union subsidy)."""
    if not can_at(actor, Perm.ORG_CHANGE, organisation):
        raise PermissionDenied("您没有为该工会报送活动的权限")
    if not organisation.is_grassroots:
        raise ValidationError({"organisation": "只有基层工会可以报送活动"})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "举办日期不能晚于今天：只报送已经开展的活动"})
    if participants < 1:
        raise ValidationError({"participants": "参加人数须大于零"})
    return Activity.objects.create(
        organisation=organisation,
        title=title.strip(),
        kind=kind,
        held_on=held_on,
        participants=participants,
        reported_by=actor,
        reported_at=timezone.now(),
    )
