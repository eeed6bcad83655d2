"""Hardship files in the API (/api/v1/assistance/files/): scoped like the pages, masked always; the
steps (核实、审核、审批、不予通过、年度复核、解困脱困) are POSTs to ``<id>/<step>/`` through the same
services as the pages: out of scope 404, a refusal (level, four eyes, state, input) 400 or 403 with
its Chinese message, and nothing changed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiDenied
from rest_framework.exceptions import ValidationError as ApiInvalid
from rest_framework.response import Response

from assistance.api.serializers import (
    FileApplySerializer,
    FileDetailSerializer,
    FileExitActionSerializer,
    FileSerializer,
    FileStepActionSerializer,
)
from assistance.filtersets_files import FileFilterSet
from assistance.selectors import files as sel
from assistance.services import files as svc
from members.models import Person
from orgs.api.permissions import holds
from orgs.roles import Perm
from orgs.scope import scoped

STEPS = ("verify", "review", "approve", "reject", "reverify", "exit")


@extend_schema_view(
    list=extend_schema(summary="困难职工档案列表（帮扶工作人员：管辖范围内；职工：本人）"),
    retrieve=extend_schema(summary="困难职工档案详情（家庭成员、办理记录、认定期、发放记录；证件号与账号脱敏）"),
    create=extend_schema(
        summary="申请建档（职工本人，或工作人员为管辖范围内的会员）",
        request=FileApplySerializer,
        responses=FileSerializer,
    ),
)
class FileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    permission_classes = [holds(Perm.ASSISTANCE_VIEW)]
    filterset_class = FileFilterSet

    def get_permissions(self):
        if self.action in STEPS:
            return [holds(Perm.ASSISTANCE_VIEW)(), holds(Perm.ASSISTANCE_PROCESS)()]
        return super().get_permissions()

    def get_queryset(self):
        qs = sel.visible_files(self.request.user).order_by("-applied_on", "-id")
        if self.action == "retrieve" or self.action in STEPS:
            qs = qs.prefetch_related("household", "steps__actor", "steps__acting_organisation", "verifications")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return FileDetailSerializer
        if self.action == "create":
            return FileApplySerializer
        if self.action == "exit":
            return FileExitActionSerializer
        if self.action in STEPS:
            return FileStepActionSerializer
        return FileSerializer

    def _step(self, request, run) -> Response:
        """Run one step's service on the file (found in the caller's scope: else 404)."""
        file = self.get_object()
        body = self.get_serializer_class()(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            run(file, body.validated_data)
        except ValidationError as exc:
            raise ApiInvalid({"detail": exc.messages}) from exc
        except PermissionDenied as exc:
            raise ApiDenied(str(exc)) from exc
        file = self.get_queryset().get(pk=file.pk)
        return Response(FileDetailSerializer(file).data)

    @extend_schema(summary="基层工会核实", request=FileStepActionSerializer, responses=FileDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None, **kwargs):
        return self._step(request, lambda f, v: svc.file_verify(actor=request.user, file=f, opinion=v["opinion"]))

    @extend_schema(summary="镇街工会审核", request=FileStepActionSerializer, responses=FileDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None, **kwargs):
        return self._step(request, lambda f, v: svc.file_review(actor=request.user, file=f, opinion=v["opinion"]))

    @extend_schema(summary="帮扶中心审批建档", request=FileStepActionSerializer, responses=FileDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, **kwargs):
        return self._step(
            request, lambda f, v: svc.file_approve(actor=request.user, file=f, opinion=v["opinion"], on=v.get("on"))
        )

    @extend_schema(summary="不予通过（理由职工可见）", request=FileStepActionSerializer, responses=FileDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None, **kwargs):
        return self._step(request, lambda f, v: svc.file_reject(actor=request.user, file=f, reason=v["opinion"]))

    @extend_schema(summary="年度复核", request=FileStepActionSerializer, responses=FileDetailSerializer)
    @action(detail=True, methods=["post"])
    def reverify(self, request, pk=None, **kwargs):
        return self._step(
            request, lambda f, v: svc.file_reverify(actor=request.user, file=f, opinion=v["opinion"], on=v.get("on"))
        )

    @extend_schema(summary="解困脱困", request=FileExitActionSerializer, responses=FileDetailSerializer)
    @action(detail=True, methods=["post"])
    def exit(self, request, pk=None, **kwargs):
        return self._step(
            request,
            lambda f, v: svc.file_exit(actor=request.user, file=f, reason=v["reason"], on=v["on"], note=v["note"]),
        )

    def create(self, request, *args, **kwargs):
        body = FileApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = dict(body.validated_data)
        person_id = v.pop("person", None)
        if person_id is None:
            person = Person.objects.filter(user=request.user).first()
        else:
            person = scoped(request.user, Perm.ASSISTANCE_APPLY, Person.objects.all()).filter(pk=person_id).first()
        if person is None:
            raise ApiInvalid({"person": ["找不到该会员，或不在您的管理范围内"]})
        own = svc.SelfDetails(
            health=v["health"],
            occupation=v.pop("own_occupation"),
            monthly_income=v.pop("own_income"),
            medical_insurance=v.pop("own_insurance"),
        )
        try:
            file = svc.file_apply(actor=request.user, person=person, data=v, own=own)
        except ValidationError as exc:
            raise ApiInvalid({"detail": exc.messages}) from exc
        except PermissionDenied as exc:
            raise ApiDenied(str(exc)) from exc
        return Response(FileSerializer(file).data, status=status.HTTP_201_CREATED)
