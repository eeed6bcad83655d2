"""Small query helpers shared by every app."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.db.models import F, Func, IntegerField, QuerySet, Subquery

DATABASE_UNAVAILABLE = "数据库暂时无法访问，本次操作未完成（已保存的数据不受影响），请稍后重试。"


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


def database_unavailable(exc: BaseException | None) -> bool:
    """The database could not be reached or dropped the connection (an outage, a restart, a
    timeout): a 503, worth retrying, rather than a fault of the code (500)."""
    return isinstance(exc, OperationalError | InterfaceError)
