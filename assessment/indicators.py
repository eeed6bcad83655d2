"""The automatic indicators read from the apps above this one (appeals, members, activities, orgs).

Dues and start-up grants live in ``programmes`` (below this app), so their indicators are registered
there (``programmes/indicators.py``). Hardship files re-verified on time, cadres trained and survey
response/satisfaction are registered when those apps land (docs/assessment.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone

from activities.models import Activity
from appeals.models import Appeal
from appeals.selectors import METRICS, RateParams, rates_from_counts
from assessment.models import AssesseeKind
from assessment.registry import IndicatorDef, Measure, RowColumn, Run, register_indicator
from members.models import Membership
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import subtree_q

ALL_KINDS = frozenset(AssesseeKind.values)
# The indicators read their rows as one plain fetch, not ``.iterator()``: on PostgreSQL a server-side
# cursor is planned for the first rows and turned the 20,000-union members query from 0.4 s into 66 s
# (bench/assessment_year.py).
APPEAL_FLAGS = ("contacted_in_time", "valid", "resolved", "rated", "satisfied", "basic")
APPEAL_COLUMNS = (
    RowColumn("编号", "number"),
    RowColumn("标题", "title"),
    RowColumn("所属工会", "organisation__name"),
    RowColumn("登记时间", "registered_at"),
    RowColumn("按时联系", "contacted_in_time"),
    RowColumn("已解决", "resolved"),
    RowColumn("评价", "get_rating_display"),
)


def _bounds(run: Run) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(run.start, time.min, tzinfo=tz), datetime.combine(run.end, time.max, tzinfo=tz)


def _appeal_counts(run: Run) -> dict[int, tuple[dict[str, int], dict[str, list[int]]]]:
    """Per assessee: the rate counts (the appeals app's METRICS filters) and the ids behind each —
    one query over every request registered in the period, shared by the three rates."""
    if "appeals" in run.cache:
        return run.cache["appeals"]
    low, high = _bounds(run)
    flags = {k: ExpressionWrapper(METRICS[k][1], output_field=BooleanField()) for k in APPEAL_FLAGS}
    rows = (
        Appeal.objects.filter(subtree_q("organisation__path", run.root_path), registered_at__gte=low)
        .filter(registered_at__lte=high)
        .annotate(**{f"f_{k}": e for k, e in flags.items()})
        .values_list("pk", "organisation__path", *(f"f_{k}" for k in APPEAL_FLAGS))
        .order_by("pk")
    )
    out: dict[int, tuple[dict[str, int], dict[str, list[int]]]] = {}
    for pk, path, *values in rows:
        owner = run.owner(path)
        if owner is None:
            continue
        counts, ids = out.setdefault(owner, (dict.fromkeys(METRICS, 0), {"all": [], "valid": [], "rated": []}))
        counts["all"] += 1
        ids["all"].append(pk)
        for key, flag in zip(APPEAL_FLAGS, values, strict=True):
            if flag:
                counts[key] += 1
                if key in ids:
                    ids[key].append(pk)
    run.cache["appeals"] = out
    return out


def _rate_indicator(attr: str, rows_key: str, note: str) -> Callable[[Run], dict[int, Measure]]:
    def compute(run: Run) -> dict[int, Measure]:
        out = {}
        for owner, (counts, ids) in _appeal_counts(run).items():
            rates = rates_from_counts(counts, RateParams())
            out[owner] = Measure(getattr(rates, attr), ids[rows_key], note.format(**counts))
        return out

    return compute


def members_at(run: Run, on: date) -> dict[int, list[int]]:
    rows = (
        Membership.objects.active_on(on)
        .filter(subtree_q("organisation__path", run.root_path))
        .values_list("pk", "organisation__path")
        .order_by("pk")
    )
    return run.group(rows)


def _members_end(run: Run) -> dict[int, list[int]]:
    if "members_end" not in run.cache:
        run.cache["members_end"] = members_at(run, run.end)
    return run.cache["members_end"]


def members_organised(run: Run) -> dict[int, Measure]:
    return {
        owner: Measure(Decimal(len(ids)), ids, f"{run.end:%Y-%m-%d} 在册会员 {len(ids)} 人")
        for owner, ids in _members_end(run).items()
    }


def members_growth(run: Run) -> dict[int, Measure]:
    before = members_at(run, run.start - timedelta(days=1))
    after = _members_end(run)
    out = {}
    for owner in set(before) | set(after):
        b, a = len(before.get(owner, ())), after.get(owner, [])
        old = set(before.get(owner, ()))
        joined = [pk for pk in a if pk not in old]
        if not b:
            out[owner] = Measure(None, joined, f"期初无会员，期末 {len(a)} 人（不计增长率）")
            continue
        growth = ((Decimal(len(a)) - b) * 100 / b).quantize(Decimal("0.1"))
        out[owner] = Measure(growth, joined, f"期初 {b} 人，期末 {len(a)} 人，增长 {growth}%（明细为期内新增会员）")
    return out


def activities_held(run: Run) -> dict[int, Measure]:
    rows = (
        Activity.objects.filter(
            subtree_q("organisation__path", run.root_path),
            held_on__gte=run.start,
            held_on__lte=run.end,
            reported_at__isnull=False,
        )
        .values_list("pk", "organisation__path")
        .order_by("pk")
    )
    return {
        owner: Measure(Decimal(len(ids)), ids, f"期内举办并报送活动 {len(ids)} 次")
        for owner, ids in run.group(rows).items()
    }


def unions_founded(run: Run) -> dict[int, Measure]:
    rows = (
        Organisation.objects.filter(
            subtree_q("path", run.root_path),
            kind__in=Organisation.GRASSROOTS_KINDS,
            founded_on__gte=run.start,
            founded_on__lte=run.end,
        )
        .values_list("pk", "path")
        .order_by("pk")
    )
    return {
        owner: Measure(Decimal(len(ids)), ids, f"期内新建基层工会 {len(ids)} 个")
        for owner, ids in run.group(rows).items()
    }


MEMBER_COLUMNS = (
    RowColumn("会员编号", "member_no"),
    RowColumn("工会", "organisation__name"),
    RowColumn("入会日期", "joined_on"),
    RowColumn("终止日期", "ended_on"),
)

INDICATORS = (
    IndicatorDef(
        "appeals_response",
        "诉求响应率",
        "期内登记的职工诉求中按时联系的比例（按时联系 ÷ 诉求总数，%）；期内无诉求的不计此项",
        "%",
        ALL_KINDS,
        _rate_indicator("response", "all", "按时联系 {contacted_in_time} 件 / 诉求 {all} 件"),
        "appeals.Appeal",
        Perm.APPEAL_VIEW,
        APPEAL_COLUMNS,
        Decimal("60"),
        Decimal("100"),
    ),
    IndicatorDef(
        "appeals_resolution",
        "诉求解决率",
        "期内登记的有效诉求中已解决的比例（已解决 ÷ 有效诉求，%；无效诉求不计）；无有效诉求的不计此项",
        "%",
        ALL_KINDS,
        _rate_indicator("resolution", "valid", "已解决 {resolved} 件 / 有效诉求 {valid} 件"),
        "appeals.Appeal",
        Perm.APPEAL_VIEW,
        APPEAL_COLUMNS,
        Decimal("50"),
        Decimal("100"),
    ),
    IndicatorDef(
        "appeals_satisfaction",
        "诉求满意率",
        "期内登记并已评价的诉求中（满意 + 基本满意 × 折算系数）÷ 已评价，%；无评价的不计此项",
        "%",
        ALL_KINDS,
        _rate_indicator("satisfaction", "rated", "满意 {satisfied} 件、基本满意 {basic} 件 / 已评价 {rated} 件"),
        "appeals.Appeal",
        Perm.APPEAL_VIEW,
        APPEAL_COLUMNS,
        Decimal("60"),
        Decimal("100"),
    ),
    IndicatorDef(
        "activities_held",
        "开展活动次数",
        "期内举办并已报送的活动次数（含下属工会）；活动审核上线后只计审核通过的活动",
        "次",
        ALL_KINDS,
        activities_held,
        "activities.Activity",
        Perm.ORG_VIEW,
        (
            RowColumn("活动名称", "title"),
            RowColumn("举办工会", "organisation__name"),
            RowColumn("举办日期", "held_on"),
            RowColumn("参加人数", "participants"),
        ),
        Decimal("0"),
        Decimal("12"),
        absent_is_zero=True,
    ),
    IndicatorDef(
        "members_organised",
        "组织会员人数",
        "期末在册会员人数（含下属工会；以会员关系的入会、终止日期判断期末是否在册）",
        "人",
        ALL_KINDS,
        members_organised,
        "members.Membership",
        Perm.MEMBER_VIEW,
        MEMBER_COLUMNS,
        Decimal("0"),
        Decimal("100"),
        absent_is_zero=True,
    ),
    IndicatorDef(
        "members_growth",
        "会员增长率",
        "（期末在册会员 − 期初在册会员）÷ 期初在册会员，%；期初无会员的不计此项。明细为期内新增的会员",
        "%",
        ALL_KINDS,
        members_growth,
        "members.Membership",
        Perm.MEMBER_VIEW,
        MEMBER_COLUMNS,
        Decimal("0"),
        Decimal("10"),
    ),
    IndicatorDef(
        "unions_founded",
        "新建基层工会数",
        "期内成立（成立日期在期内）的下属基层工会个数",
        "个",
        frozenset({AssesseeKind.SUB_FEDERATION}),
        unions_founded,
        "orgs.Organisation",
        Perm.ORG_VIEW,
        (RowColumn("工会名称", "name"), RowColumn("类型", "get_kind_display"), RowColumn("成立日期", "founded_on")),
        Decimal("0"),
        Decimal("20"),
        absent_is_zero=True,
    ),
)


def register() -> None:
    for definition in INDICATORS:
        register_indicator(definition)
