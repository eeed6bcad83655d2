from __future__ import annotations

from rest_framework import viewsets

from assistance import selectors_relief as sel
from assistance.api import serializers_relief as s
from assistance.filtersets_relief import ReliefFilterSet, ScholarshipFilterSet
from funds.models import Payment
from orgs.api.permissions import holds
from orgs.roles import Perm
from orgs.scope import scoped


class _AssistanceViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [holds(Perm.ASSISTANCE_VIEW)]


class ReliefApplicationViewSet(_AssistanceViewSet):
    """大病救助申请（本人或管辖范围内）。"""

    serializer_class = s.ReliefApplicationSerializer
    filterset_class = ReliefFilterSet

    def get_queryset(self):
        return sel.relief_rows(self.request.user).order_by("-id")


class ScholarshipApplicationViewSet(_AssistanceViewSet):
    """金秋助学申请（本人或管辖范围内）。"""

    serializer_class = s.ScholarshipApplicationSerializer
    filterset_class = ScholarshipFilterSet

    def get_queryset(self):
        return sel.scholarship_rows(self.request.user).order_by("-id")


class AssistancePaymentViewSet(_AssistanceViewSet):
    """大病救助和金秋助学的支付记录。"""

    serializer_class = s.AssistancePaymentSerializer

    def get_queryset(self):
        rows = Payment.objects.filter(programme__plugin_key__in=["relief", "scholarship"])
        return (
            scoped(self.request.user, Perm.ASSISTANCE_VIEW, rows).select_related("programme", "entry").order_by("-id")
        )
