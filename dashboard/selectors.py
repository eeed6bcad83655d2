"""The workbench (工作台): what this user has to do, then the key figures of their scope.

Every count is computed here from the same scoped rows (``orgs.scope``) as the list it links to, and
every link opens exactly those rows (the lists' FilterSets take the filters the links carry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from activities import selectors_todos as activity_todos
from appeals import selectors as appeals
from assistance import selectors_relief as relief
from assistance.selectors import files as assistance_files
from cadres import selectors as cadres
from core.workdays import missing_calendar_years
from dashboard import tallies
from dashboard.figures import tallied_district
from funds import bank_selectors as bank
from funds import selectors as funds
from members.models import ImportJob
from members.selectors import active_memberships, import_jobs_of
from orgs.models import Organisation, RoleAssignment
from orgs.registry import subtree_counters
from orgs.roles import Perm
from orgs.scope import perms_of, scoped
from orgs.selectors import tree_top_nodes, visible_organisations
from reform import selectors as reform

# An import is news for a week after it ends.
IMPORT_NEWS_DAYS = 7
FINISHED_IMPORTS = (ImportJob.Status.DONE, ImportJob.Status.FAILED, ImportJob.Status.INVALID, ImportJob.Status.PREVIEW)
# The key figures each link to their rows; a counter of the tree links to its list of that subtree.
COUNTER_LISTS = {"member_count": ("members:list", {}), "open_appeals": ("appeals:list", {"metric": "open"})}


@dataclass(frozen=True)
class Todo:
    """One thing to do: how many, and the link to exactly those rows. ``key`` is the test hook."""

    key: str
    label: str
    count: int
    url: str
    tone: str = "primary"  # a Tabler colour: red for overdue and failed
    always: bool = False  # shown at zero too (the requests' deadlines and returns: an officer wants to see them clear)


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    url: str
    note: str = ""


def _url(name: str, *args: Any, **params: Any) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def _cycle_todos(user: Any) -> list[Todo]:
    out = []
    for cycle in funds.cycles_awaiting_me(user):
        out.append(
            Todo(
                f"cycle-{cycle.pk}",
                f"待我审批：{cycle.programme.name} {cycle.period_key}（{cycle.step_name}）",
                1,
                _url("funds:cycle_detail", cycle.pk),
            )
        )
    return out


def _office_district(user: Any) -> Organisation | None:
    """The district whose request tallies are exactly this user's back office (a district-wide,
    path-scoped grant), or None: then the requests are counted from the rows."""
    return tallied_district(user, Perm.APPEAL_OFFICE) if appeals.office_scope_by_path(user) else None


def _appeal_todos(user: Any, perms: frozenset[str], today: date) -> list[Todo]:
    if Perm.APPEAL_OFFICE not in perms:
        return []
    district = _office_district(user)
    if district is not None:
        counts = tallies.appeals_due(district, today)
        counts["returned"] = appeals.office_appeals(user).filter(appeals.returned_q()).count()
    else:
        counts = appeals.appeal_todos(user, today=today)
    out = [
        Todo(
            "appeals-due-today",
            "今日到期的诉求",
            counts["due_today"],
            _url("appeals:list", due="today"),
            "orange",
            always=True,
        ),
        Todo(
            "appeals-overdue",
            "已超期的诉求",
            counts["overdue"],
            _url("appeals:list", due="overdue"),
            "red",
            always=True,
        ),
        Todo(
            "appeals-returned",
            "转办被退回、待重新转办",
            counts["returned"],
            _url("appeals:list", returned="true"),
            always=True,
        ),
    ]
    for org, n in appeals.referral_todos(user):
        out.append(
            Todo(f"referrals-{org.code}", f"转办给{org.name}的诉求", n, _url("appeals:list", referred_to=org.code))
        )
    return out


def _cadre_todos(user: Any, perms: frozenset[str], today: date) -> list[Todo]:
    """Union posts to fill or renew and grassroots cadres not yet trained this year (cadres.selectors)."""
    if Perm.CADRE_MANAGE not in perms and Perm.TRAINING_MANAGE not in perms:
        return []
    counts = cadres.cadre_todos(user, today=today)
    out = []
    if Perm.CADRE_MANAGE in perms:
        out += [
            Todo(
                "cadres-vacant",
                "必设职务空缺的工会",
                counts["vacant"],
                _url("cadres:staffing", problem="vacant"),
                "red",
            ),
            Todo(
                "cadres-expiring",
                "90 天内任期届满的职务",
                counts["expiring"],
                _url("cadres:posts", expiring="true"),
                "orange",
            ),
            Todo(
                "cadres-part-time",
                "主席兼职且无专职副主席的镇街",
                counts["part_time"],
                _url("cadres:staffing", problem="part_time"),
                "orange",
            ),
        ]
    if Perm.TRAINING_MANAGE in perms:
        out.append(
            Todo(
                "cadres-untrained",
                f"{today.year} 年尚未培训的基层工会干部",
                counts["untrained"],
                _url("cadres:coverage", year=today.year, trained="false"),
            )
        )
    return out


def _activity_todos(user: Any, perms: frozenset[str], today: date) -> list[Todo]:
    """顺义工匠: nominees to score, notices ended awaiting award, objections to decide; innovation items
    to grade and rewards waiting for finance's review (activities.selectors_todos)."""
    out = []
    if Perm.ACTIVITY_REVIEW in perms or Perm.ACTIVITY_MANAGE in perms:
        counts = activity_todos.craftsman_todo_counts(user, today=today)
        labels = {
            "score": "待我评分的顺义工匠推荐人选",
            "award": "公示期满、待授予的顺义工匠人选",
            "objection": "有待核查异议的顺义工匠公示人选",
        }
        for key, label in labels.items():
            tone = "orange" if key == "objection" else "primary"
            out.append(Todo(f"craftsmen-{key}", label, counts[key], _url("activities:craftsmen", todo=key), tone))
    if Perm.ACTIVITY_REVIEW in perms or Perm.FUND_PREPARE in perms:
        counts = activity_todos.innovation_todo_counts(user)
        labels = {"grade": "待我评审的创新项目", "reward": "创新奖励待复核发放"}
        for key, label in labels.items():
            out.append(Todo(f"innovation-{key}", label, counts[key], _url("activities:innovations", todo=key)))
    return out


