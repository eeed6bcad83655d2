"""Reading assessments: always through orgs.scope.

Who sees what: the managers of the assessing union (ORG_VIEW over it) see its sets and every version;
an assessee's officers see their own results of published versions only.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet

from assessment.models import (
    Assessment,
    AssessmentEvent,
    AssessmentResult,
    EvaluationWrite,
    IndicatorSet,
    ManualScore,
)
from assessment.registry import get_indicator
from orgs.roles import Perm
from orgs.scope import scope_q, scoped

S = Assessment.State


def visible_sets(user: Any) -> QuerySet[IndicatorSet]:
    return scoped(user, Perm.ORG_VIEW, IndicatorSet.objects.all()).select_related("organisation")


def visible_versions(user: Any) -> QuerySet[Assessment]:
    return scoped(user, Perm.ORG_VIEW, Assessment.objects.all()).select_related("indicator_set__organisation")


def visible_results(user: Any) -> QuerySet[AssessmentResult]:
    """The results of the user's scope: every version's for the assessing union's managers, the
    published ones for the assessees (a social worker's also for the unions they served that year).

    An organisation's result needs ORG_VIEW; a social worker's — a personnel record, their yearly
    evaluation — needs CADRE_VIEW (as the worker's page in ``cadres`` does), so a fellow worker or a
    member holding ORG_VIEW at the union does not see it. A worker sees their own published result."""
    managed = visible_sets(user).values("pk")
    of_org, of_worker = (scope_q(user, perm, AssessmentResult) for perm in (Perm.ORG_VIEW, Perm.CADRE_VIEW))
    published = Q(assessment__state=S.PUBLISHED)
    where = Q(pk__in=[])
    if user.pk is not None:
        where |= Q(social_worker__user_id=user.pk) & published
    if of_org is not None:
        where |= Q(social_worker__isnull=True) & of_org
    if of_worker is not None:
        where |= Q(social_worker__isnull=False) & of_worker
    return (
        AssessmentResult.objects.filter(where)
        .filter(published | Q(assessment__indicator_set__in=managed))
        .select_related("organisation", "social_worker", "assessment__indicator_set")
    )


def evaluation_history(result: AssessmentResult) -> QuerySet[EvaluationWrite]:
    """What published versions wrote to this social worker's evaluation of the result's year, and
    what it said before each write (oldest first)."""
    return EvaluationWrite.objects.filter(
        result__social_worker_id=result.social_worker_id,
        evaluation__year=result.assessment.indicator_set.year,
    ).select_related("assessment__indicator_set", "result")


def version_events(assessment: Assessment) -> QuerySet[AssessmentEvent]:
    return assessment.events.select_related("actor")


def published_results(year: int) -> QuerySet[AssessmentResult]:
    """The results in force for a year (what the programmes read): of published versions only, so a
    later data change or an unpublished recomputation changes nothing. An organisation assessed by
    two sets in one year is taken from the highest assessing union. Social workers' results (whose
    ``organisation`` is the employer) are not the organisation's."""
    return AssessmentResult.objects.filter(
        assessment__state=S.PUBLISHED, assessment__indicator_set__year=year, social_worker__isnull=True
    ).order_by("assessment__indicator_set__organisation__depth", "assessment__indicator_set_id")


def line_rows(user: Any, result: AssessmentResult, position: str) -> tuple[dict[str, Any], QuerySet | None, Any]:
    """One line of a result, the rows behind it the user may see (scoped with the indicator's
    action; None when the user may not see that kind of row) and the indicator's definition."""
    spec = next((s for s in result.assessment.indicators if str(s["position"]) == position), None)
    if spec is None:
        return {}, None, None
    line = result.lines.get(position, {})
    ids = line.get("rows", [])
    if spec["source"] == "manual":
        qs = scoped(user, Perm.ORG_VIEW, ManualScore.objects.filter(pk__in=ids)).select_related(
            "reviewer", "organisation", "social_worker"
        )
        return spec, qs.order_by("reviewer_id"), None
    definition = get_indicator(spec["key"])
    if definition is None:
        return spec, None, None
    model = apps.get_model(definition.row_model)
    qs = scoped(user, definition.row_perm, model.objects.filter(pk__in=ids))
    related = _related_paths(model, [c.accessor for c in definition.row_columns])
    return spec, (qs.select_related(*related) if related else qs).order_by("pk"), definition


def _related_paths(model: Any, accessors: list[str]) -> list[str]:
    """The foreign keys the drill-down columns step through ("file__organisation__name" →
    "file__organisation"), so a page of rows is one query, not one per row and column."""
    paths = set()
    for accessor in accessors:
        current, steps = model, []
        for step in accessor.split("__"):
            try:
                field = current._meta.get_field(step)
            except FieldDoesNotExist:
                break
            if not (field.many_to_one or field.one_to_one):
                break
            steps.append(step)
            current = field.related_model
        if steps:
            paths.add("__".join(steps))
    return sorted(paths)
