"""Helpers shared by the cadres services: the scope check and the refusal."""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied, ValidationError

from orgs.models import Organisation
from orgs.scope import can_at


def require(actor: Any, perm: str, organisation: Organisation, what: str) -> None:
    if not can_at(actor, perm, organisation):
        raise PermissionDenied(f"您无权{what}")


def refuse(message: str | dict[str, str]) -> NoReturn:
    raise ValidationError(message)
