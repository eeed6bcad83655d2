"""Reads of the organisation programmes: grants and their usage, dues records."""

from __future__ import annotations

from typing import Any

from django.db.models import ExpressionWrapper, F, OuterRef, QuerySet, Value
from django.db.models.functions import Coalesce

from core.db import subquery_sum
from core.money import MoneyField
from funds.models import Payment
from orgs.roles import Perm
from orgs.scope import scoped
from programmes.models import DuesImport, DuesRecord, GrantUsage
from programmes.plugins import StartupGrant

MONEY = MoneyField(max_digits=16)


def grants(user: Any) -> QuerySet[Payment]:
    """Start-up grants paid, with what the union has reported spending."""
    spent = Coalesce(
        subquery_sum(GrantUsage.objects.filter(payment=OuterRef("pk")), "amount", MONEY),
        Value(0, output_field=MONEY),
        output_field=MONEY,
    )
    return (
        scoped(user, Perm.FUND_VIEW, Payment.objects.filter(programme__plugin_key=StartupGrant.key))
        .select_related("beneficiary_org", "programme")
        .annotate(spent=spent)
        .annotate(unspent=ExpressionWrapper(F("amount") - F("spent"), output_field=MONEY))
        .order_by("-paid_at", "-id")
    )


def unspent_grants(user: Any) -> QuerySet[Payment]:
    return grants(user).filter(unspent__gt=0)


def usages(user: Any, payment: Payment) -> QuerySet[GrantUsage]:
    return scoped(user, Perm.FUND_VIEW, GrantUsage.objects.filter(payment=payment)).select_related("recorded_by")


def dues_records(user: Any) -> QuerySet[DuesRecord]:
    return (
        scoped(user, Perm.FUND_VIEW, DuesRecord.objects.all())
        .select_related("organisation")
        .order_by("-year", "credit_code")
    )


def dues_imports(user: Any) -> QuerySet[DuesImport]:
    return scoped(user, Perm.FUND_VIEW, DuesImport.objects.all()).select_related("imported_by")
