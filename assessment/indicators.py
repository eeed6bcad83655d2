"""The automatic indicators read from the apps above this one (appeals, members, activities, orgs,
cadres, assistance, surveys).

Social workers are assessed on the rows of the unions they served, on the days they served them
(``Run.owner(path, on)``): the request rates, the requests handled and the activities; and on the
training classes they completed (through the cadre record linked to their account).

Dues and start-up grants live in ``programmes`` (below this app), so their indicators are registered
there (``programmes/indicators.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone

from activities.models import Activity
from appeals.models import Appeal
from appeals.selectors import METRICS, RateParams, rates_from_counts
from assessment.formulas import q1
from assessment.models import ORG_ASSESSEE_KINDS, AssesseeKind
from assessment.registry import IndicatorDef, Measure, RowColumn, Run, register_indicator
from assistance.models import Verification
from cadres.models import Attendance, Post, SocialWorker
from cadres.selectors import coverage_of
from members.models import Membership
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import subtree_q
from surveys.models import Invitation, Response
from surveys.selectors import SurveyFigures, rate, survey_figures

ALL_KINDS = ORG_ASSESSEE_KINDS  # every kind of organisation assessed
WITH_WORKERS = ORG_ASSESSEE_KINDS | {AssesseeKind.SOCIAL_WORKER}
WORKERS = frozenset({AssesseeKind.SOCIAL_WORKER})
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


def _day(run: Run, moment: datetime) -> date | None:
    """The local day of a row's timestamp, needed only when rows are attributed by date (workers)."""
    return timezone.localtime(moment).date() if run.by_date else None


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
        .values_list("pk", "organisation__path", "registered_at", *(f"f_{k}" for k in APPEAL_FLAGS))
        .order_by("pk")
    )
    out: dict[int, tuple[dict[str, int], dict[str, list[int]]]] = {}
    for pk, path, registered, *values in rows:
        owner = run.owner(path, _day(run, registered))
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


def appeals_handled(run: Run) -> dict[int, Measure]:
    return {
        owner: Measure(Decimal(counts["all"]), ids["all"], f"服务期间登记的职工诉求 {counts['all']} 件")
        for owner, (counts, ids) in _appeal_counts(run).items()
    }


def trainings_attended(run: Run) -> dict[int, Measure]:
    """Training classes each worker completed (已结业) in the period, through the cadre record linked
    to the worker's account — any organiser, whichever union the worker then served."""
    accounts = dict(
        SocialWorker.objects.filter(pk__in=[a.pk for a in run.assessees], user__isnull=False).values_list(
            "user_id", "pk"
        )
    )
    rows = (
        Attendance.objects.filter(
            cadre__user_id__in=list(accounts),
            status=Attendance.Status.COMPLETED,
            completed_on__gte=run.start,
            completed_on__lte=run.end,
        )
        .values_list("pk", "cadre__user_id")
        .order_by("pk")
    )
    found: dict[int, list[int]] = {}
    for pk, user_id in rows:
        found.setdefault(accounts[user_id], []).append(pk)
    return {owner: Measure(Decimal(len(ids)), ids, f"期内结业的培训 {len(ids)} 次") for owner, ids in found.items()}


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
        growth = q1((Decimal(len(a)) - b) * 100 / b)
        out[owner] = Measure(growth, joined, f"期初 {b} 人，期末 {len(a)} 人，增长 {growth}%（明细为期内新增会员）")
    return out


