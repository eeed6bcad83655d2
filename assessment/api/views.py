"""Assessment API: sets, versions (compute / review / publish) and results, all scoped like the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiDenied
from rest_framework.exceptions import ValidationError as ApiInvalid
from rest_framework.response import Response

from assessment import selectors, services
from assessment.api import serializers as s
from orgs.api.permissions import holds
from orgs.roles import Perm


def _call(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except ValidationError as exc:
        raise ApiInvalid({"detail": exc.messages}) from exc
    except PermissionDenied as exc:
        raise ApiDenied(str(exc)) from exc


class _Read(viewsets.ReadOnlyModelViewSet):
    permission_classes = [holds(Perm.ORG_VIEW)]


@extend_schema_view(
    list=extend_schema(summary="考核指标体系（考核单位范围内）"), retrieve=extend_schema(summary="指标体系及其指标")
)
class IndicatorSetViewSet(_Read):
    serializer_class = s.IndicatorSetSerializer

    def get_queryset(self):
        return selectors.visible_sets(self.request.user).prefetch_related("indicators").order_by("-year", "pk")

    @extend_schema(summary="按当前数据计算新版本（已发布版本不受影响）", request=None, responses=s.VersionSerializer)
    @action(detail=True, methods=["post"])
    def compute(self, request, pk=None, **kwargs):
        version = _call(
            services.assessment_compute,
            actor=request.user,
            indicator_set=self.get_object(),
            note=str(request.data.get("note", "")),
        )
        return Response(s.VersionSerializer(version).data, status=201)


@extend_schema_view(
    list=extend_schema(summary="考核结果版本（含与对比版本的差异）"), retrieve=extend_schema(summary="版本详情")
)
class VersionViewSet(_Read):
    serializer_class = s.VersionSerializer

    def get_queryset(self):
        return selectors.visible_versions(self.request.user).select_related("compared_to").order_by("-pk")

    @extend_schema(summary="审核（计算人不能审核）", request=None)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None, **kwargs):
        version = _call(services.assessment_review, actor=request.user, assessment=self.get_object())
        return Response(s.VersionSerializer(version).data)

    @extend_schema(summary="发布：结果冻结，取代原已发布版本", request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None, **kwargs):
        version = _call(services.assessment_publish, actor=request.user, assessment=self.get_object())
        return Response(s.VersionSerializer(version).data)


@extend_schema_view(
    list=extend_schema(summary="考核结果（被考核单位只见已发布的本单位结果）"),
    retrieve=extend_schema(summary="考核结果及分项（数值、分值、得分、明细记录编号）"),
)
class ResultViewSet(_Read):
    serializer_class = s.ResultSerializer

    def get_queryset(self):
        qs = selectors.visible_results(self.request.user).order_by("-assessment_id", "rank", "pk")
        year = self.request.query_params.get("year", "")
        return qs.filter(assessment__indicator_set__year=int(year)) if year.isdigit() and len(year) == 4 else qs
