"""Changes to assessments: indicator sets, manual scores, and the compute → review → publish cycle.

Every step checks the actor's scope, refuses with a Chinese message naming the row or field, runs in
one transaction, and writes an ``AssessmentEvent``. A published version is never rewritten: a
recomputation is a new version, and publishing it supersedes the old one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django_fsm import can_proceed

from assessment import formulas
from assessment.models import (
    ALL_ASSESSEE_KINDS,
    AssesseeKind,
    Assessment,
    AssessmentEvent,
    AssessmentResult,
    EvaluationWrite,
    Indicator,
    IndicatorSet,
    ManualScore,
)
from assessment.registry import Assessee, Measure, Run, Span, get_indicator
from cadres.models import Assignment, Evaluation, SocialWorker
from cadres.services import evaluation_record
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, subtree_q

S = Assessment.State
RUNNING_KINDS = frozenset(Organisation.SUB_FEDERATION_KINDS | {Organisation.Kind.DISTRICT})


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator as entered (the form and the API build these; the service checks them)."""

    label: str
    weight: Any
    source: str = Indicator.Source.MANUAL
    key: str = ""
    score_min: Any = "0"
    score_max: Any = "100"
    floor: Any = None
    target: Any = None


def _decimal(value: Any, row: int, field: str, *, required: bool = True) -> Decimal | None:
    if value in (None, "") and not required:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"indicators": f"第 {row} 项指标的“{field}”应为数字"}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValidationError({"indicators": f"第 {row} 项指标的“{field}”应为有限的数字"})
    return number


def _require_manager(actor: Any, organisation: Organisation) -> None:
    if not can_at(actor, Perm.ORG_CHANGE, organisation):
        raise PermissionDenied("只有考核单位的管理人员可以进行此操作")


def indicators_check(kind: str, specs: Sequence[IndicatorSpec]) -> list[dict[str, Any]]:
    """The indicators, normalised, or a ValidationError naming the row: weights must sum to 100,
    an automatic indicator must be a registered function that applies to this kind of assessee and
    map its value from a floor below a target."""
    if not specs:
        raise ValidationError({"indicators": "请至少设置一项指标"})
    rows: list[dict[str, Any]] = []
    keys: set[str] = set()
    for i, spec in enumerate(specs, start=1):
        label = (spec.label or "").strip()
        if not label:
            raise ValidationError({"indicators": f"第 {i} 项指标缺少名称"})
        weight = _decimal(spec.weight, i, "权重")
        low, high = _decimal(spec.score_min, i, "分值下限"), _decimal(spec.score_max, i, "分值上限")
        if not Decimal(0) < weight <= Decimal(100):
            raise ValidationError({"indicators": f"第 {i} 项指标“{label}”的权重应大于 0、不超过 100"})
        if high <= low:
            raise ValidationError({"indicators": f"第 {i} 项指标“{label}”的分值上限应大于下限"})
        row: dict[str, Any] = {
            "position": i,
            "label": label[:80],
            "weight": weight,
            "score_min": low,
            "score_max": high,
            "source": spec.source,
            "key": "",
            "floor": None,
            "target": None,
        }
        if spec.source == Indicator.Source.AUTO:
            definition = get_indicator(spec.key)
            if definition is None:
                raise ValidationError({"indicators": f"第 {i} 项指标“{label}”：没有名为“{spec.key}”的自动指标"})
            if kind not in definition.kinds:
                raise ValidationError({"indicators": f"第 {i} 项指标“{label}”不适用于此类考核对象"})
            if spec.key in keys:
                raise ValidationError({"indicators": f"第 {i} 项指标“{label}”与前面的指标重复"})
            keys.add(spec.key)
            floor = _decimal(spec.floor, i, "起评值", required=False)
            target = _decimal(spec.target, i, "满分值", required=False)
            floor = definition.default_floor if floor is None else floor
            target = definition.default_target if target is None else target
            if target <= floor:
                raise ValidationError({"indicators": f"第 {i} 项指标“{label}”的满分值应大于起评值"})
            row.update(key=spec.key, floor=floor, target=target)
        elif spec.source != Indicator.Source.MANUAL:
            raise ValidationError({"indicators": f"第 {i} 项指标“{label}”的来源应为自动计算或人工评分"})
        rows.append(row)
    total = formulas.weights_total(r["weight"] for r in rows)
    if total != Decimal(100):
        raise ValidationError({"indicators": f"各项指标权重合计为 {formulas.q2(total)} 分，应为 100 分"})
    return rows


