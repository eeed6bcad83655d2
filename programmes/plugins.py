"""The three organisation programmes as plug-ins of the funds engine (registered in apps.ready()).

Each formula is a small pure function over Decimals (``*_amount``) so that it can be tested on its
own; the plug-in gathers the inputs with a bounded number of queries and writes the explanation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from core.db import subquery_count
from core.money import FEN, format_yuan, to_yuan
from funds.engine import Param, ParameterHistory, ParamKind, PeriodSpan
from funds.models import Payment
from members.models import Membership
from orgs.models import Organisation

K = Organisation.Kind
MIN_AVERAGE_PER_MEMBER = Decimal("100.00")  # the report: 平均每人不低于100元


# --- parameter helpers ------------------------------------------------------------------------
# Each names the parameter by its Chinese label; ``field`` (default: the parameter itself) is the
# declared parameter the message belongs beside on the programme's parameter form.


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _money(params: dict, name: str, label: str, *, minimum: Decimal = Decimal(0), field: str = "") -> Decimal:
    if params.get(name) in (None, ""):
        raise _refuse(field or name, f"请填写“{label}”")
    try:
        value = to_yuan(str(params[name]))
    except (ValidationError, TypeError):
        raise _refuse(field or name, f"“{label}”应为金额，实际为“{params[name]}”") from None
    if value < minimum:
        raise _refuse(field or name, f"“{label}”不能小于 {format_yuan(minimum)} 元")
    return value


def _ratio(params: dict, name: str, label: str, default: str | None = None, *, field: str = "") -> Decimal:
    raw = params.get(name, default)
    if raw in (None, ""):
        raise _refuse(field or name, f"请填写“{label}”")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise _refuse(field or name, f"“{label}”应在 0% 到 100% 之间，实际为“{raw}”")
    return value


def _int(params: dict, name: str, label: str, default: int | None = None, minimum: int = 0, *, field: str = "") -> int:
    raw = params.get(name, default)
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        raise _refuse(field or name, f"“{label}”应为整数，实际为“{raw}”") from None
    if value < minimum:
        raise _refuse(field or name, f"“{label}”不能小于 {minimum}")
    return value


def _date(params: dict, name: str, label: str) -> date:
    try:
        return date.fromisoformat(str(params[name]))
    except KeyError:
        raise _refuse(name, f"请填写“{label}”") from None
    except ValueError:
        raise _refuse(name, f"“{label}”应为日期，如 2026-01-01，实际为“{params[name]}”") from None


def _pct(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def _members_on_subquery(on: date) -> Subquery:
    return subquery_count(Membership.objects.active_on(on).filter(organisation=OuterRef("pk")))


# --- 新建工会启动经费 start-up grant ----------------------------------------------------------


def tier_rate(tiers: list[dict[str, Any]], members: int) -> Decimal:
    """The per-member rate of the highest tier whose lower bound the member count reaches."""
    rate = Decimal(0)
    for tier in tiers:
        if members >= int(tier["min_members"]):
            rate = Decimal(str(tier["rate"]))
    return rate


def startup_grant_amount(members: int, tiers: list[dict[str, Any]]) -> tuple[Decimal, Decimal]:
    rate = tier_rate(tiers, members)
    return to_yuan(rate * members), rate


class StartupGrant:
    key = "startup_grant"
    label = "新建工会启动经费"
    beneficiary_type = "org"
    once_per_beneficiary = True  # paid at most once per union across every start-up programme
    parameters = (
        Param("window_start", "建会时间窗口起", ParamKind.DATE, help="在此日期及以后成立的工会可以申领"),
        Param("window_end", "建会时间窗口止", ParamKind.DATE, help="在此日期及以前成立的工会可以申领"),
        Param(
            "count_days_after_founding",
            "成立后计算会员人数的天数",
            ParamKind.INT,
            required=False,
            default=0,
            minimum=0,
            help="0 表示按成立当日的会员人数计算；不会晚于今天",
        ),
        Param(
            "tiers",
            "分档标准",
            ParamKind.TABLE,
            row_label="档",
            help="会员人数达到某档起始人数的，全体会员按该档标准计算；第 1 档从 1 人起，"
            f"每人不低于 {MIN_AVERAGE_PER_MEMBER:.0f} 元",
            columns=(
                Param("min_members", "起始人数（人）", ParamKind.INT, minimum=1),
                Param("rate", "每人标准（元）", ParamKind.MONEY, minimum=MIN_AVERAGE_PER_MEMBER),
            ),
        ),
    )

    def validate_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        start = _date(params, "window_start", "建会时间窗口起")
        end = _date(params, "window_end", "建会时间窗口止")
        if end < start:
            raise _refuse("window_end", "“建会时间窗口止”不能早于“建会时间窗口起”")
        days = _int(params, "count_days_after_founding", "成立后计算会员人数的天数", default=0)
        tiers = params.get("tiers")
        if not isinstance(tiers, list) or not tiers:
            raise _refuse("tiers", "请填写“分档标准”：至少一档，如 1 人起每人 150.00 元")
        out_tiers, last_min = [], 0
        for i, tier in enumerate(tiers, start=1):
            if not isinstance(tier, dict):
                raise _refuse("tiers", f"分档标准第 {i} 档格式错误")
            lower = _int(tier, "min_members", f"第 {i} 档起始人数", minimum=1, field="tiers")
            rate = _money(tier, "rate", f"第 {i} 档每人标准", field="tiers")
            if i == 1 and lower != 1:
                raise _refuse("tiers", "分档标准第 1 档须从 1 人起")
            if lower <= last_min:
                raise _refuse(
                    "tiers", f"分档标准第 {i} 档起始人数（{lower} 人）须大于上一档（{last_min} 人）：各档不能重叠"
                )
            # A flat tier pays its rate to every member: the average per member equals the rate.
            if rate < MIN_AVERAGE_PER_MEMBER:
                raise _refuse(
                    "tiers",
                    f"分档标准第 {i} 档每人 {format_yuan(rate)} 元：启动经费须按会员人数平均每人不低于 "
                    f"{format_yuan(MIN_AVERAGE_PER_MEMBER)} 元",
                )
            last_min = lower
            out_tiers.append({"min_members": lower, "rate": str(rate)})
        return {
            "window_start": start.isoformat(),
            "window_end": end.isoformat(),
            "count_days_after_founding": days,
            "tiers": out_tiers,
        }

    def eligible(self, period: PeriodSpan, params: dict[str, Any]) -> Iterable[Organisation]:
        qs = (
            Organisation.objects.filter(status=Organisation.Status.ACTIVE)
            .filter(
                Q(kind=K.ENTERPRISE, economic_type=Organisation.EconomicType.NON_PUBLIC)
                | Q(kind__in=[K.VILLAGE_JOINT, K.COMMUNITY_JOINT])
            )
            .filter(founded_on__gte=params["window_start"], founded_on__lte=params["window_end"])
            .exclude(Exists(Payment.objects.filter(programme__plugin_key=self.key, beneficiary_org=OuterRef("pk"))))
            .order_by("path")
        )
        orgs = list(qs)
        days = params["count_days_after_founding"]
        today = timezone.localdate()
        # Memberships of the candidates in one query; counted per union at its own date in Python.
        spans = Membership.objects.filter(organisation__in=qs.values("pk")).values_list(
            "organisation_id", "joined_on", "ended_on"
        )
        per_org: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
        for org_id, joined, ended in spans.iterator(chunk_size=5000):
            per_org[org_id].append((joined, ended))
        for org in orgs:
            # Members are counted when the union was founded (or N days later, as the programme sets),
            # never on a date still to come: the registry cannot know those members yet.
            on = min(org.founded_on + timedelta(days=days), today)
            org.count_date = on
            org.members_at_founding = sum(
                1 for joined, ended in per_org.get(org.pk, ()) if joined <= on and (ended is None or ended > on)
            )
        return [o for o in orgs if o.members_at_founding > 0]

    def compute(self, org: Organisation, period: PeriodSpan, params: dict[str, Any]) -> tuple[Decimal, str, dict]:
        members = org.members_at_founding
        amount, rate = startup_grant_amount(members, params["tiers"])
        explanation = (
            f"成立于 {org.founded_on:%Y-%m-%d}（窗口 {params['window_start']} 至 {params['window_end']}）；"
            f"会员 {members} 人（截至 {org.count_date:%Y-%m-%d}）× {format_yuan(rate)} 元 = {format_yuan(amount)} 元"
        )
        inputs = {
            "founded_on": org.founded_on.isoformat(),
            "count_date": org.count_date.isoformat(),
            "members": members,
            "rate": str(rate),
        }
        return amount, explanation, inputs


# --- 税务代收经费返还 dues rebate ---------------------------------------------------------------


RETURNING_RULES = {
    "new": "按新缴费企业计算（留成 × 新增企业返还比例）",
    "growth": "按增长计算，上年留成按 0 计（留成 × 增长部分返还比例）",
}


def retained_share(dues: Decimal, ratio: Decimal) -> Decimal:
    """The district's retained share of one year's dues, rounded to the fen (as the explanation shows it)."""
    return (dues * ratio).quantize(FEN, ROUND_HALF_UP)


def dues_rebate_amount(
    *,
    dues: Decimal,
    prior_dues: Decimal | None,
    ratio: Decimal,
    prior_ratio: Decimal,
    growth_share: Decimal,
    new_share: Decimal,
    paid_before: bool = False,
    returning_rule: str = "new",
) -> tuple[Decimal, Decimal, Decimal | None, str]:
    """Rebate for year Y. Returns (rebate, retained(Y), retained(Y-1) or None, case).

    Each year's retained share uses that year's ratio and is rounded to the fen *before* the
    difference, so the figures of the explanation reproduce the amount. An enterprise that paid
    nothing in Y-1 is new ("new"), unless it paid in an earlier year ("returning"): then
    ``returning_rule`` decides — "new" (default) or "growth" (growth over a Y-1 share of 0)."""
    retained = retained_share(dues, ratio)
    if prior_dues is not None and prior_dues > 0:
        prior_retained = retained_share(prior_dues, prior_ratio)
        growth = max(Decimal(0), retained - prior_retained)
        return (growth * growth_share).quantize(FEN, ROUND_HALF_UP), retained, prior_retained, "growth"
    if paid_before and returning_rule == "growth":
        return (retained * growth_share).quantize(FEN, ROUND_HALF_UP), retained, Decimal("0.00"), "returning"
    case = "returning" if paid_before else "new"
    return (retained * new_share).quantize(FEN, ROUND_HALF_UP), retained, None, case


class DuesRebate:
    key = "dues_rebate"
    label = "税务代收经费返还"
    beneficiary_type = "org"
    uses_parameter_history = True  # year Y−1's retained share uses the parameters of year Y−1
    parameters = (
        Param("retention_ratio", "区总工会留成比例", ParamKind.RATIO, help="税务代收经费中区总工会留成的比例"),
        Param(
            "retention_ratio_by_year",
            "历年留成比例",
            ParamKind.TABLE,
            required=False,
            mapping=True,
            help="某年度的留成比例与上面的比例不同时逐年填写；未填写的年度按该年末生效的参数版本",
            columns=(
                Param("year", "年度", ParamKind.INT, minimum=2000, maximum=2100),
                Param("ratio", "留成比例", ParamKind.RATIO),
            ),
        ),
        Param(
            "growth_share",
            "增长部分返还比例",
            ParamKind.RATIO,
            default="0.5",
            help="已缴费企业：留成增长部分的返还比例",
        ),
        Param("new_share", "新增企业返还比例", ParamKind.RATIO, default="1", help="首次缴费企业：留成的返还比例"),
        Param(
            "returning_enterprise",
            "中断后再缴费企业",
            ParamKind.CHOICE,
            default="new",
            choices=(("new", "按新缴费企业计算"), ("growth", "按增长计算（上年留成按 0）")),
            help="上年未缴、此前年度缴纳过的企业",
        ),
        Param("require_assessment_pass", "须当年考评通过", ParamKind.BOOL, required=False, default=False),
    )

    def validate_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        ratio = _ratio(params, "retention_ratio", "区总工会留成比例")
        by_year = params.get("retention_ratio_by_year") or {}
        field = "retention_ratio_by_year"
        if not isinstance(by_year, dict):
            raise _refuse(field, "“历年留成比例”应逐年填写年度与比例")
        norm_by_year = {}
        for year, value in by_year.items():
            if not str(year).isdigit():
                raise _refuse(field, f"“历年留成比例”的年度“{year}”无效")
            norm_by_year[str(year)] = str(_ratio({"r": value}, "r", f"{year} 年留成比例", field=field))
        rule = str(params.get("returning_enterprise", "new"))
        if rule not in RETURNING_RULES:
            raise _refuse("returning_enterprise", "“中断后再缴费企业”应为“按新缴费企业计算”或“按增长计算”")
        return {
            "retention_ratio": str(ratio),
            "retention_ratio_by_year": norm_by_year,
            "growth_share": str(_ratio(params, "growth_share", "增长部分返还比例", "0.5")),
            "new_share": str(_ratio(params, "new_share", "新增企业返还比例", "1")),
            "require_assessment_pass": bool(params.get("require_assessment_pass", False)),
            "returning_enterprise": rule,
        }

    @staticmethod
    def ratio_for(params: dict[str, Any], year: int) -> Decimal:
        return Decimal(params["retention_ratio_by_year"].get(str(year), params["retention_ratio"]))

    def year_ratio(self, params: dict[str, Any], history: ParameterHistory | None, year: int) -> tuple[Decimal, str]:
        """The retention ratio in force for a year, and where it comes from (for the explanation):
        an explicit entry of the current parameters' 历年留成比例, else the programme's parameter
        version in force at the end of that year, else the current parameters."""
        if str(year) in params["retention_ratio_by_year"]:
            return Decimal(params["retention_ratio_by_year"][str(year)]), "历年留成比例"
        found = history(date(year, 12, 31)) if history is not None else None
        if found is not None:
            effective_from, version = found
            return self.ratio_for(version, year), f"{effective_from:%Y-%m-%d} 起参数"
        return Decimal(params["retention_ratio"]), "本期参数"

    def eligible(
        self, period: PeriodSpan, params: dict[str, Any], *, history: ParameterHistory | None = None
    ) -> Iterable[Organisation]:
        from assessment.selectors import published_results
        from programmes.models import DuesRecord

        year = period.year
        ratio, ratio_source = self.year_ratio(params, history, year)
        prior_ratio, prior_source = self.year_ratio(params, history, year - 1)
        this_year = DuesRecord.objects.filter(organisation=OuterRef("pk"), year=year)
        prior = DuesRecord.objects.filter(credit_code=OuterRef("credit_code"), year=year - 1)
        earlier = DuesRecord.objects.filter(credit_code=OuterRef("credit_code"), year__lt=year - 1, dues_paid__gt=0)
        money = DuesRecord._meta.get_field("dues_paid")
        orgs = list(
            Organisation.objects.filter(Exists(this_year.filter(dues_paid__gt=0)))
            .annotate(
                dues_y=Subquery(this_year.values("dues_paid")[:1], output_field=money),
                dues_prev=Subquery(prior.values("dues_paid")[:1], output_field=money),
                paid_earlier=Exists(earlier),
                # the published assessment in force (assessment app), never a score typed by hand
                assessment_passed=Subquery(
                    published_results(year).filter(organisation=OuterRef("pk")).values("passed")[:1]
                ),
            )
            .order_by("path")
        )
        for org in orgs:
            org.rebate_ratios = (ratio, ratio_source, prior_ratio, prior_source)
        return orgs

    def compute(self, org: Organisation, period: PeriodSpan, params: dict[str, Any]) -> tuple[Decimal, str, dict]:
        year = period.year
        ratios = getattr(org, "rebate_ratios", None)
        if ratios is None:
            ratios = (*self.year_ratio(params, None, year), *self.year_ratio(params, None, year - 1))
        ratio, _, prior_ratio, prior_source = ratios
        growth_share, new_share = Decimal(params["growth_share"]), Decimal(params["new_share"])
        rule = params.get("returning_enterprise", "new")
        paid_earlier = bool(getattr(org, "paid_earlier", False))
        amount, retained, prior_retained, case = dues_rebate_amount(
            dues=org.dues_y,
            prior_dues=org.dues_prev,
            ratio=ratio,
            prior_ratio=prior_ratio,
            growth_share=growth_share,
            new_share=new_share,
            paid_before=paid_earlier,
            returning_rule=rule,
        )
        inputs = {
            "year": year,
            "dues": str(org.dues_y),
            "prior_dues": None if org.dues_prev is None else str(org.dues_prev),
            "ratio": str(ratio),
            "prior_ratio": str(prior_ratio),
            "retained": str(retained),
            "prior_retained": None if prior_retained is None else str(prior_retained),
            "case": case,
            "returning_enterprise": rule,
        }
        head = f"{year} 年缴纳 {format_yuan(org.dues_y)} 元 × 留成 {_pct(ratio)} = 留成 {format_yuan(retained)} 元"
        if case == "growth":
            growth = max(Decimal(0), retained - prior_retained)
            text = (
                f"{head}；{year - 1} 年缴纳 {format_yuan(org.dues_prev)} 元 × 留成 {_pct(prior_ratio)}"
                f"（{prior_source}） = 留成 {format_yuan(prior_retained)} 元；增长 {format_yuan(growth)} 元 × "
                f"{_pct(growth_share)} = {format_yuan(amount)} 元"
            )
        elif case == "returning":
            share = growth_share if rule == "growth" else new_share
            text = (
                f"{head}；{year - 1} 年未缴纳、此前年度缴纳过（中断后再缴费），{RETURNING_RULES[rule]}：留成 × "
                f"{_pct(share)} = {format_yuan(amount)} 元"
            )
        else:
            text = f"{head}；{year} 年首次缴纳，按留成 × {_pct(new_share)} = {format_yuan(amount)} 元"
        if params["require_assessment_pass"] and not org.assessment_passed:
            inputs["assessment_passed"] = bool(org.assessment_passed)
            reason = "无已发布的考核结果" if org.assessment_passed is None else "考核不合格"
            return Decimal("0.00"), f"{text}；{year} 年{reason}，不予返还", inputs
        return amount, text, inputs


# --- 联合工会 三补贴三挂钩 joint-union funding guarantee ----------------------------------------


def score_coefficient(bands: list[dict[str, Any]], score: Decimal | None) -> Decimal:
    """Coefficient of the highest band whose lower bound the score reaches (0 below every band)."""
    if score is None:
        return Decimal(0)
    best: tuple[Decimal, Decimal] | None = None
    for band in bands:
        low = Decimal(str(band["min_score"]))
        if score >= low and (best is None or low > best[0]):
            best = (low, Decimal(str(band["coefficient"])))
    return best[1] if best else Decimal(0)


def joint_union_amount(
    *,
    members: int,
    activities: int,
    score: Decimal | None,
    member_rate: Decimal,
    activity_rate: Decimal,
    activity_cap: Decimal,
    base: Decimal,
    bands: list[dict[str, Any]],
) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    """(total, member part, activity part, assessment part, coefficient)."""
    member_part = to_yuan(member_rate * members)
    activity_part = min(to_yuan(activity_rate * activities), activity_cap)
    coefficient = score_coefficient(bands, score)
    assessment_part = to_yuan(base * coefficient)
    return member_part + activity_part + assessment_part, member_part, activity_part, assessment_part, coefficient


class JointUnionSubsidy:
    key = "joint_union_subsidy"
    label = "联合工会“三补贴三挂钩”经费保障"
    beneficiary_type = "org"
    parameters = (
        Param(
            "member_rate", "每名会员补贴（元）", ParamKind.MONEY, minimum=0, help="挂钩会员人数：期末会员人数 × 此标准"
        ),
        Param(
            "activity_rate",
            "每次活动补贴（元）",
            ParamKind.MONEY,
            minimum=0,
            help="挂钩活动开展：期内已报送的活动次数 × 此标准",
        ),
        Param("activity_cap", "活动补贴上限（元）", ParamKind.MONEY, minimum=0),
        Param(
            "assessment_base",
            "考核补贴基数（元）",
            ParamKind.MONEY,
            minimum=0,
            help="挂钩考核结果：基数 × 考核分档系数",
        ),
        Param(
            "score_bands",
            "考核分档系数",
            ParamKind.TABLE,
            row_label="档",
            help="考核分数达到某档分数下限的，按该档系数计算；低于各档的系数为 0",
            columns=(
                Param("min_score", "分数下限", ParamKind.DECIMAL, minimum=0, maximum=100),
                Param("coefficient", "系数", ParamKind.DECIMAL, minimum=0, maximum=5),
            ),
        ),
        Param("pilot_only", "仅限试点工会", ParamKind.BOOL, required=False, default=False),
        Param(
            "pilot_orgs",
            "试点工会",
            ParamKind.ORGANISATIONS,
            required=False,
            org_kinds=(K.VILLAGE_JOINT, K.COMMUNITY_JOINT),
            help="勾选“仅限试点工会”时，只计算这些联合工会",
        ),
    )

    def validate_parameters(self, params: dict[str, Any]) -> dict[str, Any]:
        bands = params.get("score_bands")
        if not isinstance(bands, list) or not bands:
            raise _refuse("score_bands", "请填写“考核分档系数”：至少一档，如 90 分以上系数 1.2")
        norm_bands = []
        for i, band in enumerate(bands, start=1):
            if not isinstance(band, dict):
                raise _refuse("score_bands", f"考核分档第 {i} 档格式错误")
            try:
                low = Decimal(str(band["min_score"]))
                coefficient = Decimal(str(band["coefficient"]))
            except (KeyError, InvalidOperation):
                raise _refuse("score_bands", f"考核分档第 {i} 档须填写分数下限与系数（数字）") from None
            if not (low.is_finite() and coefficient.is_finite()) or not (
                Decimal(0) <= low <= Decimal(100) and Decimal(0) <= coefficient <= Decimal(5)
            ):
                raise _refuse("score_bands", f"考核分档第 {i} 档：分数下限应在 0–100，系数应在 0–5")
            norm_bands.append({"min_score": str(low), "coefficient": str(coefficient)})
        if len({Decimal(b["min_score"]) for b in norm_bands}) != len(norm_bands):
            raise _refuse("score_bands", "考核分档的分数下限不能重复")
        pilot_orgs = params.get("pilot_orgs") or []
        if not isinstance(pilot_orgs, list) or not all(isinstance(c, str) for c in pilot_orgs):
            raise _refuse("pilot_orgs", "“试点工会”应为所选的工会")
        pilot_only = bool(params.get("pilot_only", False))
        if pilot_only and not pilot_orgs:
            raise _refuse("pilot_orgs", "已勾选“仅限试点工会”，请选择试点工会")
        return {
            "member_rate": str(_money(params, "member_rate", "每名会员补贴")),
            "activity_rate": str(_money(params, "activity_rate", "每次活动补贴")),
            "activity_cap": str(_money(params, "activity_cap", "活动补贴上限")),
            "assessment_base": str(_money(params, "assessment_base", "考核补贴基数")),
            "score_bands": sorted(norm_bands, key=lambda b: Decimal(b["min_score"]), reverse=True),
            "pilot_only": pilot_only,
            "pilot_orgs": sorted(set(pilot_orgs)),
        }

    def eligible(self, period: PeriodSpan, params: dict[str, Any]) -> Iterable[Organisation]:
        from activities.models import Activity
        from assessment.models import AssessmentResult
        from assessment.selectors import published_results

        qs = Organisation.objects.filter(
            kind__in=[K.VILLAGE_JOINT, K.COMMUNITY_JOINT], status=Organisation.Status.ACTIVE
        ).filter(Q(founded_on__isnull=True) | Q(founded_on__lte=period.end))
        if params["pilot_only"]:
            qs = qs.filter(code__in=params["pilot_orgs"])
        return qs.annotate(
            members_n=_members_on_subquery(period.end),
            activities_n=subquery_count(
                Activity.objects.filter(
                    organisation=OuterRef("pk"),
                    held_on__gte=period.start,
                    held_on__lte=period.end,
                    state=Activity.State.REVIEWED,  # only reports the union above accepted
                )
            ),
            # the published assessment in force: its total decides the score band
            score=Subquery(
                published_results(period.year).filter(organisation=OuterRef("pk")).values("total")[:1],
                output_field=AssessmentResult._meta.get_field("total"),
            ),
        ).order_by("path")

    def compute(self, org: Organisation, period: PeriodSpan, params: dict[str, Any]) -> tuple[Decimal, str, dict]:
        member_rate = Decimal(params["member_rate"])
        activity_rate = Decimal(params["activity_rate"])
        cap = Decimal(params["activity_cap"])
        base = Decimal(params["assessment_base"])
        total, mp, ap, sp, coefficient = joint_union_amount(
            members=org.members_n or 0,
            activities=org.activities_n or 0,
            score=org.score,
            member_rate=member_rate,
            activity_rate=activity_rate,
            activity_cap=cap,
            base=base,
            bands=params["score_bands"],
        )
        capped = "（已达上限）" if ap < to_yuan(activity_rate * (org.activities_n or 0)) else ""
        score = None if org.score is None else Decimal(org.score).quantize(FEN)
        score_text = "无已发布的考核结果 → 系数 0" if score is None else f"已发布考核 {score} 分 → 系数 {coefficient}"
        explanation = (
            f"挂钩会员人数：会员 {org.members_n or 0} 人 × {format_yuan(member_rate)} 元 = {format_yuan(mp)} 元；"
            f"挂钩活动开展：活动 {org.activities_n or 0} 次 × {format_yuan(activity_rate)} 元，上限 "
            f"{format_yuan(cap)} 元 = {format_yuan(ap)} 元{capped}；"
            f"挂钩考核结果：{score_text} × {format_yuan(base)} 元 = {format_yuan(sp)} 元；合计 {format_yuan(total)} 元"
        )
        inputs = {
            "members": org.members_n or 0,
            "activities": org.activities_n or 0,
            "score": None if score is None else str(score),
            "coefficient": str(coefficient),
            "parts": [str(mp), str(ap), str(sp)],
        }
        return total, explanation, inputs


PLUGINS = (StartupGrant(), DuesRebate(), JointUnionSubsidy())

__all__ = [
    "PLUGINS",
    "DuesRebate",
    "JointUnionSubsidy",
    "StartupGrant",
    "dues_rebate_amount",
    "joint_union_amount",
    "retained_share",
    "score_coefficient",
    "startup_grant_amount",
    "tier_rate",
]
