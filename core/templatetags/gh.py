from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def attr(obj: Any, name: str) -> Any:
    """``{{ node|attr:"count_members" }}``: read an annotation whose name is built at run time."""
    return getattr(obj, name, "")


@register.filter
def prefix(value: str, head: str) -> str:
    return f"{head}{value}"
