"""The leadership dashboard's figures (领导驾驶舱): one registry, read by the dashboard page, its charts
and the work report (工作简报).

A figure group is a small selector: ``(user, root, period) -> [Figure]`` for the organisations of
``root``'s subtree that the user may see, in the period. Each figure carries the URL of the page-kit
list of exactly the rows that make it (the list's FilterSet takes the same subtree, period and state),
so a number and its drill-down cannot disagree (``dashboard/tests/test_figures.py`` opens every link
and sums its rows). The groups reuse the domains' own selectors (the assistance figures, the activity
figures, the request rates, the cadres' training coverage); a group whose action the user does not
hold is left out, never shown as zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from activities import selectors as activities
from activities.models import Activity
from appeals import selectors as appeals
from appeals.models import Appeal
from assessment.models import Assessment
from assessment.selectors import visible_results
from assistance import figures_allowance, figures_relief
from assistance.models import HardshipFile
from assistance.selectors.allowance import FIGURES_PERM
from cadres import selectors as cadres
from cadres.models import Post
from core.lists import list_url
from dashboard import tallies
from funds.models import Payment
from funds.selectors import accounts_with_balances
from members.models import Membership
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import ScopeMode, grants_with, perms_of, scoped, subtree_q
from programmes.plugins import JointUnionSubsidy, StartupGrant
from reform import selectors as reform
from reform.filtersets import task_subtree_q
from reform.models import Task

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


@dataclass(frozen=True)
class Figure:
    key: str  # "grants.yuan": the work report's placeholder {grants.yuan}
    label: str  # 发放金额
    value: int | Decimal | None  # None: no denominator (a rate with no requests)
    unit: str  # 家, 人, 元, %, 场
    url: str  # the list of the rows behind the figure ("": none for this user)
    note: str = ""  # 共 123 件 (the count behind a rate)


@dataclass(frozen=True)
class Group:
    key: str
    label: str  # 组织建设
    order: int
    perm: str  # who sees the group at all (held over an organisation)
    compute: Callable[[Any, Organisation, Period], list[Figure]]
    keys: tuple[str, ...]  # the keys of the figures it may return (the report's placeholders)
    dynamic: str = ""  # a pattern of further keys, one per record (a fund's balance: funds.3101)


@dataclass
class Board:
    """Every figure of the groups a user holds, by key (what the page and the report read)."""

    root: Organisation
    period: Period
    groups: list[tuple[Group, list[Figure]]] = field(default_factory=list)

    @property
    def by_key(self) -> dict[str, Figure]:
        return {f.key: f for _, figs in self.groups for f in figs}


def covers_subtree(user: Any, perm: str, root: Organisation) -> bool:
    """Whether one of the user's grants of ``perm`` spans ``root``'s whole subtree (then every row of the
    subtree is in scope, whichever of its paths the scope reads)."""
    return any(g.mode == ScopeMode.SUBTREE and root.path.startswith(g.path) for g in grants_with(user, perm))


def tallied(user: Any, perm: str, root: Organisation) -> bool:
    """Whether ``root``'s figures for ``perm`` may be read from the precomputed tallies
    (``dashboard.tallies``): a district or town/street, every row under it in the user's scope, and
    tallies that are fresh. Otherwise they are computed live from the rows."""
    return root.depth <= tallies.BUCKET_DEPTH and covers_subtree(user, perm, root) and tallies.fresh()


def tallied_district(user: Any, perm: str) -> Organisation | None:
    """The district, when the user's scope for ``perm`` is its whole tree (a district-wide grant)
    and the tallies are fresh: the workbench then reads the district's tallies."""
    for g in grants_with(user, perm):
        if g.mode == ScopeMode.SUBTREE and len(g.path) == tallies.STEP and tallies.fresh():
            # the grant knows the district's id and path: what the tallies read, without a query
            return Organisation(pk=g.organisation_id, path=g.path, depth=1)
    return None


def within(user: Any, perm: str, qs: QuerySet[Any], root: Organisation, *paths: str) -> QuerySet[Any]:
    """The rows of ``qs`` under ``root`` (by any of ``paths``) that the user may ``perm``: the same rows
    as ``scoped(...).filter(subtree)``, written so the database does less. A grant spanning the subtree
    makes the scope filter redundant; the district's root (every organisation lies under it) makes the
    subtree filter redundant too, so the district's figures are plain aggregates over the table."""
    if covers_subtree(user, perm, root):
        if root.depth == 1:
            return qs
    else:
        qs = scoped(user, perm, qs)
    q = subtree_q(paths[0], root.path)
    for p in paths[1:]:
        q |= subtree_q(p, root.path)
    return qs.filter(q)


