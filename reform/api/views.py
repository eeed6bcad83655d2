"""Read-only reform API: plans and tasks in the caller's scope, and a plan's report for a date."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiInvalid
from rest_framework.response import Response

from orgs.api.permissions import holds
from orgs.roles import Perm
from reform import selectors
from reform.api.serializers import PlanSerializer, TaskSerializer
from reform.filtersets import PlanFilterSet, TaskFilterSet
from reform.forms import ReportDateForm
from reform.progress import RULE


@extend_schema_view(list=extend_schema(summary="改革方案列表"), retrieve=extend_schema(summary="改革方案"))
class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [holds(Perm.REFORM_VIEW)]
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet

    def get_queryset(self):
        return selectors.visible_plans(self.request.user).order_by("-year", "-id")

    @extend_schema(
        summary="方案截至某日的进展报告",
        parameters=[OpenApiParameter("on", str, description="截至日期 YYYY-MM-DD，默认今天")],
        responses=dict,
    )
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None, **kwargs):
        plan = self.get_object()
        form = ReportDateForm(request.query_params)
        if not form.is_valid():
            raise ApiInvalid(form.errors)
        on = form.cleaned_data["on"] or timezone.localdate()
        rows, progress = selectors.plan_report(request.user, plan, on)
        return Response(
            {
                "on": on,
                "progress": None if progress is None else str(progress),
                "rule": RULE,
                "tasks": [dict(zip(selectors.REPORT_HEADERS, selectors.report_cells(r), strict=True)) for r in rows],
            }
        )


@extend_schema_view(list=extend_schema(summary="任务单"), retrieve=extend_schema(summary="改革任务"))
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [holds(Perm.REFORM_VIEW)]
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet

    def get_queryset(self):
        return selectors.visible_tasks(self.request.user).order_by("plan_id", "due_on", "number", "id")
