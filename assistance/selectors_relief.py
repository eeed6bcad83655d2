"""Reads of the relief and scholarship pages, API and workbench: always through ``orgs.scope``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from assistance.models import ReliefApplication, ScholarshipApplication
from assistance.models.applications import ApplicationState
from core.money import format_yuan
from funds.bank_selectors import with_cycle_bank_status
from funds.models import ZERO, Account, JournalLine, Payment, Programme
from funds.selectors import signed
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, grants_with, scoped

S = ApplicationState


def relief_rows(user: Any, perm: str = Perm.ASSISTANCE_VIEW) -> QuerySet[ReliefApplication]:
    return with_cycle_bank_status(scoped(user, perm, ReliefApplication.objects.all())).select_related(
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


def waiting_at_my_steps(user: Any, model: type, district: Organisation | None) -> QuerySet:
    """Applications waiting for a step this user may take: verification at a union in their reach,
    approval when they process for the district (the programme's organisation)."""
    if not grants_with(user, Perm.ASSISTANCE_PROCESS):
        return model.objects.none()
    rows = scoped(user, Perm.ASSISTANCE_PROCESS, model.objects.all())
    q = Q(state=S.APPLIED)
    if district is not None and can_at(user, Perm.ASSISTANCE_PROCESS, district):
        q |= Q(state=S.VERIFIED)
    return rows.filter(q).exclude(person__user=user)


# --- the workbench (dashboard.selectors) -------------------------------------------------------------

FUND_CODES = (("3104", "困难职工帮扶资金"), ("3105", "温暖基金"), ("3106", "金秋助学资金"))


def relief_todos(user: Any) -> list[tuple[str, str, int, str, dict[str, str], str]]:
    """(key, label, count, list URL name, its filters, tone) of what waits for this user: relief and
    scholarship applications at a step they may take, and approved relief waiting for funds."""
    from assistance.services.relief import fund_position

    out = []
    if not grants_with(user, Perm.ASSISTANCE_VIEW):
        return out
    districts = {
        p.plugin_key: p.organisation
        for p in Programme.objects.filter(plugin_key__in=["relief", "scholarship"], active=True).select_related(
            "organisation"
        )
    }
    for model, key, noun, url in (
        (ReliefApplication, "relief", "大病救助申请", "assistance:relief_list"),
        (ScholarshipApplication, "scholarship", "金秋助学申请", "assistance:scholarship_list"),
    ):
        waiting = waiting_at_my_steps(user, model, districts.get(key))
        counts = dict(waiting.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
        if counts.get(S.APPLIED):
            out.append((f"{key}-verify", f"待核实的{noun}", counts[S.APPLIED], url, {"state": S.APPLIED}, "primary"))
        if counts.get(S.VERIFIED):
            out.append((f"{key}-approve", f"待审批的{noun}", counts[S.VERIFIED], url, {"state": S.VERIFIED}, "primary"))
    n = relief_rows(user).filter(state=S.APPROVED, cycle__isnull=True, amount__gt=0).count()
    position = fund_position() if n else None
    if n and position is not None:
        label = f"已批准、待资金的大病救助（温暖基金尚缺 {format_yuan(position.shortfall)} 元）"
        out.append(("relief-waiting-funds", label, n, "assistance:relief_list", {"payment": "waiting"}, "red"))
    return out


def assistance_fund_balances(user: Any) -> list[tuple[str, str, str]]:
    """(label, balance, account code) of the three assistance funds, for those who see funds or run assistance."""
    if not (grants_with(user, Perm.FUND_VIEW) or grants_with(user, Perm.ASSISTANCE_MANAGE)):
        return []
    codes = [c for c, _ in FUND_CODES]
    accounts = {a.code: a for a in Account.objects.filter(code__in=codes)}
    sums = {
        r["account__code"]: (r["d"] or ZERO, r["c"] or ZERO)
        for r in JournalLine.objects.filter(account__code__in=codes)
        .values("account__code")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    }
    return [
        (f"{label}余额", format_yuan(signed(accounts[code], *sums.get(code, (ZERO, ZERO)))), code)
        for code, label in FUND_CODES
        if code in accounts
    ]
