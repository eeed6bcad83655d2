from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiDenied
from rest_framework.exceptions import ValidationError as ApiInvalid
from rest_framework.response import Response

from appeals import selectors, services
from appeals.api.serializers import (
    AppealCreateSerializer,
    AppealDetailSerializer,
    AppealSerializer,
    RateSerializer,
    TransitionSerializer,
)
from appeals.filtersets import AppealFilterSet
from appeals.models import Appeal
from orgs.api.permissions import holds
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import scoped


def _call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except ValidationError as exc:
        raise ApiInvalid({"detail": exc.messages}) from exc
    except PermissionDenied as exc:
        raise ApiDenied(str(exc)) from exc


@extend_schema_view(
    list=extend_schema(summary="诉求列表（按调用者范围：职工仅本人，团委/妇联仅转办给本单位的）"),
    retrieve=extend_schema(summary="诉求详情（含全程记录与转办）"),
    create=extend_schema(
        summary="登记诉求（12351 热线系统对接 / 职工端）", request=AppealCreateSerializer, responses=AppealSerializer
    ),
)
class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    permission_classes = [holds(Perm.APPEAL_VIEW)]
    filterset_class = AppealFilterSet

    def get_queryset(self):
        # The API serves officers and workers alike (a worker: own requests, worker-visible timeline).
        qs = selectors.appeal_list_qs(self.request.user, Perm.APPEAL_VIEW).order_by("-registered_at", "-id")
        if self.action == "retrieve":
            qs = qs.prefetch_related("referrals__handler_org")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AppealDetailSerializer
        if self.action == "create":
            return AppealCreateSerializer
        return AppealSerializer

    def create(self, request, *args, **kwargs):
        data = AppealCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        org = None
        if v["channel"] != Appeal.Channel.PORTAL:
            code = (v.get("organisation") or "").strip()
            org = scoped(request.user, Perm.APPEAL_HANDLE, Organisation.objects.all()).filter(code=code).first()
            if org is None:
                raise ApiInvalid({"organisation": [f"找不到组织“{code}”，或不在您的办理范围内"]})
        appeal = _call(
            services.appeal_register,
            actor=request.user,
            organisation=org,
            category=v["category"],
            channel=v["channel"],
            title=v["title"],
            description=v["description"],
            reporter_name=v["reporter_name"],
            anonymous=v["anonymous"],
            third_party=v["third_party"],
            contact_phone=v["contact_phone"],
            preferred_contact=v["preferred_contact"],
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="评价（职工本人；干部电话回访代录）", request=RateSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None, **kwargs):
        appeal = self.get_object()
        data = RateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = _call(services.appeal_rate, actor=request.user, appeal=appeal, **data.validated_data)
        return Response(AppealSerializer(appeal).data)

    @extend_schema(
        summary="办理步骤（联系、沟通记录、转办、受理、办结、退回、反馈、标记无效）",
        request=TransitionSerializer,
        responses=AppealSerializer,
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None, **kwargs):
        appeal = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        act, user, note = v["action"], request.user, v["note"]
        if act in ("accept", "complete", "return"):
            referral = get_object_or_404(appeal.referrals.select_related("handler_org"), pk=v["referral"] or 0)
            fn = {
                "accept": services.referral_accept,
                "complete": services.referral_complete,
                "return": services.referral_return,
            }[act]
            extra = {"complete": {"result": note}, "return": {"reason": note}}.get(act, {})
            _call(fn, actor=user, referral=referral, **extra)
        elif act == "refer":
            handlers = {o.code: o for o in Organisation.objects.filter(code__in=[v["lead"], *v["co_handlers"]])}
            missing = [c for c in [v["lead"], *v["co_handlers"]] if c and c not in handlers]
            if missing:
                raise ApiInvalid({"lead": [f"找不到组织编码：{'、'.join(missing)}"]})
            _call(
                services.appeal_refer,
                actor=user,
                appeal=appeal,
                lead=handlers.get(v["lead"]) if v["lead"] else None,
                co_handlers=[handlers[c] for c in v["co_handlers"]],
                deadline=v["deadline"],
            )
        elif act == "contact":
            _call(services.appeal_contact, actor=user, appeal=appeal, note=note)
        elif act == "note":
            _call(services.appeal_note, actor=user, appeal=appeal, note=note)
        elif act == "feedback":
            _call(services.appeal_feedback, actor=user, appeal=appeal, result=note, resolved=v["resolved"])
        elif act == "invalid":
            _call(services.appeal_mark_invalid, actor=user, appeal=appeal, reason=note)
        return Response(AppealSerializer(Appeal.objects.get(pk=appeal.pk)).data)
