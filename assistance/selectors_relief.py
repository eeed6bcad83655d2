"""Reads of the relief and scholarship pages, API and workbench: always through ``orgs.scope``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from assistance.models import ReliefApplication, ScholarshipApplication
from assistance.models.applications import ApplicationState
from funds.models import Payment, Programme
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, grants_with, scoped

S = ApplicationState


def relief_rows(user: Any, perm: str = Perm.ASSISTANCE_VIEW) -> QuerySet[ReliefApplication]:
    return scoped(user, perm, ReliefApplication.objects.all()).select_related(
        "person", "organisation", "cycle", "hardship_file"
    )


def scholarship_rows(user: Any, perm: str = Perm.ASSISTANCE_VIEW) -> QuerySet[ScholarshipApplication]:
    return scoped(user, perm, ScholarshipApplication.objects.all()).select_related(
        "person", "organisation", "hardship_file"
    )


def relief_payments(application: ReliefApplication) -> QuerySet[Payment]:
    if application.cycle_id is None:
        return Payment.objects.none()
    return Payment.objects.filter(cycle_id=application.cycle_id).select_related("entry")


def scholarship_payments(application: ScholarshipApplication) -> QuerySet[Payment]:
    """The worker's payment of the year's cycle (it pays all their children's scholarships at once)."""
    return Payment.objects.filter(
        programme__plugin_key="scholarship",
        period_key=str(application.year),
        beneficiary_person_id=application.person_id,
    ).select_related("entry")


def scholarship_paid_numbers(person_id: int, year: int) -> set[str]:
    """Numbers of the applications a year's payment to the worker covered (from its entitlement)."""
    out: set[str] = set()
    for inputs in Payment.objects.filter(
        programme__plugin_key="scholarship", period_key=str(year), beneficiary_person_id=person_id
    ).values_list("entitlement__inputs", flat=True):
        out.update((inputs or {}).get("applications", []))
    return out


def district_of_programme(plugin_key: str) -> Organisation | None:
    programme = Programme.objects.filter(plugin_key=plugin_key, active=True).select_related("organisation").first()
    return programme.organisation if programme else None


def waiting_at_my_steps(user: Any, model: type, plugin_key: str) -> QuerySet:
    """Applications waiting for a step this user may take: verification at a union in their reach,
    approval when they process for the district."""
    grants = grants_with(user, Perm.ASSISTANCE_PROCESS)
    if not grants:
        return model.objects.none()
    rows = scoped(user, Perm.ASSISTANCE_PROCESS, model.objects.all())
    district = district_of_programme(plugin_key)
    q = Q(state=S.APPLIED)
    if district is not None and can_at(user, Perm.ASSISTANCE_PROCESS, district):
        q |= Q(state=S.VERIFIED)
    return rows.filter(q).exclude(person__user=user)
