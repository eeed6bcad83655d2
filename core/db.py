"""Small query helpers shared by every app."""

from __future__ import annotations

from django.db.models import F, Func, IntegerField, QuerySet, Subquery


def subquery_count(queryset: QuerySet) -> Subquery:
    """A correlated ``SELECT COUNT(*)`` usable in annotate(); no GROUP BY is added."""
    return Subquery(
        queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n"),
        output_field=IntegerField(),
    )


def subquery_sum(queryset: QuerySet, field: str, output_field) -> Subquery:
    return Subquery(
        queryset.order_by().annotate(_s=Func(F(field), function="SUM")).values("_s"),
        output_field=output_field,
    )
