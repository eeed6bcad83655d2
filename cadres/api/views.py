"""The cadres API: posts (read and record), social workers and training records (read), each scoped
like the pages and filtered by the same FilterSets."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from cadres import selectors, services
from cadres.api.serializers import (
    PostCreateSerializer,
    PostSerializer,
    SocialWorkerSerializer,
    TrainingRecordSerializer,
)
from cadres.filtersets import PostFilterSet, RecordFilterSet, WorkerFilterSet
from cadres.models import Attendance, Cadre, Post, SocialWorker
from orgs.api.permissions import holds
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import scoped


@extend_schema_view(
    list=extend_schema(summary="工会干部任职列表（含历史）：按调用者范围过滤"),
    retrieve=extend_schema(summary="任职详情"),
    create=extend_schema(summary="登记任职", request=PostCreateSerializer, responses={201: PostSerializer}),
)
class PostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = PostSerializer
    filterset_class = PostFilterSet

    def get_permissions(self) -> list[Any]:
        return [holds(Perm.CADRE_MANAGE if self.action == "create" else Perm.CADRE_VIEW)()]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Post.objects.none()
        return selectors.visible_posts(self.request.user).order_by("organisation__path", "role", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PostCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        code, name = values.pop("organisation").strip(), values.pop("name")
        org = scoped(request.user, Perm.CADRE_MANAGE, Organisation.objects.filter(code=code)).first()
        if org is None:
            raise ValidationError({"organisation": [f"工会“{code}”不存在或不在您的管理范围内"]})
        cadre = Cadre.objects.filter(organisation=org, name=name.strip()).first() or services.cadre_register(
            actor=request.user, organisation=org, name=name
        )
        post = services.post_start(actor=request.user, organisation=org, cadre=cadre, **values)
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="专职工会社会工作者列表：阶段、服务工会、最近年度评价"),
    retrieve=extend_schema(summary="社工详情"),
)
class SocialWorkerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SocialWorkerSerializer
    filterset_class = WorkerFilterSet
    permission_classes = [holds(Perm.CADRE_VIEW)]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return SocialWorker.objects.none()
        return selectors.visible_workers(self.request.user).order_by("organisation__path", "pk")


@extend_schema_view(
    list=extend_schema(summary="干部培训记录：学员、培训班、状态与结业日期"),
    retrieve=extend_schema(summary="培训记录详情"),
)
class TrainingRecordViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainingRecordSerializer
    filterset_class = RecordFilterSet
    permission_classes = [holds(Perm.CADRE_VIEW)]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Attendance.objects.none()
        return selectors.visible_attendances(self.request.user).order_by("-training_class__starts_on", "pk")