# A social worker's grade is their yearly evaluation's result, so their sets grade with its labels.
EVALUATION_BY_LABEL = {label: value for value, label in Evaluation.Result.choices}


def _worker_bands_check(bands: list[dict[str, str]]) -> None:
    wrong = [b["grade"] for b in bands if b["grade"] not in EVALUATION_BY_LABEL]
    if wrong:
        raise ValidationError(
            {
                "grade_bands": f"社工考核的等次即年度评价结果，应为{'、'.join(EVALUATION_BY_LABEL)}之一："
                f"“{'、'.join(wrong)}”不是"
            }
        )
    if min(Decimal(b["min_score"]) for b in bands) != 0:
        raise ValidationError({"grade_bands": "社工考核的最低一档应从 0 分起（每名社工都须有评价结果）"})


def grade_bands_check(bands: Any) -> list[dict[str, str]]:
    if not isinstance(bands, list) or not bands:
        raise ValidationError({"grade_bands": "请填写等次分档：至少一档，如 90 分以上为优秀"})
    out = []
    for i, band in enumerate(bands, start=1):
        try:
            low = Decimal(str(band["min_score"]))
            grade = str(band["grade"]).strip()
        except (KeyError, TypeError, InvalidOperation):
            raise ValidationError({"grade_bands": f"等次分档第 {i} 档须填写分数下限与等次名称"}) from None
        if not low.is_finite() or not Decimal(0) <= low <= Decimal(100) or not grade:
            raise ValidationError({"grade_bands": f"等次分档第 {i} 档：分数下限应在 0–100，等次名称不能为空"})
        out.append({"min_score": str(low), "grade": grade[:20]})
    if len({Decimal(b["min_score"]) for b in out}) != len(out):
        raise ValidationError({"grade_bands": "等次分档的分数下限不能重复"})
    return sorted(out, key=lambda b: Decimal(b["min_score"]), reverse=True)


def indicator_set_create(
    *,
    actor: Any,
    organisation: Organisation,
    year: int,
    assessee_kind: str,
    name: str,
    indicators: Sequence[IndicatorSpec],
    grade_bands: Any,
    pass_score: Any = "60",
    manual_rule: str = IndicatorSet.ManualRule.MEAN,
    reviewers: Sequence[Any] = (),
) -> IndicatorSet:
    """A district or town union sets up a year's indicators for one kind of assessee below it."""
    _require_manager(actor, organisation)
    if organisation.kind not in RUNNING_KINDS:
        raise ValidationError({"organisation": "考核单位应为区总工会或镇（街道、功能区、系统）工会"})
    if assessee_kind not in ALL_ASSESSEE_KINDS:
        raise ValidationError({"assessee_kind": "请选择考核对象"})
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度应在 2000 到 2100 之间"})
    if manual_rule not in IndicatorSet.ManualRule.values:
        raise ValidationError({"manual_rule": "请选择多人评分规则"})
    try:
        pass_mark = Decimal(str(pass_score))
    except InvalidOperation:
        raise ValidationError({"pass_score": "合格分数线应为数字"}) from None
    if not pass_mark.is_finite() or not Decimal(0) <= pass_mark <= Decimal(100):
        raise ValidationError({"pass_score": "合格分数线应在 0 到 100 之间"})
    rows = indicators_check(assessee_kind, indicators)
    bands = grade_bands_check(grade_bands)
    if assessee_kind == AssesseeKind.SOCIAL_WORKER:
        _worker_bands_check(bands)
    for user in reviewers:
        if not can_at(user, Perm.ORG_VIEW, organisation):
            raise ValidationError({"reviewers": f"评分人“{user}”不在考核单位范围内"})
    try:
        with transaction.atomic():
            indicator_set = IndicatorSet.objects.create(
                organisation=organisation,
                year=year,
                assessee_kind=assessee_kind,
                name=(name or "").strip()[:120] or f"{year} 年绩效考核",
                manual_rule=manual_rule,
                pass_score=pass_mark,
                grade_bands=bands,
                created_by=actor,
            )
            Indicator.objects.bulk_create(Indicator(indicator_set=indicator_set, **row) for row in rows)
            indicator_set.reviewers.set(reviewers)
    except IntegrityError:
        raise ValidationError({"year": f"{organisation.name} {year} 年已有此类考核对象的指标体系"}) from None
    return indicator_set


