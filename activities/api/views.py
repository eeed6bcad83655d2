"""The events API: events (list, detail, organise, report, review), registrations with results,
and the honours awards became. Rows come from the same scoped selectors as the pages; writes call
the services, whose refusals are JSON 400/403/404 like every API error."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from activities import innovation_services, selectors, services
from activities.api.serializers import (
    EventCreateSerializer,
    EventSerializer,
    GradeSerializer,
    HonourSerializer,
    InnovationCountsSerializer,
    InnovationCreateSerializer,
    InnovationItemSerializer,
    NominationSerializer,
    RegistrationSerializer,
    ReportSerializer,
    ReviewSerializer,
    SelectionSerializer,
    StudioOutputSerializer,
    StudioSerializer,
)
from activities.craftsmen import CraftsmanSelection, Nomination
from activities.filtersets import (
    ActivityFilterSet,
    InnovationFilterSet,
    NominationFilterSet,
    RegistrationFilterSet,
    StudioFilterSet,
    StudioOutputFilterSet,
)
from activities.innovation import InnovationItem
from activities.models import Activity, Registration
from activities.studios import Studio, StudioOutput
from members.models import Honour
from orgs.api.permissions import holds
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import scoped


def _org(user, perm: str, code: str, field: str) -> Organisation:
    org = scoped(user, perm, Organisation.objects.all()).filter(code=code.strip()).first()
    if org is None:
        raise ValidationError({field: [f"组织“{code}”不存在或不在您的管理范围内"]})
    return org


@extend_schema_view(
    list=extend_schema(summary="活动与竞赛列表（按调用者范围）"),
    retrieve=extend_schema(summary="活动详情"),
    create=extend_schema(summary="组织活动/竞赛", request=EventCreateSerializer, responses={201: EventSerializer}),
)
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = EventSerializer
    filterset_class = ActivityFilterSet

    def get_permissions(self):
        perms = {"create": Perm.ACTIVITY_MANAGE, "report": Perm.ACTIVITY_MANAGE, "review": Perm.ACTIVITY_REVIEW}
        return [holds(perms.get(self.action, Perm.ORG_VIEW))()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        return (
            selectors.visible_activities(self.request.user)
            .select_related("eligible_org")
            .prefetch_related("co_organisers")
        )

    def create(self, request, *args, **kwargs):
        data = EventCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = request.user
        values["organisation"] = _org(user, Perm.ACTIVITY_MANAGE, values["organisation"], "organisation")
        eligible = values.pop("eligible_org")
        values["eligible_org"] = _org(user, Perm.ACTIVITY_MANAGE, eligible, "eligible_org") if eligible else None
        codes = values.pop("co_organisers")
        partners = list(selectors.partner_organisations().filter(code__in=codes))
        if len(partners) != len(set(codes)):
            raise ValidationError({"co_organisers": ["协办单位编码不存在，或不是协作单位"]})
        activity = services.event_create(actor=user, co_organisers=partners, **values)
        return Response(EventSerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="报送活动（待上级工会审核）", request=ReportSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None, **kwargs):
        activity = self.get_object()
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = services.event_report(
            actor=request.user, activity=activity, participants=data.validated_data["participants"]
        )
        return Response(EventSerializer(activity).data)

    @extend_schema(summary="上级工会审核活动报送", request=ReviewSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None, **kwargs):
        activity = self.get_object()
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = services.event_review(actor=request.user, activity=activity, **data.validated_data)
        return Response(EventSerializer(activity).data)


@extend_schema_view(
    list=extend_schema(summary="报名、到场与成绩（按调用者范围）"), retrieve=extend_schema(summary="报名详情")
)
class RegistrationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilterSet

    def get_permissions(self):
        return [holds(Perm.MEMBER_VIEW)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        return selectors.visible_registrations(self.request.user).order_by("-activity__held_on", "activity_id", "pk")


@extend_schema_view(
    list=extend_schema(summary="会员荣誉（含竞赛获奖，按调用者范围）"), retrieve=extend_schema(summary="荣誉详情")
)
class HonourViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HonourSerializer

    def get_permissions(self):
        return [holds(Perm.MEMBER_VIEW)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Honour.objects.none()
        rows = scoped(self.request.user, Perm.MEMBER_VIEW, Honour.objects.all())
        rows = rows.select_related("person", "registration", "craftsman_nomination")
        return rows.order_by("-awarded_on", "pk")


@extend_schema_view(
    list=extend_schema(summary="顺义工匠年度评选（区总工会；推荐中的评选各级工会可见）"),
    retrieve=extend_schema(summary="评选详情"),
)
class SelectionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SelectionSerializer

    def get_permissions(self):
        return [holds(Perm.ORG_VIEW)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CraftsmanSelection.objects.none()
        rows = scoped(self.request.user, Perm.ORG_VIEW, CraftsmanSelection.objects.select_related("organiser"))
        return rows.order_by("-year")


@extend_schema_view(
    list=extend_schema(summary="顺义工匠推荐、综合得分、名次与结果（按推荐工会范围）"),
    retrieve=extend_schema(summary="推荐详情"),
)
class NominationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NominationSerializer
    filterset_class = NominationFilterSet

    def get_permissions(self):
        return [holds(Perm.MEMBER_VIEW)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Nomination.objects.none()
        rows = Nomination.objects.select_related("selection", "union", "person")
        return scoped(self.request.user, Perm.MEMBER_VIEW, rows).order_by("-selection__year", "rank", "pk")


@extend_schema_view(
    list=extend_schema(summary="创新工作室与劳模工作室及其年度成果（按所属工会范围）"),
    retrieve=extend_schema(summary="工作室详情与年度成果"),
)
class StudioViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StudioSerializer
    filterset_class = StudioFilterSet

    def get_permissions(self):
        return [holds(Perm.ORG_VIEW)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Studio.objects.none()
        rows = Studio.objects.select_related("union", "leader").prefetch_related("outputs")
        return scoped(self.request.user, Perm.ORG_VIEW, rows).order_by("-plaque_on", "pk")


@extend_schema_view(
    list=extend_schema(summary="工作室年度成果（创新成果、培训带徒、专利；按所属工会范围）"),
    retrieve=extend_schema(summary="年度成果详情"),
)
class StudioOutputViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StudioOutputSerializer
    filterset_class = StudioOutputFilterSet

    def get_permissions(self):
        return [holds(Perm.ORG_VIEW)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StudioOutput.objects.none()
        rows = StudioOutput.objects.select_related("studio")
        return scoped(self.request.user, Perm.ORG_VIEW, rows).order_by("-year", "studio_id")


@extend_schema_view(
    list=extend_schema(summary="职工创新项目（合理化建议、技术革新、“五小”；按申报单位范围）"),
    retrieve=extend_schema(summary="创新项目详情"),
    create=extend_schema(
        summary="工会申报创新项目（职工个人或单位）",
        request=InnovationCreateSerializer,
        responses={201: InnovationItemSerializer},
    ),
)
class InnovationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = InnovationItemSerializer
    filterset_class = InnovationFilterSet

    def get_permissions(self):
        perms = {"create": Perm.ACTIVITY_MANAGE, "grade": Perm.ACTIVITY_REVIEW}
        return [holds(perms.get(self.action, Perm.MEMBER_VIEW))()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InnovationItem.objects.none()
        return innovation_services.visible_items(self.request.user).order_by("-submitted_at", "-pk")

    def create(self, request, *args, **kwargs):
        data = InnovationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        union = _org(request.user, Perm.ACTIVITY_MANAGE, values.pop("union"), "union")
        name, number = values.pop("person_name"), values.pop("person_id_number")
        person = innovation_services.member_named(union=union, name=name, id_number=number) if number.strip() else None
        item = innovation_services.item_submit(actor=request.user, union=union, person=person, **values)
        return Response(InnovationItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="上级工会评审创新项目（定等级；获奖项目进入发放）", request=GradeSerializer)
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None, **kwargs):
        item = self.get_object()
        data = GradeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = innovation_services.item_grade(actor=request.user, item=item, **data.validated_data)
        return Response(InnovationItemSerializer(item).data)

    @extend_schema(
        summary="创新项目统计：某组织（含下级）某年度的申报、获奖采纳、奖励发放项数与金额",
        parameters=[
            OpenApiParameter("subtree", str, description="组织编码，空为调用者范围最大的组织"),
            OpenApiParameter("year", int, description="申报年度，空为今年"),
        ],
        responses=InnovationCountsSerializer,
    )
    @action(detail=False, methods=["get"])
    def counts(self, request, **kwargs):
        code = request.query_params.get("subtree", "").strip()
        root = selectors.count_root(request.user, Perm.MEMBER_VIEW, code)
        if root is None or (code and root.code != code):
            raise ValidationError({"subtree": [f"组织“{code}”不存在或不在您的管理范围内"]})
        raw = request.query_params.get("year", "").strip()
        year = int(raw) if raw.isdigit() and len(raw) == 4 else timezone.localdate().year
        if raw and not (raw.isdigit() and len(raw) == 4 and 2000 <= year <= 2100):
            raise ValidationError({"year": ["年度应为 2000–2100 之间的四位数字"]})
        c = innovation_services.innovation_counts(request.user, root, year)
        body = {"subtree": root.code, "year": year, "submitted": c.submitted, "adopted": c.adopted,
                "rewarded": c.rewarded, "rewarded_yuan": c.rewarded_yuan}  # fmt: skip
        return Response(InnovationCountsSerializer(body).data)