def _dates(period: Period, prefix: str) -> dict[str, str]:
    return {f"{prefix}_from": period.start.isoformat(), f"{prefix}_to": period.end.isoformat()}


# --- 组织建设: organisations and members ----------------------------------------------------------------

GRASSROOTS = sorted(Organisation.GRASSROOTS_KINDS)


def organisation_figures(user: Any, root: Organisation, period: Period) -> list[Figure]:
    orgs = within(user, Perm.ORG_VIEW, Organisation.objects.filter(kind__in=GRASSROOTS), root, "path")
    agg = orgs.aggregate(
        active=Count("pk", filter=Q(status=Organisation.Status.ACTIVE)),
        new=Count("pk", filter=Q(founded_on__gte=period.start, founded_on__lte=period.end)),
    )
    base = {"subtree": root.code}
    kinds = "&".join(f"kind={k}" for k in GRASSROOTS)
    active_url = f"{list_url('orgs:list', **base, status=Organisation.Status.ACTIVE)}&{kinds}"
    new_url = f"{list_url('orgs:list', **base, founded_after=period.start, founded_before=period.end)}&{kinds}"
    return [
        Figure("orgs.grassroots", "基层工会（正常）", agg["active"], "家", active_url),
        Figure("orgs.new", "期间新建基层工会", agg["new"], "家", new_url),
    ]


def member_figures(user: Any, root: Organisation, period: Period) -> list[Figure]:
    if tallied(user, Perm.MEMBER_VIEW, root):
        agg = {
            "active": tallies.members_active(root),
            "joined": tallies.members_joined(root, period.start, period.end),
        }
    else:
        rows = within(user, Perm.MEMBER_VIEW, Membership.objects.all(), root, "organisation__path")
        # two counts, each on its own index (the active members' partial unique index; joined_on)
        agg = {
            "active": rows.filter(status=Membership.Status.ACTIVE).count(),
            "joined": rows.filter(joined_on__gte=period.start, joined_on__lte=period.end).count(),
        }
    return [
        Figure("members.active", "在册会员", agg["active"], "人", list_url("members:list", subtree=root.code)),
        Figure(
            "members.joined",
            "期间新入会",
            agg["joined"],
            "人",
            list_url("members:list", subtree=root.code, status="", **_dates(period, "joined")),
        ),
    ]


# --- 经费保障: start-up grants -----------------------------------------------------------------------------


def _paid(user: Any, root: Organisation, period: Period, plugin_key: str) -> Any:
    rows = Payment.objects.filter(programme__plugin_key=plugin_key, beneficiary_org__isnull=False)
    return within(user, Perm.FUND_VIEW, rows, root, "beneficiary_org__path").filter(
        entry__date__gte=period.start, entry__date__lte=period.end
    )


def grant_figures(user: Any, root: Organisation, period: Period) -> list[Figure]:
    if tallied(user, Perm.FUND_VIEW, root):
        paid = tallies.payments(root, period.start, period.end, to_org=True, plugin_key=StartupGrant.key).values()
        agg = {"n": sum(n for n, _ in paid), "yuan": sum((y for _, y in paid), ZERO)}
    else:
        agg = _paid(user, root, period, StartupGrant.key).aggregate(n=Count("pk"), yuan=Sum("amount"))
    url = list_url("programmes:grant_list", subtree=root.code, **_dates(period, "paid"))
    return [
        Figure("grants.count", "发放建会专项基金的新建单位", agg["n"], "家", url),
        Figure("grants.yuan", "建会专项基金", agg["yuan"] or ZERO, "元", url),
    ]


# --- 经费保障: the funds' balances, from the ledger -------------------------------------------------------


FUND_CODE = re.compile(r"[0-9a-z_]{1,40}")  # a fund's code as a placeholder key: {funds.3105}


def fund_figures(user: Any, root: Organisation, period: Period) -> list[Figure]:
    """Each special fund's (专项基金) balance at the period's end: the sum of its journal lines up to that
    day, in the fund's normal direction (one aggregate over the lines, however many there are). The
    funds of ``root``'s subtree (the district's own funds for the district; a town has none)."""
    accounts = (
        accounts_with_balances(user, end=period.end)
        .filter(is_fund=True)
        .filter(subtree_q("organisation__path", root.path))
    )
    out = [
        Figure(
            f"funds.{acc.code}",
            f"{acc.name}余额",
            Decimal(acc.balance).quantize(Decimal("0.01")),
            "元",
            f"{reverse('funds:account_detail', args=[acc.code])}?end={period.end.isoformat()}",
        )
        for acc in accounts
        if FUND_CODE.fullmatch(acc.code)
    ]
    total = sum((f.value for f in out), ZERO)
    out.append(
        Figure("funds.total", "专项基金余额合计", total, "元", list_url("funds:account_list"), f"{len(out)} 项基金")
    )
    return out


