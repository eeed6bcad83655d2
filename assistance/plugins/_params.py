"""Reading a plug-in's parameters: each refusal names the parameter by its Chinese label, keyed by
the parameter's name so the programme page shows it beside its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from core.money import format_yuan, to_yuan


def refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def money_param(params: dict[str, Any], name: str, label: str, *, minimum: Decimal, field: str = "") -> Decimal:
    raw = params.get(name)
    if raw in (None, ""):
        raise refuse(field or name, f"请填写“{label}”")
    try:
        value = to_yuan(str(raw))
    except (ValidationError, TypeError):
        raise refuse(field or name, f"“{label}”应为金额（元），实际为“{raw}”") from None
    if value < minimum:
        raise refuse(field or name, f"“{label}”不能小于 {format_yuan(minimum)} 元，实际为 {format_yuan(value)} 元")
    return value


def int_param(params: dict[str, Any], name: str, label: str, *, default: int, minimum: int, maximum: int) -> int:
    raw = params.get(name, default)
    if raw in (None, ""):
        raw = default
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        raise refuse(name, f"“{label}”应为整数，实际为“{raw}”") from None
    if not minimum <= value <= maximum:
        raise refuse(name, f"“{label}”应在 {minimum} 到 {maximum} 之间，实际为 {value}")
    return value


def date_param(params: dict[str, Any], name: str, label: str) -> date:
    raw = params.get(name)
    if raw in (None, ""):
        raise refuse(name, f"请填写“{label}”")
    try:
        value = date.fromisoformat(str(raw))
    except ValueError:
        raise refuse(name, f"“{label}”应为日期，如 2027-01-20，实际为“{raw}”") from None
    if value.year < 2000:
        raise refuse(name, f"“{label}”年份“{value.year}”无效")
    return value
