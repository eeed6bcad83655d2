"""The figure groups of 大病救助, 金秋助学 and the donations that feed the warmth fund (assistance.figures).

Each figure counts rows the user may read figures of (``FIGURES_PERM``) under the organisation's subtree, approved (relief,
scholarships) or received (donations) from ``start`` through ``end``, and links to the list
filtered to exactly those rows (only for who may open the applications whole). Donations are the district's (the fund is the federation's): they
are counted for a district-wide view only, and need funds.view.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.http import urlencode

from assistance.figures import Figure, FigureGroup, register_figure_group
from assistance.models.applications import ApplicationState
from assistance.selectors.allowance import FIGURES_PERM
from assistance.selectors_relief import relief_rows, scholarship_rows
from funds.models import Donation
from orgs.roles import Perm
from orgs.scope import perms_of, scoped, subtree_q

ZERO = Decimal("0.00")


def _url(name: str, **params: Any) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def _approved(rows: Any, organisation: Any, start: date, end: date) -> Any:
    """Approved in the period, under ``organisation`` (None: everything the user may see)."""
    if organisation is not None:
        rows = rows.filter(subtree_q("organisation__path", organisation.path))
    return rows.filter(state=ApplicationState.APPROVED, approved_at__date__gte=start, approved_at__date__lte=end)


def _rows_link(user: Any, url: str) -> str:
    """The drill-down to the applications, for who may open them whole (assistance.view); a
    read-only figures reader (finance, the auditors) sees the figure without the link."""
    return url if Perm.ASSISTANCE_VIEW in perms_of(user, office=True) else ""


def _subtree(organisation: Any) -> dict[str, str]:
    return {"subtree": organisation.code} if organisation is not None else {}


def relief_figures(user: Any, organisation: Any, start: date, end: date) -> list[Figure]:
    rows = _approved(relief_rows(user, FIGURES_PERM), organisation, start, end)
    agg = rows.aggregate(n=Count("pk"), people=Count("person", distinct=True), yuan=Sum("amount"))
    paid = rows.filter(cycle__state="paid").aggregate(yuan=Sum("amount"))["yuan"] or ZERO
    waiting = rows.filter(cycle__isnull=True, amount__gt=0).aggregate(n=Count("pk"), yuan=Sum("amount"))
    params = {**_subtree(organisation), "state": "approved", "approved_from": start, "approved_to": end}
    url = _rows_link(user, _url("assistance:relief_list", **params))
    return [
        Figure("救助件数", agg["n"], "件", url),
        Figure("救助人数", agg["people"], "人", url),
        Figure("核定救助金额", agg["yuan"] or ZERO, "元", url),
        Figure("已支付金额", paid, "元", _rows_link(user, _url("assistance:relief_list", **params, payment="paid"))),
        Figure(
            "待资金金额",
            waiting["yuan"] or ZERO,
            "元",
            _rows_link(user, _url("assistance:relief_list", **params, payment="waiting")),
        ),
    ]


def scholarship_figures(user: Any, organisation: Any, start: date, end: date) -> list[Figure]:
    rows = _approved(scholarship_rows(user, FIGURES_PERM), organisation, start, end)
    agg = rows.aggregate(n=Count("pk"), yuan=Sum("amount"))
    url = _rows_link(
        user,
        _url(
            "assistance:scholarship_list",
            **_subtree(organisation),
            state="approved",
            approved_from=start,
            approved_to=end,
        ),
    )
    return [Figure("资助学生", agg["n"], "人", url), Figure("资助金额", agg["yuan"] or ZERO, "元", url)]


def donation_figures(user: Any, organisation: Any, start: date, end: date) -> list[Figure]:
    if organisation is not None and organisation.depth != 1:  # the warmth fund is the district's, not a subtree's
        return []
    rows = scoped(user, Perm.FUND_VIEW, Donation.objects.filter(fund__code="3105")).filter(
        received_on__gte=start, received_on__lte=end
    )
    agg = rows.aggregate(n=Count("pk"), donors=Count("donor_name", distinct=True), yuan=Sum("amount"))
    url = _url("funds:donation_list", fund="3105", received_from=start, received_to=end)
    return [
        Figure("捐赠方", agg["donors"], "个", url),
        Figure("捐赠笔数", agg["n"], "笔", url),
        Figure("捐赠金额", agg["yuan"] or ZERO, "元", url),
    ]


def register() -> None:
    register_figure_group(FigureGroup("relief", "大病救助", 30, relief_figures))
    register_figure_group(FigureGroup("scholarship", "金秋助学", 40, scholarship_figures))
    register_figure_group(FigureGroup("donations", "温暖基金捐赠", 50, donation_figures))