# --- manual scores ---------------------------------------------------------------------------------


def assessees_of(indicator_set: IndicatorSet, *, on: date | None = None) -> Any:
    """The organisations a set assesses: active unions of its kinds below the assessing union,
    founded by the end of the year."""
    end = on or date(indicator_set.year, 12, 31)
    return (
        Organisation.objects.filter(
            subtree_q("path", indicator_set.organisation.path),
            kind__in=indicator_set.org_kinds,
            status=Organisation.Status.ACTIVE,
        )
        .exclude(pk=indicator_set.organisation_id)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=end))
    )


def workers_of(indicator_set: IndicatorSet) -> Any:
    """The social workers a set assesses: employed by the assessing union or one below it, in service
    at some time in the year (hired by its end, not dismissed before its start, past probation —
    a worker on probation is judged by the probation review, not the yearly evaluation)."""
    start, end = date(indicator_set.year, 1, 1), date(indicator_set.year, 12, 31)
    return (
        SocialWorker.objects.filter(subtree_q("organisation__path", indicator_set.organisation.path), hired_on__lte=end)
        .exclude(stage=SocialWorker.Stage.PROBATION)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
    )


def assessee_count(indicator_set: IndicatorSet) -> int:
    return (workers_of if indicator_set.of_persons else assessees_of)(indicator_set).count()


def manual_score_record(
    *,
    actor: Any,
    indicator: Indicator,
    score: Any,
    evidence: str,
    organisation: Organisation | None = None,
    social_worker: SocialWorker | None = None,
) -> ManualScore:
    """A named reviewer scores one assessee (a union, or a social worker for a social workers' set)
    on a manual indicator (again: the new score replaces theirs)."""
    indicator_set = indicator.indicator_set
    if indicator.source != Indicator.Source.MANUAL:
        raise ValidationError({"indicator": f"“{indicator.label}”为自动计算指标，不能人工评分"})
    if not indicator_set.reviewers.filter(pk=actor.pk).exists():
        raise PermissionDenied("只有指标体系指定的评分人可以评分")
    if indicator_set.of_persons:
        if social_worker is None or not workers_of(indicator_set).filter(pk=social_worker.pk).exists():
            name = social_worker.name if social_worker else "所选社工"
            raise ValidationError({"social_worker": f"“{name}”不是本指标体系的考核对象"})
        who = {"organisation_id": social_worker.organisation_id, "social_worker": social_worker}
    else:
        if organisation is None or not assessees_of(indicator_set).filter(pk=organisation.pk).exists():
            name = organisation.name if organisation else "所选工会"
            raise ValidationError({"organisation": f"“{name}”不是本指标体系的考核对象"})
        who = {"organisation": organisation, "social_worker": None}
    try:
        value = Decimal(str(score))
    except InvalidOperation:
        raise ValidationError({"score": "评分应为数字"}) from None
    if not value.is_finite() or not indicator.score_min <= value <= indicator.score_max:
        raise ValidationError(
            {"score": f"“{indicator.label}”的评分应在 {indicator.score_min} 到 {indicator.score_max} 之间"}
        )
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError({"evidence": "请填写评分依据"})
    with transaction.atomic():
        row, _ = ManualScore.objects.update_or_create(
            indicator=indicator,
            reviewer=actor,
            **who,
            defaults={"score": formulas.q2(value), "evidence": evidence[:4000]},
        )
    return row


