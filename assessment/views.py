"""Assessment pages: indicator sets, versions and their results (with the xlsx for the Party School's
system), one result's breakdown and the rows behind each indicator, and manual scoring. Thin: the
selectors scope, the services decide."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_fsm import can_proceed

from assessment import selectors, services
from assessment.filtersets import IndicatorSetFilterSet, ResultFilterSet, VersionResultFilterSet
from assessment.forms import IndicatorRows, IndicatorSetForm, ManualScoreForm, ReopenForm, WorkerScoreForm
from assessment.models import Assessment, AssessmentResult, Indicator, IndicatorSet, ManualScore
from assessment.tables import IndicatorSetTable, ResultTable
from core.lists import ListPage
from core.views import add_refusal_message, add_validation_errors, paginate, query_without
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404
from orgs.web import perm_required


def _set(request: HttpRequest, pk: int) -> IndicatorSet:
    return get_scoped_or_404(request.user, Perm.ORG_VIEW, IndicatorSet.objects.select_related("organisation"), pk=pk)


def _version(request: HttpRequest, pk: int) -> Assessment:
    return get_scoped_or_404(
        request.user, Perm.ORG_VIEW, Assessment.objects.select_related("indicator_set__organisation"), pk=pk
    )


def _result(request: HttpRequest, pk: int) -> AssessmentResult:
    try:
        return (
            selectors.visible_results(request.user).select_related("assessment__indicator_set__organisation").get(pk=pk)
        )
    except AssessmentResult.DoesNotExist:
        raise Http404 from None


class SetList(ListPage):
    title = "考核指标体系"
    noun = "指标体系"
    unit = "个"
    table_class = IndicatorSetTable
    filterset_class = IndicatorSetFilterSet
    perm = export_perm = Perm.ORG_VIEW
    ordering = ("-year", "organisation__path", "assessee_kind")
    create = ("assessment:set_create", "新建指标体系", Perm.ORG_CHANGE)
    testid = "set-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[IndicatorSet]:
        return selectors.visible_sets(request.user)


class ResultList(ListPage):
    """考核结果: a union's officers see their own published results; the assessing union every version's."""

    title = "考核结果"
    noun = "考核结果"
    table_class = ResultTable
    filterset_class = ResultFilterSet
    perm = export_perm = Perm.ORG_VIEW
    ordering = ("-assessment__indicator_set__year", "assessment__indicator_set_id", "-assessment__version", "rank")
    testid = "result-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[AssessmentResult]:
        return selectors.visible_results(request.user)


class VersionResults(ResultList):
    """One version's page: its state, signers, differences and audit trail above its ranked results."""

    filterset_class = VersionResultFilterSet
    ordering = ("rank", "organisation__path")
    template_name = "assessment/version_detail.html"
    testid = "version-results"

    def __init__(self, version: Assessment) -> None:
        self.version = version
        self.title = f"{version}考核结果"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[AssessmentResult]:
        return super().rows(request, perm).filter(assessment=self.version)

    def table_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        # One kind per version: the 社工 column only where the assessees are social workers.
        return {} if self.version.indicator_set.of_persons else {"exclude": ("worker",)}

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        version = self.version
        manager = can_at(request.user, Perm.ORG_CHANGE, version.indicator_set.organisation)
        positions = {str(s["position"]): s["label"] for s in version.indicators}
        differences = [
            {**d, "line_list": [(positions.get(p, p), before, after) for p, (before, after) in d["lines"].items()]}
            for d in version.differences[:200]
        ]
        return {
            "version": version,
            "differences": differences,
            "more_differences": max(0, len(version.differences) - 200),
            "events": selectors.version_events(version),
            "can_review": manager and can_proceed(version.review) and version.computed_by_id != request.user.pk,
            "can_reopen": manager and can_proceed(version.reopen),
            "can_publish": manager and can_proceed(version.publish),
            "reopen_form": ReopenForm(),
        }


set_list = SetList.as_view()
result_list = ResultList.as_view()


