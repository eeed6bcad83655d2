"""Close guard of organisations (registered in appeals.apps)."""

from __future__ import annotations

from appeals.models import Appeal, Referral
from appeals.services.common import S
from orgs.models import Organisation


def open_appeals_guard(organisation: Organisation) -> str | None:
    """Close guard: an organisation with open requests (or open referrals to it) cannot be closed."""
    n = Appeal.objects.filter(organisation=organisation).exclude(state=S.CLOSED).count()
    m = Referral.objects.filter(handler_org=organisation, state__in=Referral.OPEN_STATES).count()
    if n or m:
        return f"尚有 {n} 件未办结诉求、{m} 件待办转办"
    return None