def _import_todos(user: Any, perms: frozenset[str]) -> list[Todo]:
    if Perm.MEMBER_IMPORT not in perms:
        return []
    since = timezone.now() - timedelta(days=IMPORT_NEWS_DAYS)
    jobs = import_jobs_of(user).filter(status__in=FINISHED_IMPORTS, finished_at__gte=since).order_by("-finished_at")
    return [
        Todo(
            f"import-{job.pk}",
            f"会员导入“{job.file_name}”：{job.get_status_display()}",
            1,
            _url("members:import_job", job.pk),
            "red" if job.status in (ImportJob.Status.FAILED, ImportJob.Status.INVALID) else "green",
        )
        for job in jobs[:5]
    ]


def _assistance_todos(user: Any, perms: frozenset[str], today: date) -> list[Todo]:
    """Hardship files waiting at a step this user may take, and re-verifications due or lapsed."""
    if Perm.ASSISTANCE_PROCESS not in perms:
        return []
    counts = assistance_files.todo_counts(user, today=today)
    steps = (
        ("verify", "待我核实的困难职工档案"),
        ("review", "待我审核的困难职工档案"),
        ("approve", "待我审批的困难职工档案"),
    )
    out = [Todo(f"files-{k}", label, counts[k], _url("assistance:file_list", todo=k)) for k, label in steps]
    days = assistance_files.DUE_DAYS
    out.append(
        Todo(
            "files-due", f"{days} 天内到期的年度复核", counts["due"], _url("assistance:file_list", due="due"), "orange"
        )
    )
    out.append(
        Todo(
            "files-lapsed",
            "年度复核已逾期（暂停发放）",
            counts["lapsed"],
            _url("assistance:file_list", due="lapsed"),
            "red",
        )
    )
    return out


def _reform_todos(user: Any, perms: frozenset[str], today: date) -> list[Todo]:
    """Overdue reform tasks and milestones of the tasks this user answers for (reform.selectors)."""
    if Perm.REFORM_VIEW not in perms:
        return []
    tasks, milestones = reform.reform_todos(user, today)
    return [
        Todo("reform-overdue", "已超期的改革任务", tasks, _url("reform:task_list", overdue="true", mine="true"), "red"),
        Todo(
            "reform-milestones",
            "已超期的改革任务节点",
            milestones,
            _url("reform:task_list", late_milestones="true", mine="true"),
            "red",
        ),
    ]


def _bank_todos(user: Any, perms: frozenset[str]) -> list[Todo]:
    """Money on its way to the bank (docs/bank.md): payments the bank returned, to correct and pay
    again (finance preparing payments); payee accounts waiting for the district's verification."""
    items = []
    if Perm.FUND_PREPARE in perms:
        n = bank.returned_to_act_on(user).count()
        items.append(Todo("bank-returned", "银行退回、待重新支付的款项", n, _url("funds:returned_list"), "red"))
        n = bank.payees_without_account(user).count()
        items.append(
            Todo("bank-no-account", "收款账户未核验、不能编入批次的待付款项", n, _url("funds:missing_accounts"))
        )
    if Perm.FUND_APPROVE in perms:
        n = bank.visible_payee_accounts(user).filter(status="pending").count()
        items.append(
            Todo("bank-accounts-pending", "待核验的收款账户", n, _url("funds:payee_account_list", status="pending"))
        )
    return items


