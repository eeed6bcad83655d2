"""The allowance's and holiday relief's figures for the figures page (帮扶统计), registered from
``AssistanceConfig.ready()``. Each figure links to exactly its rows (the same filters, as a list)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from assistance.figures import Figure, FigureGroup, register_figure_group
from core.lists import list_url


def _filters(organisation: Any, start: date, end: date) -> dict[str, str]:
    out = {"paid_from": start.isoformat(), "paid_to": end.isoformat()}
    if organisation is not None:
        out["subtree"] = organisation.code
    return out


def allowance_figures(user: Any, organisation: Any, start: date, end: date) -> list[Figure]:
    from assistance.selectors.allowance import allowance_totals

    t = allowance_totals(user, organisation, start, end)
    rows = list_url("assistance:allowance_months", **_filters(organisation, start, end))
    arrears = list_url("assistance:allowance_months", **_filters(organisation, start, end), arrears="true")
    return [
        Figure("发放档案", t["files"], "户", rows),
        Figure("发放人月", t["months"], "人月", rows),
        Figure("发放金额", t["yuan"] or Decimal("0.00"), "元", rows),
        Figure("其中补发月数", t["arrears"], "人月", arrears),
    ]


def holiday_figures(user: Any, organisation: Any, start: date, end: date) -> list[Figure]:
    from assistance.selectors.allowance import holiday_totals

    t = holiday_totals(user, organisation, start, end)
    rows = list_url("assistance:holiday_payments", **_filters(organisation, start, end))
    return [
        Figure("慰问人次", t["people"], "人次", rows),
        Figure("慰问金额", t["yuan"] or Decimal("0.00"), "元", rows),
    ]


ALLOWANCE_GROUP = FigureGroup(key="allowance", label="生活补助", order=10, compute=allowance_figures)
HOLIDAY_GROUP = FigureGroup(key="holiday", label="送温暖", order=50, compute=holiday_figures)


def register() -> None:
    register_figure_group(ALLOWANCE_GROUP)
    register_figure_group(HOLIDAY_GROUP)