# --- computing a version ---------------------------------------------------------------------------


def _snapshot(indicator: Indicator) -> dict[str, Any]:
    definition = get_indicator(indicator.key) if indicator.source == Indicator.Source.AUTO else None
    return {
        "position": indicator.position,
        "source": indicator.source,
        "key": indicator.key,
        "label": indicator.label,
        "unit": definition.unit if definition else "分",
        "description": definition.description if definition else "评分人依据佐证材料评分",
        "weight": str(indicator.weight),
        "score_min": str(indicator.score_min),
        "score_max": str(indicator.score_max),
        "floor": None if indicator.floor is None else str(indicator.floor),
        "target": None if indicator.target is None else str(indicator.target),
    }


def _assessee_field(indicator_set: IndicatorSet) -> str:
    """The column of a result (or manual score) naming its assessee."""
    return "social_worker_id" if indicator_set.of_persons else "organisation_id"


def _manual_measures(indicator_set: IndicatorSet, rule: str) -> dict[int, dict[int, Measure]]:
    """Per manual indicator id: per assessee the combined score (as the value) and the score rows."""
    by: dict[int, dict[int, list[tuple[int, Decimal]]]] = defaultdict(lambda: defaultdict(list))
    for pk, indicator_id, org_id, score in ManualScore.objects.filter(
        indicator__indicator_set=indicator_set
    ).values_list("pk", "indicator_id", _assessee_field(indicator_set), "score"):
        by[indicator_id][org_id].append((pk, score))
    rule_label = IndicatorSet.ManualRule(rule).label
    out: dict[int, dict[int, Measure]] = {}
    for indicator_id, per_org in by.items():
        out[indicator_id] = {
            org_id: Measure(
                formulas.combine_manual([s for _, s in rows], rule),
                [pk for pk, _ in rows],
                f"{len(rows)} 名评分人：{'、'.join(str(s) for _, s in rows)}，{rule_label}",
            )
            for org_id, rows in per_org.items()
        }
    return out


def score_line(spec: dict[str, Any], measure: Measure | None) -> dict[str, Any]:
    """One indicator's line of a result: the value, the score it maps to, the weighted points."""
    low, high, weight = Decimal(spec["score_min"]), Decimal(spec["score_max"]), Decimal(spec["weight"])
    if measure is None or measure.value is None:
        note = measure.note if measure else ("无评分" if spec["source"] == Indicator.Source.MANUAL else "期内无数据")
        return {"value": None, "score": None, "points": None, "rows": measure.rows if measure else [], "note": note}
    if spec["source"] == Indicator.Source.AUTO:
        score = formulas.linear_score(
            measure.value, floor=Decimal(spec["floor"]), target=Decimal(spec["target"]), low=low, high=high
        )
    else:
        score = measure.value
    return {
        "value": str(measure.value),
        "score": str(score),
        "points": str(formulas.points(score, weight=weight, low=low, high=high)),
        "rows": measure.rows,
        "note": measure.note,
    }


def results_build(
    indicator_set: IndicatorSet,
    specs: list[dict[str, Any]],
    assessees: Sequence[Assessee],
    measures: dict[int, dict[int, Measure]],
) -> list[dict[str, Any]]:
    """Every assessee's lines, total, rank, grade and pass (pure over the measures)."""
    rows = []
    for a in assessees:
        lines = {str(s["position"]): score_line(s, measures.get(s["position"], {}).get(a.pk)) for s in specs}
        total = formulas.total_of(
            (
                Decimal(s["weight"]),
                None if lines[str(s["position"])]["points"] is None else Decimal(lines[str(s["position"])]["points"]),
            )
            for s in specs
        )
        rows.append({"assessee": a.pk, "name": a.name, "total": total, "lines": lines})
    for row, rank in zip(rows, formulas.competition_ranks([r["total"] for r in rows]), strict=True):
        row["rank"] = rank
        row["grade"] = formulas.grade_of(indicator_set.grade_bands, row["total"])
        row["passed"] = row["total"] >= indicator_set.pass_score
    return rows


