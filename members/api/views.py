from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from members import selectors, services
from members.api.serializers import (
    LeaveSerializer,
    MemberCreateSerializer,
    MemberSerializer,
    PersonInputSerializer,
    TransferSerializer,
)
from members.filtersets import MembershipFilterSet
from members.models import Membership
from orgs.api.permissions import holds
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import scoped

READ_ACTIONS = {"list", "retrieve"}


def _union(user, code: str, field: str) -> Organisation:
    org = scoped(user, Perm.MEMBER_CHANGE, Organisation.objects.all()).filter(code=code.strip()).first()
    if org is None:
        raise ValidationError({field: [f"工会“{code}”不存在或不在您的管理范围内"]})
    return org


@extend_schema_view(
    list=extend_schema(summary="会员（会籍）列表：按调用者范围过滤，默认含全部状态；身份证号、手机号脱敏"),
    retrieve=extend_schema(summary="会籍详情"),
    create=extend_schema(summary="登记会员", request=MemberCreateSerializer, responses={201: MemberSerializer}),
    partial_update=extend_schema(
        summary="修改会员个人信息（部分字段）", request=PersonInputSerializer, responses=MemberSerializer
    ),
    update=extend_schema(summary="修改会员个人信息", request=PersonInputSerializer, responses=MemberSerializer),
)
class MemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MemberSerializer
    filterset_class = MembershipFilterSet

    def get_permissions(self):
        perm = Perm.MEMBER_VIEW if self.action in READ_ACTIONS else Perm.MEMBER_CHANGE
        return [holds(perm)()]

    def get_queryset(self):
        perm = Perm.MEMBER_VIEW if self.action in READ_ACTIONS else Perm.MEMBER_CHANGE
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        qs = scoped(self.request.user, perm, Membership.objects.all())
        return selectors.member_rows(qs).order_by("organisation__path", "pk")

    def create(self, request, *args, **kwargs):
        data = MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        org = _union(request.user, values.pop("organisation"), "organisation")
        joined_on = values.pop("joined_on")
        member_no = values.pop("member_no", "")
        reg = services.member_register(
            actor=request.user, organisation=org, joined_on=joined_on, member_no=member_no, data=values
        )
        membership = selectors.member_rows(Membership.objects.filter(pk=reg.membership.pk)).get()
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        membership = self.get_object()
        data = PersonInputSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        person = membership.person
        # The API shows only masked values: one sent back unchanged keeps the stored value.
        values = services.person_pii_unchanged_dropped(
            data=dict(data.validated_data), shown=services.person_pii_shown(person, full=False)
        )
        services.person_update(actor=request.user, person=person, data=values)
        fresh = selectors.member_rows(Membership.objects.filter(pk=membership.pk)).get()
        return Response(MemberSerializer(fresh).data)

    @extend_schema(
        summary="转会：结束当前会籍（已转出）并在转入工会开始新会籍",
        request=TransferSerializer,
        responses=MemberSerializer,
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None, **kwargs):
        membership = self.get_object()
        data = TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        target = _union(request.user, values["to_organisation"], "to_organisation")
        new = services.membership_transfer(
            actor=request.user,
            person=membership.person,
            to_organisation=target,
            on=values["on"],
            reason=values.get("reason", ""),
            member_no=values.get("member_no", ""),
        )
        fresh = selectors.member_rows(Membership.objects.filter(pk=new.pk)).get()
        return Response(MemberSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="退会：记录退会日期和原因", request=LeaveSerializer, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None, **kwargs):
        membership = self.get_object()
        data = LeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ended = services.membership_leave(
            actor=request.user,
            person=membership.person,
            on=data.validated_data["on"],
            reason=data.validated_data["reason"],
        )
        fresh = selectors.member_rows(Membership.objects.filter(pk=ended.pk)).get()
        return Response(MemberSerializer(fresh).data)