@perm_required(Perm.ORG_CHANGE)
def set_create(request: HttpRequest) -> HttpResponse:
    form = IndicatorSetForm(request.POST or None, user=request.user)
    rows = IndicatorRows(request.POST or None, prefix="ind")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        specs = [spec for row in rows.forms if (spec := row.spec()) is not None]
        try:
            created = services.indicator_set_create(actor=request.user, indicators=specs, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已建立“{created.name}”")
            return redirect("assessment:set_detail", pk=created.pk)
    return render(request, "assessment/set_form.html", {"form": form, "rows": rows})


@perm_required(Perm.ORG_VIEW)
def set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator_set = _set(request, pk)
    indicators = list(indicator_set.indicators.all())
    versions = list(indicator_set.assessments.select_related("computed_by", "reviewed_by", "published_by"))
    is_reviewer = indicator_set.reviewers.filter(pk=request.user.pk).exists()
    return render(
        request,
        "assessment/set_detail.html",
        {
            "set": indicator_set,
            "indicators": indicators,
            "weights": sum(i.weight for i in indicators),
            "versions": versions,
            "reviewers": list(indicator_set.reviewers.all()),
            "is_reviewer": is_reviewer,
            "can_compute": can_at(request.user, Perm.ORG_CHANGE, indicator_set.organisation),
            "assessee_count": services.assessee_count(indicator_set),
        },
    )


@require_POST
@perm_required(Perm.ORG_CHANGE)
def set_compute(request: HttpRequest, pk: int) -> HttpResponse:
    indicator_set = _set(request, pk)
    try:
        version = services.assessment_compute(
            actor=request.user, indicator_set=indicator_set, note=request.POST.get("note", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
        return redirect("assessment:set_detail", pk=indicator_set.pk)
    messages.success(request, f"已计算第 {version.version} 版（{version.assessees} 个考核对象），待审核")
    return redirect("assessment:version", pk=version.pk)


@perm_required(Perm.ORG_VIEW)
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return VersionResults(_version(request, pk)).get(request)


@require_POST
@perm_required(Perm.ORG_CHANGE)
def version_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    version = _version(request, pk)
    try:
        if action == "review":
            services.assessment_review(actor=request.user, assessment=version)
            messages.success(request, f"第 {version.version} 版已审核，可以发布")
        elif action == "publish":
            services.assessment_publish(actor=request.user, assessment=version)
            uses = "已写入各社工的年度评价" if version.indicator_set.of_persons else "资金项目按此结果计算"
            messages.success(request, f"第 {version.version} 版已发布：结果冻结，{uses}")
        elif action == "reopen":
            form = ReopenForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.assessment_reopen(actor=request.user, assessment=version, reason=reason)
            messages.success(request, f"第 {version.version} 版已退回")
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    return redirect("assessment:version", pk=version.pk)


@perm_required(Perm.ORG_VIEW)
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = _result(request, pk)
    lines = [
        {
            **spec,
            **result.lines.get(str(spec["position"]), {}),
            "count": len(result.lines.get(str(spec["position"]), {}).get("rows", [])),
        }
        for spec in result.assessment.indicators
    ]
    history = list(selectors.evaluation_history(result)) if result.social_worker_id else []
    return render(
        request, "assessment/result_detail.html", {"result": result, "lines": lines, "evaluation_history": history}
    )


def _cell(row: Any, accessor: str) -> Any:
    value: Any = row
    for step in accessor.split("__"):
        value = getattr(value, step, None)
        if callable(value):
            value = value()
        if value is None:
            return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


@perm_required(Perm.ORG_VIEW)
def line_rows(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """The rows behind one indicator of one result (as stored when computed), those the user may see."""
    result = _result(request, pk)
    spec, queryset, definition = selectors.line_rows(request.user, result, str(position))
    if not spec:
        raise Http404
    line = result.lines.get(str(position), {})
    stored = len(line.get("rows", []))
    page, headers, rows = None, [], []
    if queryset is not None:
        if definition is None:
            headers = ["评分人", "评分", "评分依据", "评分时间"]
            page = paginate(request, queryset, 50)
            rows = [
                list(
                    zip([s.reviewer, s.score, s.evidence, s.scored_at.strftime("%Y-%m-%d %H:%M")], headers, strict=True)
                )
                for s in page
            ]
        else:
            headers = [c.header for c in definition.row_columns]
            page = paginate(request, queryset, 50)
            rows = [[(_cell(r, c.accessor), c.header) for c in definition.row_columns] for r in page]
    return render(
        request,
        "assessment/line_rows.html",
        {
            "result": result,
            "spec": spec,
            "line": line,
            "stored": stored,
            "visible": page.paginator.count if page is not None else 0,
            "page": page,
            "headers": headers,
            "rows": rows,
            "query": query_without(request, "page"),
        },
    )


@perm_required(Perm.ORG_VIEW)
def score_form(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_scoped_or_404(
        request.user,
        Perm.ORG_VIEW,
        Indicator.objects.select_related("indicator_set__organisation").filter(source=Indicator.Source.MANUAL),
        pk=pk,
    )
    indicator_set = indicator.indicator_set
    if not indicator_set.reviewers.filter(pk=request.user.pk).exists():
        raise PermissionDenied("只有指标体系指定的评分人可以评分")
    form: ManualScoreForm | WorkerScoreForm
    if indicator_set.of_persons:
        form = WorkerScoreForm(request.POST or None, workers=services.workers_of(indicator_set))
    else:
        form = ManualScoreForm(request.POST or None, user=request.user, kinds=tuple(sorted(indicator_set.org_kinds)))
    if request.method == "POST" and form.is_valid():
        try:
            services.manual_score_record(actor=request.user, indicator=indicator, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            scored = form.cleaned_data.get("social_worker") or form.cleaned_data["organisation"]
            messages.success(request, f"已记录对“{scored.name}”的评分")
            return redirect("assessment:score", pk=indicator.pk)
    mine = paginate(
        request,
        ManualScore.objects.filter(indicator=indicator, reviewer=request.user)
        .select_related("organisation", "social_worker")
        .order_by("organisation__path", "social_worker__name", "pk"),
        50,
    )
    return render(
        request,
        "assessment/score_form.html",
        {
            "indicator": indicator,
            "set": indicator_set,
            "form": form,
            "mine": mine,
            "query": query_without(request, "page"),
        },
    )