def differences_of(old: Assessment, new_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What changed from ``old`` to the new rows: per assessee whose total or any line's points differ
    (``organisation`` holds the assessee's id: the union's, or the social worker's)."""
    field = _assessee_field(old.indicator_set)
    before = {pk: (total, lines) for pk, total, lines in old.results.values_list(field, "total", "lines")}
    out = []
    for row in new_rows:
        prior = before.pop(row["assessee"], None)
        if prior is None:
            out.append(
                {
                    "organisation": row["assessee"],
                    "name": row["name"],
                    "before": None,
                    "after": str(row["total"]),
                    "lines": {},
                }
            )
            continue
        changed = {
            pos: [prior[1].get(pos, {}).get("points"), line["points"]]
            for pos, line in row["lines"].items()
            if prior[1].get(pos, {}).get("points") != line["points"]
            or prior[1].get(pos, {}).get("value") != line["value"]
        }
        if changed or prior[0] != row["total"]:
            out.append(
                {
                    "organisation": row["assessee"],
                    "name": row["name"],
                    "before": str(prior[0]),
                    "after": str(row["total"]),
                    "lines": changed,
                }
            )
    if before:
        model = SocialWorker if old.indicator_set.of_persons else Organisation
        names = dict(model.objects.filter(pk__in=before).values_list("pk", "name"))
        out.extend(
            {"organisation": pk, "name": names.get(pk, ""), "before": str(total), "after": None, "lines": {}}
            for pk, (total, _) in before.items()
        )
    return out


def _event(assessment: Assessment, kind: str, actor: Any, summary: str) -> None:
    AssessmentEvent.objects.create(assessment=assessment, kind=kind, actor=actor, summary=summary[:300])


def served_spans(workers: Sequence[int], start: date, end: date) -> dict[str, list[Span]]:
    """Per union path, the assignments of ``workers`` overlapping the period, clipped to it (the
    owner map of a social workers' computation: a row of that union on a day of a span is the
    worker's)."""
    out: dict[str, list[Span]] = defaultdict(list)
    for worker, path, started, ended in (
        Assignment.objects.filter(social_worker_id__in=list(workers), started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .values_list("social_worker_id", "organisation__path", "started_on", "ended_on")
        .order_by("started_on", "pk")
    ):
        out[path].append(Span(max(started, start), min(ended or end, end), worker))
    return dict(out)


def assessment_compute(*, actor: Any, indicator_set: IndicatorSet, note: str = "") -> Assessment:
    """Compute the set's year for every assessee at once and store it as the next version.

    Earlier unpublished versions are superseded; a published one stays in force (and keeps feeding
    the programmes) until this version is reviewed and published. The differences from the version
    in force (or, before any publication, the previous one) are stored with the new version.
    """
    _require_manager(actor, indicator_set.organisation)
    start, end = date(indicator_set.year, 1, 1), date(indicator_set.year, 12, 31)
    specs = [_snapshot(i) for i in indicator_set.indicators.order_by("position", "pk")]
    employers: dict[int, int] = {}
    if indicator_set.of_persons:
        workers = workers_of(indicator_set).order_by("organisation__path", "name", "pk")
        assessees = [
            Assessee(pk, path, name) for pk, path, name in workers.values_list("pk", "organisation__path", "name")
        ]
        employers = dict(workers.values_list("pk", "organisation_id"))
        spans = served_spans([a.pk for a in assessees], start, end)
    else:
        assessees = [
            Assessee(pk, path, name)
            for pk, path, name in assessees_of(indicator_set).order_by("path").values_list("pk", "path", "name")
        ]
        spans = None
    run = Run(start=start, end=end, root_path=indicator_set.organisation.path, assessees=assessees, spans=spans)
    manual = _manual_measures(indicator_set, indicator_set.manual_rule)
    manual_ids = dict(indicator_set.indicators.values_list("position", "pk"))
    measures: dict[int, dict[int, Measure]] = {}
    for spec in specs:
        if spec["source"] == Indicator.Source.AUTO:
            definition = get_indicator(spec["key"])
            if definition is None:
                raise ValidationError(f"指标“{spec['label']}”的指标函数“{spec['key']}”未登记，无法计算")
            found = definition.compute(run)
            if definition.absent_is_zero:
                for a in assessees:
                    found.setdefault(a.pk, Measure(Decimal(0), [], "期内无记录，计 0"))
            measures[spec["position"]] = found
        else:
            measures[spec["position"]] = manual.get(manual_ids[spec["position"]], {})
    rows = results_build(indicator_set, specs, assessees, measures)
    with transaction.atomic():
        locked = IndicatorSet.objects.select_for_update().get(pk=indicator_set.pk)
        previous = locked.assessments.order_by("-version").first()
        in_force = locked.assessments.filter(state=S.PUBLISHED).first()
        compared = in_force or previous
        version = (locked.assessments.aggregate(n=Max("version"))["n"] or 0) + 1
        assessment = Assessment.objects.create(
            indicator_set=locked,
            version=version,
            period_start=start,
            period_end=end,
            indicators=specs,
            assessees=len(rows),
            note=(note or "").strip()[:300],
            computed_by=actor,
            compared_to=compared,
            differences=differences_of(compared, rows) if compared else [],
        )
        AssessmentResult.objects.bulk_create(
            (
                AssessmentResult(
                    assessment=assessment,
                    organisation_id=employers[r["assessee"]] if employers else r["assessee"],
                    social_worker_id=r["assessee"] if employers else None,
                    total=r["total"],
                    rank=r["rank"],
                    grade=r["grade"],
                    passed=r["passed"],
                    lines=r["lines"],
                )
                for r in rows
            ),
            batch_size=2000,
        )
        for draft in locked.assessments.filter(state__in=[S.COMPUTED, S.REVIEWED]).exclude(pk=assessment.pk):
            draft.supersede()
            draft.save(update_fields=["state"])
            _event(draft, AssessmentEvent.Kind.SUPERSEDE, actor, f"被第 {version} 版取代（未发布）")
        if compared is None:
            _event(assessment, AssessmentEvent.Kind.COMPUTE, actor, f"计算第 {version} 版：{len(rows)} 个考核对象")
        else:
            _event(
                assessment,
                AssessmentEvent.Kind.RECOMPUTE,
                actor,
                f"重新计算第 {version} 版：{len(rows)} 个考核对象，与第 {compared.version} 版相比 {len(assessment.differences)} 个结果不同",
            )
    return assessment


def _step(assessment: Assessment, transition: Any, what: str) -> None:
    if not can_proceed(transition):
        raise ValidationError(f"第 {assessment.version} 版当前状态为“{assessment.get_state_display()}”，不能{what}")


def assessment_review(*, actor: Any, assessment: Assessment) -> Assessment:
    """Another manager of the assessing union checks the computed version (never its computer)."""
    _require_manager(actor, assessment.indicator_set.organisation)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _step(locked, locked.review, "审核")
        if locked.computed_by_id == actor.pk:
            raise ValidationError("计算人不能审核自己计算的结果，请由另一名管理人员审核")
        locked.review()
        locked.reviewed_by = actor
        locked.save(update_fields=["state", "reviewed_by"])
        _event(locked, AssessmentEvent.Kind.REVIEW, actor, f"审核通过第 {locked.version} 版")
    return locked


def assessment_reopen(*, actor: Any, assessment: Assessment, reason: str) -> Assessment:
    _require_manager(actor, assessment.indicator_set.organisation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回原因"})
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _step(locked, locked.reopen, "退回")
        locked.reopen()
        locked.reviewed_by = None
        locked.save(update_fields=["state", "reviewed_by"])
        _event(locked, AssessmentEvent.Kind.REOPEN, actor, f"退回第 {locked.version} 版：{reason}")
    return locked


def assessment_publish(*, actor: Any, assessment: Assessment) -> Assessment:
    """Publish a reviewed version: it becomes the set's result in force (frozen), the one it replaces
    is superseded."""
    _require_manager(actor, assessment.indicator_set.organisation)
    with transaction.atomic():
        IndicatorSet.objects.select_for_update().get(pk=assessment.indicator_set_id)
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _step(locked, locked.publish, "发布")
        for old in Assessment.objects.filter(indicator_set_id=locked.indicator_set_id, state=S.PUBLISHED):
            old.supersede()
            old.save(update_fields=["state"])
            _event(old, AssessmentEvent.Kind.SUPERSEDE, actor, f"被第 {locked.version} 版取代")
        locked.publish()
        locked.published_by, locked.published_at = actor, timezone.now()
        locked.save(update_fields=["state", "published_by", "published_at"])
        written = evaluations_write(actor, locked) if locked.indicator_set.of_persons else ""
        _event(
            locked,
            AssessmentEvent.Kind.PUBLISH,
            actor,
            f"发布第 {locked.version} 版（{locked.assessees} 个考核对象）{written}",
        )
    return locked


def _evaluation_state(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "result": evaluation.get_result_display(),
        "score": None if evaluation.score is None else str(evaluation.score),
        "source": evaluation.get_source_display(),
        "recorded_by": str(evaluation.recorded_by or ""),
        "recorded_at": timezone.localtime(evaluation.recorded_at).strftime("%Y-%m-%d %H:%M"),
        "note": evaluation.note,
    }


def evaluations_write(actor: Any, assessment: Assessment) -> str:
    """A published social workers' version writes each worker's result to their yearly evaluation
    (``cadres.services.evaluation_record(source="assessment")``, which checks the actor may evaluate
    the worker): the grade is the evaluation's result, the total its score. What the evaluation said
    before — a reviewer's entry, or an earlier version's result — is kept in an ``EvaluationWrite``.
    A worker whose evaluation a higher assessing union's published set wrote is left to that set."""
    indicator_set = assessment.indicator_set
    year = indicator_set.year
    results = list(assessment.results.select_related("social_worker__organisation").order_by("rank", "pk"))
    current = {
        e.social_worker_id: e
        for e in Evaluation.objects.select_related("recorded_by").filter(
            year=year, social_worker_id__in=[r.social_worker_id for r in results]
        )
    }
    writers = {
        w.evaluation_id: w.assessment.indicator_set.organisation
        for w in EvaluationWrite.objects.select_related("assessment__indicator_set__organisation")
        .filter(evaluation__in=list(current.values()))
        .order_by("written_at", "pk")
    }
    written = left = 0
    for r in results:
        before = current.get(r.social_worker_id)
        writer = writers.get(before.pk) if before else None
        if (
            writer is not None
            and writer.pk != indicator_set.organisation_id
            and writer.depth < indicator_set.organisation.depth
        ):
            left += 1
            continue
        evaluation = evaluation_record(
            actor=actor,
            worker=r.social_worker,
            year=year,
            result=EVALUATION_BY_LABEL[r.grade],
            score=r.total,
            note=f"{indicator_set.name} 第 {assessment.version} 版：{r.total} 分，第 {r.rank} 名（共 {assessment.assessees} 名）",
            source=Evaluation.Source.ASSESSMENT,
        )
        EvaluationWrite.objects.create(
            assessment=assessment,
            result=r,
            evaluation=evaluation,
            before=_evaluation_state(before) if before else None,
        )
        written += 1
    tail = f"，{left} 名由上级考核单位的考核写入，未改" if left else ""
    return f"；写入 {written} 名社工年度评价{tail}"
