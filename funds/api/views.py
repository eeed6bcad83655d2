from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import fields as drf_fields
from rest_framework import viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from funds import bank_selectors, selectors
from funds.api import serializers as s
from funds.filtersets import CycleFilterSet, DonationFilterSet, EntryFilterSet, PaymentFilterSet
from funds.filtersets_bank import BatchFilterSet, PayeeAccountFilterSet
from funds.models import Account
from orgs.api.permissions import holds
from orgs.roles import Perm
from orgs.scope import scoped


class _FundsViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [holds(Perm.FUND_VIEW)]


class AccountViewSet(_FundsViewSet):
    serializer_class = s.AccountSerializer
    lookup_field = "code"

    def get_queryset(self):
        return scoped(self.request.user, Perm.FUND_VIEW, Account.objects.select_related("organisation")).order_by(
            "code"
        )

    @extend_schema(
        summary="科目明细账：期初、本期借贷、期末（start/end 为日期，可省略）",
        parameters=[OpenApiParameter("start", str), OpenApiParameter("end", str)],
    )
    @action(detail=True)
    def statement(self, request, code=None, **kwargs):
        account = self.get_object()
        start, end = _dates(request)
        st = selectors.account_statement(account, start=start, end=end)
        page = self.paginate_queryset(st.lines)
        lines = [
            {
                "date": ln.entry.date,
                "entry": ln.entry.number,
                "description": ln.entry.description,
                "debit": str(ln.debit),
                "credit": str(ln.credit),
            }
            for ln in page
        ]
        response = self.get_paginated_response(lines)
        response.data.update(
            {
                "account": account.code,
                "opening": str(st.opening),
                "debit": str(st.debit),
                "credit": str(st.credit),
                "closing": str(st.closing),
            }
        )
        return response


class EntryViewSet(_FundsViewSet):
    serializer_class = s.EntrySerializer
    filterset_class = EntryFilterSet

    def get_queryset(self):
        return selectors.visible_entries(self.request.user).prefetch_related("lines__account")


class ProgrammeViewSet(_FundsViewSet):
    serializer_class = s.ProgrammeSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.visible_programmes(self.request.user)


class CycleViewSet(_FundsViewSet):
    serializer_class = s.CycleSerializer
    filterset_class = CycleFilterSet

    def get_queryset(self):
        return selectors.visible_cycles(self.request.user)


class EntitlementViewSet(_FundsViewSet):
    serializer_class = s.EntitlementSerializer
    filterset_fields = ["cycle"]

    def get_queryset(self):
        return selectors.visible_entitlements(self.request.user).order_by("cycle_id", "id")


class PaymentViewSet(_FundsViewSet):
    serializer_class = s.PaymentSerializer
    filterset_class = PaymentFilterSet

    def get_queryset(self):
        return selectors.visible_payments(self.request.user)


class BankBatchViewSet(_FundsViewSet):
    """Bank batches (docs/bank.md); ``lines/`` lists a batch's payments and the bank's answers."""

    serializer_class = s.BankBatchSerializer
    filterset_class = BatchFilterSet

    def get_queryset(self):
        return bank_selectors.visible_batches(self.request.user).order_by("-id")

    @extend_schema(
        summary="批次明细：每笔的业务参考号、金额、银行结果（账号脱敏）", responses=s.BatchLineSerializer(many=True)
    )
    @action(detail=True)
    def lines(self, request, pk=None, **kwargs):
        batch = self.get_object()
        page = self.paginate_queryset(bank_selectors.batch_lines(batch))
        return self.get_paginated_response(s.BatchLineSerializer(page, many=True).data)


class PayeeAccountViewSet(_FundsViewSet):
    """Payee bank accounts, numbers masked (the whole number is shown only on its page, audited)."""

    serializer_class = s.PayeeAccountSerializer
    filterset_class = PayeeAccountFilterSet

    def get_queryset(self):
        return bank_selectors.visible_payee_accounts(self.request.user).order_by("owner_key", "-valid_from", "-id")


class DonationViewSet(_FundsViewSet):
    serializer_class = s.DonationSerializer
    filterset_class = DonationFilterSet

    def get_queryset(self):
        return selectors.visible_donations(self.request.user)


def _dates(request):
    from funds.forms import StatementForm

    form = StatementForm(request.query_params)
    if not form.is_valid():
        raise ApiValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return [form.cleaned_data.get("start"), form.cleaned_data.get("end")]


@extend_schema(
    summary="试算平衡表（end 为截止日期，可省略）",
    parameters=[OpenApiParameter("end", str)],
    responses=inline_serializer(
        "TrialBalance",
        {
            "end": drf_fields.DateField(allow_null=True),
            "balanced": drf_fields.BooleanField(),
            "debit": drf_fields.CharField(),
            "credit": drf_fields.CharField(),
            "rows": inline_serializer(
                "TrialBalanceRow",
                {
                    "account": drf_fields.CharField(),
                    "name": drf_fields.CharField(),
                    "debit": drf_fields.CharField(),
                    "credit": drf_fields.CharField(),
                },
                many=True,
            ),
        },
    ),
)
@api_view(["GET"])
@permission_classes([holds(Perm.FUND_VIEW)])
def trial_balance(request):
    _, end = _dates(request)
    tb = selectors.trial_balance(request.user, end=end)
    return Response(
        {
            "end": end,
            "balanced": tb["balanced"],
            "debit": str(tb["debit"]),
            "credit": str(tb["credit"]),
            "rows": [
                {
                    "account": r["account"].code,
                    "name": r["account"].name,
                    "debit": str(r["debit"]),
                    "credit": str(r["credit"]),
                }
                for r in tb["rows"]
            ],
        }
    )
