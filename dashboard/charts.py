"""The dashboard's charts: trends by month, the subtree's towns and streets compared, compositions by
category. Each chart is a list of points (label, value, the URL of the rows that make the point); the
page draws it with ECharts and puts the same points in a Chinese table beside it (screen readers,
export). One query a chart, whatever the size of the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from activities import selectors as activities
from activities.models import Activity
from assistance.models import HardshipFile
from core.lists import list_url
from dashboard import tallies
from dashboard.figures import Period, covers_subtree, tallied, within
from funds.models import Payment, Programme
from members.models import Membership
from members.selectors import member_counts
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import perms_of, scoped, subtree_q

MAX_MONTHS = 60  # a custom range longer than five years is drawn by its last 60 months
MAX_BARS = 40  # towns and streets compared: the district has about 25


@dataclass(frozen=True)
class Point:
    label: str
    value: int | Decimal
    url: str


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str  # bar, line, pie
    unit: str
    points: list[Point]
    column: str  # the table's heading of the labels: 月份, 组织, 类别

    @property
    def script_id(self) -> str:
        return f"chart-data-{self.key}"

    def data(self) -> dict[str, Any]:
        """What the page's script draws (json_script)."""
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "unit": self.unit,
            "labels": [p.label for p in self.points],
            "values": [float(p.value) for p in self.points],
            "urls": [p.url for p in self.points],
        }


def month_bounds(period: Period) -> list[tuple[date, date]]:
    """The calendar months of the period, each cut to the period (pure)."""
    out = []
    first = date(period.start.year, period.start.month, 1)
    while first <= period.end:
        nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        out.append((max(first, period.start), min(nxt - timedelta(days=1), period.end)))
        first = nxt
    return out[-MAX_MONTHS:]


def joined_trend(user: Any, root: Organisation, period: Period) -> Chart:
    months = month_bounds(period)
    start = months[0][0]
    if tallied(user, Perm.MEMBER_VIEW, root):
        counts = tallies.members_joined_by_month(root, start, period.end)
    else:
        rows = (
            within(user, Perm.MEMBER_VIEW, Membership.objects.all(), root, "organisation__path")
            .filter(joined_on__gte=start, joined_on__lte=period.end)
            .annotate(m=TruncMonth("joined_on"))
            .order_by()
            .values("m")
            .annotate(n=Count("pk"))
        )
        counts = {(r["m"].year, r["m"].month): r["n"] for r in rows}
    points = [
        Point(
            f"{a.year}年{a.month}月",
            counts.get((a.year, a.month), 0),
            list_url("members:list", subtree=root.code, status="", joined_from=a, joined_to=b),
        )
        for a, b in months
    ]
    return Chart("joined", "按月新入会人数", "line", "人", points, "月份")


def children_compared(user: Any, root: Organisation) -> Chart | None:
    children = list(
        scoped(user, Perm.ORG_VIEW, Organisation.objects.filter(subtree_q("path", root.path), depth=root.depth + 1))
        .order_by("path")
        .values_list("pk", "code", "name")[:MAX_BARS]
    )
    if not children:
        return None
    ids = [pk for pk, _, _ in children]
    if root.depth == 1 and tallies.fresh():
        # a district's children are the tallies' buckets (every member counted, as member_counts does)
        counts = tallies.members_active_by_bucket(ids)
    else:
        counts = member_counts(ids, subtree=True)
    points = [Point(name, counts.get(pk, 0), list_url("members:list", subtree=code)) for pk, code, name in children]
    return Chart("compare", "下级组织在册会员对比", "bar", "人", points, "组织")