def todos(user: Any, *, today: date | None = None) -> list[Todo]:
    """What waits for this user, in the order they would work through it. An item with nothing to
    do is left out unless it is ``always`` shown."""
    today = today or timezone.localdate()
    perms = perms_of(user, office=True)
    items = _cycle_todos(user) + _appeal_todos(user, perms, today) + _import_todos(user, perms)
    items += _cadre_todos(user, perms, today)
    items += _activity_todos(user, perms, today)
    items += _assistance_todos(user, perms, today)
    items += [
        Todo(k, label, n, _url(name, **params), tone) for k, label, n, name, params, tone in relief.relief_todos(user)
    ]
    items += _reform_todos(user, perms, today)
    items += _bank_todos(user, perms)
    periods = list(funds.periods_to_close(user, today=today).values_list("code", flat=True))
    if periods:
        label = f"待结账的会计期间：{'、'.join(periods[:3])}{' 等' if len(periods) > 3 else ''}"
        items.append(Todo("periods-to-close", label, len(periods), _url("funds:period_list")))
    if Perm.CALENDAR_MANAGE in perms and (years := missing_calendar_years(today)):
        label = f"工作日历未录入 {'、'.join(str(y) for y in years)} 年节假日安排"
        items.append(Todo("calendar-missing", label, len(years), _url("accounts:calendar"), "red"))
    return [t for t in items if t.count or t.always]


def key_figures(user: Any, perms: frozenset[str]) -> list[Figure]:
    """The scope's figures, each a link to the rows it counts."""
    out = []
    if Perm.ORG_VIEW in perms:
        kinds = sorted(Organisation.GRASSROOTS_KINDS)
        n = visible_organisations(user).filter(kind__in=kinds, status=Organisation.Status.ACTIVE).count()
        out.append(Figure("基层工会", str(n), _url("orgs:list", kind=kinds, status=Organisation.Status.ACTIVE)))
    if Perm.MEMBER_VIEW in perms:
        district = tallied_district(user, Perm.MEMBER_VIEW)
        if district is not None:
            n = tallies.members_active(district)
        else:
            n = scoped(user, Perm.MEMBER_VIEW, active_memberships()).count()
        out.append(Figure("在册会员", str(n), _url("members:list")))
    if Perm.APPEAL_OFFICE in perms:
        district = _office_district(user)
        if district is not None:
            counts, reopen_total = tallies.appeal_counts(district)
            rates = appeals.rates_from_counts(counts, appeals.RateParams(), reopen_total)
        else:
            rates = appeals.appeal_rates(appeals.office_appeals(user))
        out.append(Figure("未办结诉求", str(rates.counts["open"]), _url("appeals:list", metric="open")))
        rates_url = _url("appeals:rates")
        for label, value in (("响应率", rates.response), ("解决率", rates.resolution), ("满意率", rates.satisfaction)):
            shown = "—" if value is None else f"{value}%"
            out.append(Figure(label, shown, rates_url, f"共 {rates.total} 件诉求"))
    for label, balance, code in relief.assistance_fund_balances(user):
        out.append(Figure(label, f"{balance} 元", _url("funds:account_detail", code)))
    return out


def _linked_tops(user: Any) -> list[Any]:
    """The top organisations of the scope with their subtree counters, each figure with its link."""
    counters = subtree_counters(user)
    tops = list(tree_top_nodes(user))
    for top in tops:
        top.figures = [("下级组织", top.descendant_count, _url("orgs:list", subtree=top.code))]
        for c in counters:
            name, params = COUNTER_LISTS.get(c.key, ("", {}))
            url = _url(name, subtree=top.code, **params) if name else ""
            top.figures.append((c.label, getattr(top, c.key, 0) or 0, url))
    return tops


def home_figures(user: Any) -> dict[str, Any]:
    perms = perms_of(user, office=True)
    with tallies.one_reading():
        items, key = todos(user), key_figures(user, perms)
    figures: dict[str, Any] = {
        "todos": items,
        "figures": key,
        "assignments": RoleAssignment.objects.filter(user=user).select_related("organisation"),
    }
    if Perm.ORG_VIEW in perms:
        by_kind = (
            visible_organisations(user)
            .filter(status=Organisation.Status.ACTIVE)
            .values("kind")
            .annotate(n=Count("pk"))
            .order_by("kind")
        )
        labels = dict(Organisation.Kind.choices)
        figures["org_kinds"] = [(labels.get(r["kind"], r["kind"]), r["n"]) for r in by_kind]
        figures["tops"] = _linked_tops(user)
    return figures


# --- the work report's wording ------------------------------------------------------------------------


def report_draft(root: Organisation, period: Any) -> Any:
    """The officers' edited wording of this organisation's report for this period, if any (the caller
    has already checked the organisation is in the user's scope)."""
    from dashboard.models import ReportDraft

    return ReportDraft.objects.filter(organisation=root, start=period.start, end=period.end).first()


def report_template(draft: Any) -> str:
    from dashboard.report import DEFAULT_TEMPLATE

    return draft.template if draft is not None else DEFAULT_TEMPLATE
