"""The period picker's rule (pure): a month, a quarter, a year or a custom range → its first and last day."""

from __future__ import annotations

import calendar
from datetime import date

from dashboard.figures import Period

KINDS = (("month", "月度"), ("quarter", "季度"), ("year", "年度"), ("range", "自定义"))
MIN_YEAR, MAX_YEAR = 2000, 2100


def period_of(kind: str, year: int, number: int | None = None) -> Period:
    """``month`` (number 1–12), ``quarter`` (1–4) or ``year`` of ``year``."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"年度应在 {MIN_YEAR} 至 {MAX_YEAR} 之间")
    if kind == "year":
        return Period(date(year, 1, 1), date(year, 12, 31))
    if kind == "month":
        if number is None or not 1 <= number <= 12:
            raise ValueError("月份应在 1 至 12 之间")
        return Period(date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1]))
    if kind == "quarter":
        if number is None or not 1 <= number <= 4:
            raise ValueError("季度应在 1 至 4 之间")
        last = number * 3
        return Period(date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1]))
    raise ValueError("请选择月度、季度、年度或自定义期间")