def _payout_sums(user: Any, root: Organisation, period: Period) -> dict[tuple[str, str], Decimal]:
    """Yuan paid per programme (code, name) by voucher date in the period."""
    if tallied(user, Perm.FUND_VIEW, root):
        paid = tallies.payments(root, period.start, period.end)
        names = Programme.objects.filter(pk__in=list(paid)).values_list("pk", "code", "name")
        return {(code, name): paid[pk][1] for pk, code, name in names}
    # A payment goes to an organisation or to a person, never both: the two branches are summed
    # apart (each on its own index) and added, rather than one OR over two outer joins.
    branches = (
        [Payment.objects.all()]
        if root.depth == 1 and covers_subtree(user, Perm.FUND_VIEW, root)
        else [
            within(
                user,
                Perm.FUND_VIEW,
                Payment.objects.filter(beneficiary_org__isnull=False),
                root,
                "beneficiary_org__path",
            ),
            within(
                user,
                Perm.FUND_VIEW,
                Payment.objects.filter(beneficiary_person__isnull=False),
                root,
                "beneficiary_person__organisation__path",
            ),
        ]
    )
    sums: dict[tuple[str, str], Decimal] = {}
    for branch in branches:
        for r in (
            branch.filter(entry__date__gte=period.start, entry__date__lte=period.end)
            .order_by()
            .values("programme__code", "programme__name")
            .annotate(yuan=Sum("amount"))
        ):
            key = (r["programme__code"], r["programme__name"])
            sums[key] = sums.get(key, Decimal("0.00")) + r["yuan"]
    return sums


def payouts_by_programme(user: Any, root: Organisation, period: Period) -> Chart:
    sums = _payout_sums(user, root, period)
    rows = [{"programme__code": c, "programme__name": n, "yuan": v} for (c, n), v in sorted(sums.items())]
    points = [
        Point(
            r["programme__name"],
            r["yuan"],
            list_url(
                "funds:payment_list",
                programme=r["programme__code"],
                subtree=root.code,
                paid_from=period.start,
                paid_to=period.end,
            ),
        )
        for r in rows
    ]
    return Chart("payouts", "项目支付构成（元）", "pie", "元", points, "项目")


def events_by_kind(user: Any, root: Organisation, period: Period) -> Chart:
    rows = (
        activities.counted_events(user, root=root, start=period.start, end=period.end)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
    )
    counts = {r["kind"]: r["n"] for r in rows}
    base = {"subtree": root.code, "state": Activity.State.REVIEWED, "held_from": period.start, "held_to": period.end}
    points = [
        Point(label, counts[kind], list_url("activities:list", **base, kind=kind))
        for kind, label in Activity.Kind.choices
        if counts.get(kind)
    ]
    return Chart("events", "活动类型构成（场）", "pie", "场", points, "活动类型")


def files_by_category(user: Any, root: Organisation) -> Chart:
    rows = (
        within(user, Perm.ASSISTANCE_VIEW, HardshipFile.objects.all(), root, "organisation__path")
        .filter(state=HardshipFile.State.ACTIVE)
        .order_by()
        .values("category")
        .annotate(n=Count("pk"))
    )
    counts = {r["category"]: r["n"] for r in rows}
    points = [
        Point(
            label,
            counts[cat],
            list_url("assistance:file_list", subtree=root.code, state=HardshipFile.State.ACTIVE, category=cat),
        )
        for cat, label in HardshipFile.Category.choices
        if counts.get(cat)
    ]
    return Chart("files", "在档困难职工类别构成（户）", "pie", "户", points, "困难类别")


def charts(user: Any, root: Organisation, period: Period) -> list[Chart]:
    with tallies.one_reading():
        return _charts(user, root, period)


def _charts(user: Any, root: Organisation, period: Period) -> list[Chart]:
    held = perms_of(user, office=True)
    out: list[Chart] = []
    if Perm.MEMBER_VIEW in held:
        out.append(joined_trend(user, root, period))
        compared = children_compared(user, root)
        if compared is not None:
            out.append(compared)
    if Perm.FUND_VIEW in held:
        out.append(payouts_by_programme(user, root, period))
    if Perm.ORG_VIEW in held:
        out.append(events_by_kind(user, root, period))
    if Perm.ASSISTANCE_VIEW in held:
        out.append(files_by_category(user, root))
    return out
