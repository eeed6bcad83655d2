"""The report's 2017 figures, named once: what the demo year must reproduce (docs/demo.md).

``FIGURES`` lists each figure of the report with its expected value, how the value compares
(``==``, ``>`` for the report's "15余万元", "6200余名", ``>=`` for "平均每人不低于100元") and the period
(``START``..``END``, the district ``SY``). ``measure`` reads each one from the records through the
domains' own selectors and figure functions — the ones the figures pages and the work report use —
and ``rows`` gives the rows each figure is made of (its drill-down), so that a test can check that
every figure equals the sum (or the count) of its rows. The work report's test can assert the same
list: ``for f in FIGURES: assert f.holds(report_value(f.key))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from activities.models import Activity
from activities.selectors import counted_events
from assistance.figures_relief import donation_figures, relief_figures, scholarship_figures
from assistance.models.applications import ApplicationState
from assistance.selectors.allowance import FIGURES_PERM, allowance_totals, paid_between, visible_allowance_months
from assistance.selectors_relief import relief_rows, scholarship_rows
from funds.models import Donation, Payment
from funds.selectors import visible_payments
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import scoped, subtree_q

START, END = date(2017, 1, 1), date(2017, 10, 31)
DISTRICT = "SY"


@dataclass(frozen=True)
class ReportFigure:
    key: str
    label: str  # the report's wording
    expected: Decimal | int
    unit: str
    relation: str = "=="  # "==", ">" (…余), ">=" (不低于)
    organisation: str = DISTRICT  # the subtree's code
    start: date = START
    end: date = END

    def holds(self, value: Decimal | int) -> bool:
        if self.relation == ">":
            return value > self.expected
        if self.relation == ">=":
            return value >= self.expected
        return value == self.expected


FIGURES: tuple[ReportFigure, ...] = (
    ReportFigure("startup_unions", "发放建会专项基金的新建单位", 73, "家"),
    ReportFigure("startup_yuan", "建会专项基金", Decimal("309800.00"), "元"),
    ReportFigure("startup_per_member", "建会专项基金平均每名会员", Decimal("100.00"), "元", ">="),
    ReportFigure("allowance_yuan", "按月发放生活补助累计", Decimal("247200.00"), "元"),
    ReportFigure("relief_people", "温暖基金救助大病职工", 11, "名"),
    ReportFigure("relief_yuan", "温暖基金救助金额", Decimal("72630.00"), "元"),
    ReportFigure("donation_donors", "温暖基金捐款单位及个人", 10, "家"),
    ReportFigure("donation_yuan", "温暖基金收到捐款", Decimal("150000.00"), "元", ">"),
    ReportFigure("scholarship_children", "发放金秋助学金的困难职工子女", 46, "名"),
    ReportFigure("scholarship_yuan", "金秋助学金", Decimal("149700.00"), "元"),
    ReportFigure("competitions", "基层工会举办技能大赛", 51, "场"),
    ReportFigure("competition_participants", "参加技能大赛的职工", 6200, "人", ">"),
    ReportFigure("pilot_unions", "“三补贴三挂钩”试点联合工会", 6, "家"),
    ReportFigure("pilot_towns", "试点所在镇", 2, "个"),
    ReportFigure("pilot_streets", "试点所在街道", 1, "个"),
)
FIGURE_BY_KEY = {f.key: f for f in FIGURES}


def report_figures() -> tuple[ReportFigure, ...]:
    """The list the demo test and the work report's test assert."""
    return FIGURES


def _payments(user: Any, organisation: Organisation, plugin_key: str, start: date, end: date) -> QuerySet[Payment]:
    return visible_payments(user).filter(
        subtree_q("beneficiary_org__path", organisation.path),
        programme__plugin_key=plugin_key,
        entry__date__gte=start,
        entry__date__lte=end,
    )


def _competitions(user: Any, organisation: Organisation, start: date, end: date) -> QuerySet[Activity]:
    return counted_events(user, root=organisation, start=start, end=end).filter(
        kind=Activity.Kind.COMPETITION, organisation__kind__in=Organisation.GRASSROOTS_KINDS
    )


def _by_label(figures: list) -> dict[str, Any]:
    return {f.label: f.value for f in figures}


def rows(user: Any, organisation: Organisation, start: date = START, end: date = END) -> dict[str, QuerySet]:
    """Each figure's rows: the records it counts or sums (what its drill-down lists)."""
    startup = _payments(user, organisation, "startup_grant", start, end)
    approved = {"state": ApplicationState.APPROVED, "approved_at__date__gte": start, "approved_at__date__lte": end}
    relief = relief_rows(user, FIGURES_PERM).filter(subtree_q("organisation__path", organisation.path), **approved)
    scholarships = scholarship_rows(user, FIGURES_PERM).filter(
        subtree_q("organisation__path", organisation.path), **approved
    )
    donations = scoped(user, Perm.FUND_VIEW, Donation.objects.filter(fund__code="3105")).filter(
        received_on__gte=start, received_on__lte=end
    )
    months = paid_between(visible_allowance_months(user), start, end, field="payment__paid_at").filter(
        subtree_q("file__organisation__path", organisation.path)
    )
    return {
        "startup": startup,
        "allowance": months,
        "relief": relief,
        "donations": donations,
        "scholarships": scholarships,
        "competitions": _competitions(user, organisation, start, end),
        "pilots": _payments(user, organisation, "joint_union_subsidy", start, end),
    }


def measure(user: Any, organisation: Organisation, start: date = START, end: date = END) -> dict[str, Decimal | int]:
    """Every figure of ``FIGURES`` for ``organisation``'s subtree and the period, from the domains'
    figure functions (the figures pages') and the start-up and pilot payments."""
    r = rows(user, organisation, start, end)
    startup = r["startup"].aggregate(yuan=Sum("amount"))
    startup_members = sum(int(m) for m in r["startup"].values_list("entitlement__inputs__members", flat=True))
    startup_yuan = startup["yuan"] or Decimal("0.00")
    relief = _by_label(relief_figures(user, organisation, start, end))
    donations = _by_label(donation_figures(user, organisation, start, end))
    scholarships = _by_label(scholarship_figures(user, organisation, start, end))
    competitions = r["competitions"].aggregate(headcount=Sum("participants"))
    pilot_orgs = Organisation.objects.filter(pk__in=r["pilots"].values("beneficiary_org"))
    parents = Organisation.objects.filter(path__in=[o.parent_path for o in pilot_orgs])
    return {
        "startup_unions": r["startup"].values("beneficiary_org").distinct().count(),
        "startup_yuan": startup_yuan,
        "startup_per_member": (startup_yuan / startup_members).quantize(Decimal("0.01"))
        if startup_members
        else Decimal("0.00"),
        "allowance_yuan": allowance_totals(user, organisation, start, end)["yuan"] or Decimal("0.00"),
        "relief_people": relief["救助人数"],
        "relief_yuan": relief["核定救助金额"],
        "donation_donors": donations.get("捐赠方", 0),
        "donation_yuan": donations.get("捐赠金额", Decimal("0.00")),
        "scholarship_children": scholarships["资助学生"],
        "scholarship_yuan": scholarships["资助金额"],
        "competitions": r["competitions"].count(),
        "competition_participants": competitions["headcount"] or 0,
        "pilot_unions": pilot_orgs.count(),
        "pilot_towns": parents.filter(kind=Organisation.Kind.TOWN).count(),
        "pilot_streets": parents.filter(kind=Organisation.Kind.STREET).count(),
    }
