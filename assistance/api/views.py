"""Hardship files in the API (/api/v1/assistance/files/): scoped like the pages, masked always."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied as ApiDenied
from rest_framework.exceptions import ValidationError as ApiInvalid
from rest_framework.response import Response

from assistance.api.serializers import FileApplySerializer, FileDetailSerializer, FileSerializer
from assistance.filtersets_files import FileFilterSet
from assistance.selectors import files as sel
from assistance.services import files as svc
from members.models import Person
from orgs.api.permissions import holds
from orgs.roles import Perm
from orgs.scope import scoped


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

    def get_queryset(self):
        qs = sel.visible_files(self.request.user).order_by("-applied_on", "-id")
        if self.action == "retrieve":
            qs = qs.prefetch_related("household", "steps__actor", "steps__acting_organisation", "verifications")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return FileDetailSerializer
        if self.action == "create":
            return FileApplySerializer
        return FileSerializer

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
