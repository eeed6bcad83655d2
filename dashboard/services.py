"""What changes state in the dashboard: the officers' work-report drafts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dashboard.figures import Period
from dashboard.models import ReportDraft
from dashboard.report import template_errors
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at


def _check(user: Any, organisation: Organisation) -> None:
    if not can_at(user, Perm.ORG_CHANGE, organisation):
        raise PermissionDenied("您无权修改该组织的工作简报")


@transaction.atomic
def draft_save(*, user: Any, organisation: Organisation, period: Period, template: str) -> ReportDraft:
    """Keep the edited wording of the report of ``organisation`` for ``period`` (one draft each)."""
    _check(user, organisation)
    errors = template_errors(template)
    if errors:
        raise ValidationError(errors)
    draft, _ = ReportDraft.objects.update_or_create(
        organisation=organisation,
        start=period.start,
        end=period.end,
        defaults={"template": template, "updated_by": user},
    )
    return draft


@transaction.atomic
def draft_reset(*, user: Any, organisation: Organisation, period: Period) -> int:
    """Back to the standard wording: the draft is removed."""
    _check(user, organisation)
    deleted, _ = ReportDraft.objects.filter(organisation=organisation, start=period.start, end=period.end).delete()
    return deleted
