"""Reads for the living allowance, holiday relief and the figures page: every read is scoped."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from assistance.models import AllowanceMonth
from assistance.plugins.allowance import MonthlyAllowance
from assistance.plugins.holiday import HolidayRelief
from funds.models import Payment
from orgs.models import Organisation
from orgs.pickers import subtree_filter
from orgs.roles import Perm
from orgs.scope import scoped

# Who reads the allowance's rows and the district's figures: the assistance officers and the centre,
# and read-only finance and the auditors (a worker's own-records grant never carries it).
FIGURES_PERM = Perm.ASSISTANCE_FIGURES


def visible_allowance_months(user: Any, perm: str = FIGURES_PERM) -> QuerySet[AllowanceMonth]:
    return scoped(user, perm, AllowanceMonth.objects.all())


def allowance_month_rows(qs: QuerySet[AllowanceMonth]) -> QuerySet[AllowanceMonth]:
    return qs.select_related("file__organisation", "person", "payment", "cycle__programme")


def visible_holiday_payments(user: Any, perm: str = FIGURES_PERM) -> QuerySet[Payment]:
    return scoped(user, perm, Payment.objects.filter(programme__plugin_key=HolidayRelief.key))


def holiday_payment_rows(qs: QuerySet[Payment]) -> QuerySet[Payment]:
    return qs.select_related("programme", "beneficiary_person__organisation", "entitlement")


def paid_between(qs: QuerySet[Any], start: date, end: date, *, field: str = "paid_at") -> QuerySet[Any]:
    return qs.filter(**{f"{field}__date__gte": start, f"{field}__date__lte": end})


def allowance_totals(user: Any, organisation: Organisation | None, start: date, end: date) -> dict[str, Any]:
    """Files paid, person-months, yuan and arrears months of allowances paid from ``start`` to ``end``
    (by payment date) to files of ``organisation``'s subtree: one query."""
    qs = subtree_filter(
        paid_between(visible_allowance_months(user), start, end, field="payment__paid_at"),
        "file__organisation__path",
        organisation,
    )
    return qs.aggregate(
        files=Count("file", distinct=True),
        months=Count("pk"),
        yuan=Sum("amount"),
        arrears=Count("pk", filter=Q(arrears=True)),
    )


def holiday_totals(user: Any, organisation: Organisation | None, start: date, end: date) -> dict[str, Any]:
    qs = subtree_filter(
        paid_between(visible_holiday_payments(user), start, end), "beneficiary_person__organisation__path", organisation
    )
    return qs.aggregate(people=Count("pk"), yuan=Sum("amount"))


def allowance_payments(cycle_id: int) -> QuerySet[Payment]:
    return Payment.objects.filter(cycle_id=cycle_id, programme__plugin_key=MonthlyAllowance.key)


def my_allowance_months(user: Any) -> QuerySet[AllowanceMonth]:
    """The signed-in worker's own months, whatever else their roles reach."""
    return (
        scoped(user, Perm.ASSISTANCE_VIEW, AllowanceMonth.objects.filter(file__person__user=user))
        .select_related("file", "payment")
        .order_by("-month")
    )
