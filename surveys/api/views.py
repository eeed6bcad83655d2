"""Read-only survey API: the scoped list and detail, and a survey's results (hidden like the page's)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orgs.api.permissions import holds
from orgs.roles import Perm
from surveys import selectors
from surveys.api.serializers import SurveySerializer
from surveys.filtersets import SurveyFilterSet


def _text(value: Decimal | None) -> str | None:
    """Decimals travel as strings, as the serializers' do (no float rounding)."""
    return None if value is None else str(value)


@extend_schema_view(list=extend_schema(summary="问卷列表（按调用者范围）"), retrieve=extend_schema(summary="问卷详情"))
class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [holds(Perm.SURVEY_VIEW)]
    serializer_class = SurveySerializer
    filterset_class = SurveyFilterSet

    def get_queryset(self):
        return selectors.visible_surveys(self.request.user).order_by("-created_at", "-id")

    @extend_schema(summary="问卷结果：各题统计与各单位答卷率（匿名问卷不足 5 份时不显示各题统计）", responses=dict)
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None, **kwargs):
        survey = self.get_object()
        results = selectors.survey_results(survey)
        return Response(
            {
                "responses": results.responses,
                "pending": results.pending,
                "hidden": results.hidden,
                "questions": [
                    {
                        "position": r.question.position,
                        "text": r.question.text,
                        "kind": r.question.kind,
                        "answered": r.answered,
                        "options": [{"label": o.label, "count": o.count, "share": _text(o.share)} for o in r.options],
                        "mean": _text(r.mean),
                    }
                    for r in results.questions
                ],
                "rates": [
                    {"organisation": o.name, "sent": o.sent, "answered": o.answered, "rate": _text(o.rate)}
                    for o in selectors.response_rates(survey)
                ],
            }
        )
