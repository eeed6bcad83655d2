from __future__ import annotations

from typing import Any

from django import template

from core.money import format_yuan

register = template.Library()


@register.filter
def attr(obj: Any, name: str) -> Any:
    """``{{ node|attr:"count_members" }}``: read an annotation whose name is built at run time."""
    return getattr(obj, name, "")


@register.filter
def prefix(value: str, head: str) -> str:
    return f"{head}{value}"


HISTORY_ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}


@register.filter
def history_action(record: Any) -> str:
    """simple-history ships no Simplified Chinese labels for its record types."""
    return HISTORY_ACTIONS.get(getattr(record, "history_type", ""), "")


@register.filter
def yuan(value: Any) -> str:
    """``{{ amount|yuan }}``: an amount as money reads, ``4,200.00`` (core.money.format_yuan); empty for None."""
    if value is None or value == "":
        return ""
    return format_yuan(value)