def activities_held(run: Run) -> dict[int, Measure]:
    rows = (
        Activity.objects.filter(
            subtree_q("organisation__path", run.root_path),
            held_on__gte=run.start,
            held_on__lte=run.end,
            state=Activity.State.REVIEWED,
        )
        .values_list("pk", "organisation__path", "held_on")
        .order_by("pk")
    )
    return {
        owner: Measure(Decimal(len(ids)), ids, f"期内举办且报告经上级审核通过的活动 {len(ids)} 次")
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


def _share(part: int, whole: int) -> Decimal:
    return q1(Decimal(part) * 100 / whole)


def cadres_trained(run: Run) -> dict[int, Measure]:
    """The cadres app's coverage rule (one row per grassroots cadre of the year, their latest post)
    over the whole subtree in one query, split by assessee."""
    rows = (
        coverage_of(Post.objects.filter(subtree_q("organisation__path", run.root_path)), run.year)
        .values_list("pk", "organisation__path", "trained")
        .order_by("pk")
    )
    found: dict[int, tuple[list[int], list[int]]] = {}
    for pk, path, trained in rows:
        owner = run.owner(path)
        if owner is None:
            continue
        every, done = found.setdefault(owner, ([], []))
        every.append(pk)
        if trained:
            done.append(pk)
    return {
        owner: Measure(
            _share(len(done), len(every)),
            every,
            f"{run.year} 年应培训基层工会干部 {len(every)} 人，已完成培训 {len(done)} 人",
        )
        for owner, (every, done) in found.items()
    }


def reverified_on_time(run: Run) -> dict[int, Measure]:
    """A span ending on E makes the file due for re-verification on E + 1 (the first day it would
    not be covered). Due in the period: E + 1 within the period and not after today, the file not
    exited while still covered. On time: a later span of the same file begun no later than E + 1."""
    last_due = min(run.end, timezone.localdate())
    due = Verification.objects.filter(
        subtree_q("file__organisation__path", run.root_path),
        valid_until__gte=run.start - timedelta(days=1),
        valid_until__lte=last_due - timedelta(days=1),
    ).exclude(file__exited_on__lte=models.F("valid_until"))
    later: dict[int, list[date]] = {}
    for file_id, done_on in (
        Verification.objects.filter(file__in=due.values("file"), done_on__gte=run.start - timedelta(days=366))
        .values_list("file_id", "done_on")
        .order_by("file_id", "done_on")
    ):
        later.setdefault(file_id, []).append(done_on)
    found: dict[int, tuple[list[int], int]] = {}
    for pk, path, file_id, done_on, valid_until in due.values_list(
        "pk", "file__organisation__path", "file_id", "done_on", "valid_until"
    ).order_by("pk"):
        owner = run.owner(path)
        if owner is None:
            continue
        on_time = any(done_on < d <= valid_until + timedelta(days=1) for d in later.get(file_id, ()))
        spans, punctual = found.get(owner, ([], 0))
        spans.append(pk)
        found[owner] = (spans, punctual + on_time)
    return {
        owner: Measure(_share(punctual, len(spans)), spans, f"期内到期应复核 {len(spans)} 件，按期复核 {punctual} 件")
        for owner, (spans, punctual) in found.items()
    }


def _survey_rollup(run: Run) -> dict[int, SurveyFigures]:
    """``surveys.selectors.survey_figures`` per organisation, summed over each assessee's subtree."""
    if "surveys" in run.cache:
        return run.cache["surveys"]
    figures = survey_figures(run.start, run.end)
    paths = dict(
        Organisation.objects.filter(subtree_q("path", run.root_path), pk__in=list(figures)).values_list("pk", "path")
    )
    out: dict[int, SurveyFigures] = {}
    for org_id, f in figures.items():
        owner = run.owner(paths[org_id]) if org_id in paths else None
        if owner is None:
            continue
        t = out.get(owner, SurveyFigures())
        out[owner] = SurveyFigures(
            t.sent + f.sent,
            t.answered + f.answered,
            t.satisfaction_answers + f.satisfaction_answers,
            None,
            t.satisfaction_points + f.satisfaction_points,
        )
    run.cache["surveys"] = out
    return out


def _surveys_behind(run: Run, model: type[Invitation] | type[Response]) -> dict[int, list[int]]:
    """The surveys sent in the period with invitations (or responses) of each assessee's unions."""
    rows = (
        model.objects.filter(
            subtree_q("organisation__path", run.root_path),
            survey__sent_on__gte=run.start,
            survey__sent_on__lte=run.end,
        )
        .values_list("survey_id", "organisation__path")
        .distinct()
        .order_by("survey_id")
    )
    return {owner: sorted(set(ids)) for owner, ids in run.group(rows).items()}


def surveys_response(run: Run) -> dict[int, Measure]:
    behind = _surveys_behind(run, Invitation)
    return {
        owner: Measure(rate(f.answered, f.sent), behind.get(owner, []), f"邀请 {f.sent} 人次，作答 {f.answered} 人次")
        for owner, f in _survey_rollup(run).items()
        if f.sent
    }


def surveys_satisfaction(run: Run) -> dict[int, Measure]:
    behind = _surveys_behind(run, Response)
    return {
        owner: Measure(
            q1(f.satisfaction_points / f.satisfaction_answers),
            behind.get(owner, []),
            f"量表题作答 {f.satisfaction_answers} 个，折算百分制平均 {q1(f.satisfaction_points / f.satisfaction_answers)} 分",
        )
        for owner, f in _survey_rollup(run).items()
        if f.satisfaction_answers
    }


WORKER_INDICATORS = (
    IndicatorDef(
        "appeals_handled",
        "处理诉求件数",
        "社工服务的工会在其服务期间（按指派的起止日期）登记的职工诉求件数，即其作为点对点联络人承接的诉求",
        "件",
        WORKERS,
        appeals_handled,
        "appeals.Appeal",
        Perm.APPEAL_VIEW,
        APPEAL_COLUMNS,
        Decimal("0"),
        Decimal("20"),
        absent_is_zero=True,
    ),
    IndicatorDef(
        "trainings_attended",
        "参加培训次数",
        "社工期内完成（已结业，结业日期在期内）的干部培训班次数，按其平台账号关联的干部记录统计",
        "次",
        WORKERS,
        trainings_attended,
        "cadres.Attendance",
        Perm.CADRE_VIEW,
        (
            RowColumn("培训班", "training_class__title"),
            RowColumn("主办单位", "training_class__organisation__name"),
            RowColumn("结业日期", "completed_on"),
            RowColumn("学时", "training_class__hours"),
        ),
        Decimal("0"),
        Decimal("2"),
        absent_is_zero=True,
    ),
)

MEMBER_COLUMNS = (
    RowColumn("会员编号", "member_no"),
    RowColumn("工会", "organisation__name"),
    RowColumn("入会日期", "joined_on"),
    RowColumn("终止日期", "ended_on"),
)

SURVEY_COLUMNS = (
    RowColumn("问卷名称", "title"),
    RowColumn("发起工会", "organisation__name"),
    RowColumn("发放日期", "sent_on"),
    RowColumn("匿名", "anonymous"),
)

INDICATORS = (
    IndicatorDef(
        "appeals_response",
        "诉求响应率",
        "期内登记的职工诉求中按时联系的比例（按时联系 ÷ 诉求总数，%）；期内无诉求的不计此项。"
        "社工：其服务的工会在其服务期间登记的诉求（即其任联络人的诉求）",
        "%",
        WITH_WORKERS,
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
        WITH_WORKERS,
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
        WITH_WORKERS,
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
        "期内举办、活动报告经上级工会审核通过的活动次数（含下属工会；未报送、待审核、被退回的不计）；"
        "社工：其服务的工会在其服务期间举办的",
        "次",
        WITH_WORKERS,
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
    IndicatorDef(
        "cadres_trained",
        "基层工会干部培训覆盖率",
        "本年度在任（任职期与本年有交集）的基层工会干部中，本年内完成至少一次培训的比例（已培训 ÷ 应培训，%；每人按其本年最后一个基层职务计入所在工会）；无基层干部的不计此项",
        "%",
        ALL_KINDS,
        cadres_trained,
        "cadres.Post",
        Perm.CADRE_VIEW,
        (
            RowColumn("姓名", "cadre__name"),
            RowColumn("工会", "organisation__name"),
            RowColumn("职务", "get_role_display"),
            RowColumn("任职日期", "started_on"),
        ),
        Decimal("60"),
        Decimal("100"),
    ),
    IndicatorDef(
        "hardship_reverified",
        "困难职工档案按期复核率",
        "期内到期应复核的困难职工档案中按期复核的比例（%）：认定或复核有效期至某日，次日即到期；到期日在期内且不晚于今天、"
        "档案未在有效期内脱困的为应复核；到期日当天或之前办理了下一次复核的为按期；无到期档案的不计此项",
        "%",
        ALL_KINDS,
        reverified_on_time,
        "assistance.Verification",
        Perm.ASSISTANCE_VIEW,
        (
            RowColumn("档案编号", "file__file_no"),
            RowColumn("所属工会", "file__organisation__name"),
            RowColumn("类型", "get_kind_display"),
            RowColumn("认定/复核日期", "done_on"),
            RowColumn("有效期至", "valid_until"),
        ),
        Decimal("60"),
        Decimal("100"),
    ),
    IndicatorDef(
        "surveys_response",
        "问卷调查参与率",
        "期内发放的问卷中，本工会及下属工会会员被邀请后作答的比例（作答人次 ÷ 邀请人次，%）；期内无人被邀请的不计此项",
        "%",
        ALL_KINDS,
        surveys_response,
        "surveys.Survey",
        Perm.SURVEY_VIEW,
        SURVEY_COLUMNS,
        Decimal("30"),
        Decimal("90"),
    ),
    IndicatorDef(
        "surveys_satisfaction",
        "问卷满意度",
        "期内发放问卷的量表题（满意度）作答折算百分制 (得分 − 最低分) ÷ (最高分 − 最低分) × 100 后的平均分；"
        "匿名问卷不足 5 份答卷的组不计；无量表题作答的不计此项",
        "分",
        ALL_KINDS,
        surveys_satisfaction,
        "surveys.Survey",
        Perm.SURVEY_VIEW,
        SURVEY_COLUMNS,
        Decimal("60"),
        Decimal("100"),
    ),
)


def register() -> None:
    for definition in (*INDICATORS, *WORKER_INDICATORS):
        register_indicator(definition)