# --- 考核: the published assessment of the period's year -----------------------------------------------------


def assessment_figures(user: Any, root: Organisation, period: Period) -> list[Figure]:
    """The organisations' results of the published assessment of the period's year: how many were
    assessed, passed and failed, and (in the notes) the first and last three by rank."""
    year = period.end.year
    rows = (
        visible_results(user)
        .filter(assessment__state=Assessment.State.PUBLISHED, assessment__indicator_set__year=year)
        .filter(social_worker__isnull=True)
        .filter(subtree_q("organisation__path", root.path))
    )
    agg = rows.aggregate(n=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    ranked = rows.order_by("rank", "organisation__path").values_list("organisation__name", flat=True)
    top = list(ranked[:3])
    bottom = list(rows.order_by("-rank", "-organisation__path").values_list("organisation__name", flat=True)[:3])
    base = {"year": year, "state": Assessment.State.PUBLISHED, "subtree": root.code, "unions": "true"}
    note = f"前三名：{'、'.join(top)}；后三名：{'、'.join(bottom)}" if top else ""
    return [
        Figure(
            "assessment.assessed", f"{year} 年考核的工会", agg["n"], "家", list_url("assessment:list", **base), note
        ),
        Figure(
            "assessment.passed", "考核合格", agg["passed"], "家", list_url("assessment:list", **base, passed="true")
        ),
        Figure(
            "assessment.failed",
            "考核不合格",
            agg["n"] - agg["passed"],
            "家",
            list_url("assessment:list", **base, passed="false"),
        ),
    ]


# --- 试点: the joint unions' 三补贴三挂钩 subsidy ----------------------------------------------------------


def pilot_figures(user: Any, root: Organisation, period: Period) -> list[Figure]:
    rows = _paid(user, root, period, JointUnionSubsidy.key)
    unions = rows.aggregate(n=Count("beneficiary_org", distinct=True), yuan=Sum("amount"))
    # The towns and streets: the level-2 ancestors of the paid unions (paths are 4 characters a level).
    paths = {p[:8] for p in rows.values_list("beneficiary_org__path", flat=True).distinct()[:5000] if p}
    kinds = dict(Organisation.objects.filter(path__in=paths).values_list("path", "kind"))
    towns = sum(1 for p in paths if kinds.get(p) == Organisation.Kind.TOWN)
    streets = sum(1 for p in paths if kinds.get(p) == Organisation.Kind.STREET)
    url = list_url("funds:payment_list", rule=JointUnionSubsidy.key, subtree=root.code, **_dates(period, "paid"))
    return [
        Figure("pilots.unions", "享受三补贴三挂钩的联合工会", unions["n"], "家", url),
        Figure("pilots.towns", "其中所在镇", towns, "个", url),
        Figure("pilots.streets", "其中所在街道", streets, "个", url),
        Figure("pilots.yuan", "三补贴金额", unions["yuan"] or ZERO, "元", url),
    ]


# --- 帮扶救助: the assistance app's own figures, renamed by key ---------------------------------------------


def _pick(figures: list[Any], keys: list[str | None]) -> list[Figure]:
    out = []
    for fig, key in zip(figures, keys, strict=False):
        if key is not None:
            out.append(Figure(key, fig.label, fig.value, fig.unit, fig.rows_url))
    return out


def assistance_figures(user: Any, root: Organisation, period: Period) -> list[Figure]:
    s, e = period.start, period.end
    out = _pick(figures_allowance.allowance_figures(user, root, s, e), ["allowance.files", None, "allowance.yuan"])
    out += _pick(figures_relief.relief_figures(user, root, s, e), [None, "relief.people", "relief.yuan"])
    out += _pick(figures_relief.scholarship_figures(user, root, s, e), ["scholarship.count", "scholarship.yuan"])
    out += _pick(figures_relief.donation_figures(user, root, s, e), ["donations.donors", None, "donations.yuan"])
    if Perm.ASSISTANCE_VIEW in perms_of(user, office=True):
        files = scoped(
            user, Perm.ASSISTANCE_VIEW, HardshipFile.objects.filter(subtree_q("organisation__path", root.path))
        ).aggregate(
            active=Count("pk", filter=Q(state=HardshipFile.State.ACTIVE)),
            opened=Count("pk", filter=Q(approved_on__gte=s, approved_on__lte=e)),
            exited=Count("pk", filter=Q(exited_on__gte=s, exited_on__lte=e)),
        )
        url = list_url("assistance:file_list", subtree=root.code, state=HardshipFile.State.ACTIVE)
        out.append(Figure("files.active", "在档困难职工", files["active"], "户", url))
        opened_url = list_url("assistance:file_list", subtree=root.code, **_dates(period, "approved"))
        out.append(Figure("files.opened", "期间新建档", files["opened"], "户", opened_url))
        exited_url = list_url("assistance:file_list", subtree=root.code, **_dates(period, "exited"))
        out.append(Figure("files.exited", "期间脱困", files["exited"], "户", exited_url))
    return out


# --- 服务中心工作: events, competitions, requests --------------------------------------------------------------


def activity_figures(user: Any, root: Organisation, period: Period) -> list[Figure]:
    events = activities.counted_events(user, root=root, start=period.start, end=period.end)
    agg = events.aggregate(
        n=Count("pk"),
        people=Coalesce(Sum("participants"), 0),
        comp=Count("pk", filter=Q(kind=Activity.Kind.COMPETITION, organisation__kind__in=GRASSROOTS)),
        comp_people=Coalesce(
            Sum("participants", filter=Q(kind=Activity.Kind.COMPETITION, organisation__kind__in=GRASSROOTS)), 0
        ),
    )
    base = {"subtree": root.code, "state": Activity.State.REVIEWED, **_dates(period, "held")}
    comp_url = list_url("activities:list", **base, kind=Activity.Kind.COMPETITION, grassroots="true")
    return [
        Figure("events.count", "举办活动", agg["n"], "场", list_url("activities:list", **base)),
        Figure("events.people", "参加职工", agg["people"], "人次", list_url("activities:list", **base)),
        Figure("competitions.count", "基层工会举办技能大赛", agg["comp"], "场", comp_url),
        Figure("competitions.people", "技能大赛参赛职工", agg["comp_people"], "人次", comp_url),
    ]


def appeal_figures(user: Any, root: Organisation, period: Period) -> list[Figure]:
    if tallied(user, Perm.APPEAL_OFFICE, root) and appeals.office_scope_by_path(user):
        counts, reopen_total = tallies.appeal_counts(root, period.start, period.end)
        rates = appeals.rates_from_counts(counts, appeals.RateParams(), reopen_total)
        overdue = tallies.appeals_due(root, date.today())["overdue"]
    else:
        flt = appeals.RateFilter(date_from=period.start, date_to=period.end)
        rates = appeals.appeal_rates(appeals._rates_base(user, root, flt))
        overdue = (
            within(user, Perm.APPEAL_OFFICE, Appeal.objects.all(), root, "organisation__path")
            .filter(appeals.due_q("overdue", date.today()))
            .count()
        )
    dates = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    rates_url = list_url("appeals:rates", org=root.code, **dates)
    total = rates.total
    note = f"共 {total} 件" + ("，样本较少" if rates.small_sample else "")
    return [
        Figure("appeals.total", "受理职工诉求", total, "件", list_url("appeals:list", subtree=root.code, **dates)),
        Figure("appeals.response", "响应率", rates.response, "%", rates_url, note),
        Figure("appeals.resolution", "解决率", rates.resolution, "%", rates_url, note),
        Figure("appeals.satisfaction", "满意率", rates.satisfaction, "%", rates_url, note),
        Figure(
            "appeals.overdue", "已超期未办结", overdue, "件", list_url("appeals:list", subtree=root.code, due="overdue")
        ),
    ]


# --- 队伍建设: cadres' training -----------------------------------------------------------------------------


def cadre_figures(user: Any, root: Organisation, period: Period) -> list[Figure]:
    year = period.end.year
    if root.depth == 1 and covers_subtree(user, Perm.CADRE_VIEW, root):  # the district's whole tree
        rows = cadres.coverage_of(Post.objects.all(), year)
    else:
        rows = cadres.coverage(user, year).filter(subtree_q("organisation__path", root.path))
    cov = cadres.coverage_figures(rows, year)  # two counts (an aggregate over the Exists fails on PostgreSQL)
    agg = {"n": cov.cadres, "trained": cov.trained}
    share = (Decimal(agg["trained"]) * 100 / agg["n"]).quantize(Decimal("0.1")) if agg["n"] else None
    base = {"year": year, "subtree": root.code}
    return [
        Figure("cadres.count", f"{year} 年应培训基层工会干部", agg["n"], "人", list_url("cadres:coverage", **base)),
        Figure("cadres.trained", "已培训", agg["trained"], "人", list_url("cadres:coverage", **base, trained="true")),
        Figure("cadres.share", "培训覆盖率", share, "%", list_url("cadres:coverage", **base)),
        Figure(
            "cadres.untrained",
            "尚未培训",
            agg["n"] - agg["trained"],
            "人",
            list_url("cadres:coverage", **base, trained="false"),
        ),
    ]


# --- 改革: overdue reform tasks ---------------------------------------------------------------------------------


def reform_figures(user: Any, root: Organisation, period: Period) -> list[Figure]:
    rows = scoped(user, Perm.REFORM_VIEW, Task.objects.filter(task_subtree_q(root.path)))
    today = date.today()
    agg = rows.aggregate(n=Count("pk"), overdue=Count("pk", filter=reform.overdue_q(today)))
    return [
        Figure("reform.tasks", "改革任务", agg["n"], "项", list_url("reform:task_list", subtree=root.code)),
        Figure(
            "reform.overdue",
            "已超期的改革任务",
            agg["overdue"],
            "项",
            list_url("reform:task_list", subtree=root.code, overdue="true"),
        ),
    ]


GROUPS: list[Group] = [
    Group("organisation", "组织建设", 10, Perm.ORG_VIEW, organisation_figures, ("orgs.grassroots", "orgs.new")),
    Group("members", "会员发展", 15, Perm.MEMBER_VIEW, member_figures, ("members.active", "members.joined")),
    Group(
        "service",
        "服务中心工作",
        20,
        Perm.ORG_VIEW,
        activity_figures,
        ("events.count", "events.people", "competitions.count", "competitions.people"),
    ),
    Group(
        "appeals",
        "职工诉求闭环",
        25,
        Perm.APPEAL_OFFICE,
        appeal_figures,
        ("appeals.total", "appeals.response", "appeals.resolution", "appeals.satisfaction", "appeals.overdue"),
    ),
    Group(
        "cadres",
        "队伍建设",
        30,
        Perm.CADRE_VIEW,
        cadre_figures,
        ("cadres.count", "cadres.trained", "cadres.share", "cadres.untrained"),
    ),
    Group("funding", "经费保障", 40, Perm.FUND_VIEW, grant_figures, ("grants.count", "grants.yuan")),
    Group("funds", "基金余额", 45, Perm.FUND_VIEW, fund_figures, ("funds.total",), dynamic=r"funds\.[0-9a-z_]{1,40}"),
    Group(
        "assistance",
        "帮扶救助",
        50,
        FIGURES_PERM,
        assistance_figures,
        (
            "allowance.files",
            "allowance.yuan",
            "relief.people",
            "relief.yuan",
            "scholarship.count",
            "scholarship.yuan",
            "donations.donors",
            "donations.yuan",
            "files.active",
            "files.opened",
            "files.exited",
        ),
    ),
    Group(
        "pilots",
        "试点",
        60,
        Perm.FUND_VIEW,
        pilot_figures,
        ("pilots.unions", "pilots.towns", "pilots.streets", "pilots.yuan"),
    ),
    Group(
        "assessment",
        "考核排名",
        65,
        Perm.ORG_VIEW,
        assessment_figures,
        ("assessment.assessed", "assessment.passed", "assessment.failed"),
    ),
    Group("reform", "改革任务", 70, Perm.REFORM_VIEW, reform_figures, ("reform.tasks", "reform.overdue")),
]


def figure_keys() -> list[str]:
    return [k for g in GROUPS for k in g.keys]


def is_figure_key(key: str) -> bool:
    """A registered key, or one of a group's per-record keys (``funds.3101``)."""
    return key in figure_keys() or any(g.dynamic and re.fullmatch(g.dynamic, key) for g in GROUPS)


def board(user: Any, root: Organisation, period: Period) -> Board:
    """Every figure the user may read for ``root``'s subtree and the period: a few queries per group,
    whatever the size of the data."""
    held = perms_of(user, office=True)
    out = Board(root=root, period=period)
    with tallies.one_reading():
        for group in sorted(GROUPS, key=lambda g: g.order):
            if group.perm in held:
                out.groups.append((group, group.compute(user, root, period)))
    return out
