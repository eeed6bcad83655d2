"""Helpers shared by the cadres services: the scope check and the refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from orgs.models import Organisation
from orgs.scope import can_at


def require(actor: Any, perm: str, organisation: Organisation, what: str) -> None:
    if not can_at(actor, perm, organisation):
        raise PermissionDenied(f"您无权{what}")


def refuse(message: str | dict[str, str]) -> NoReturn:
    raise ValidationError(message)


T = TypeVar("T")


def create_or_refuse(create: Callable[[], T], message: str | dict[str, str]) -> T:
    """Run ``create`` in a savepoint; a uniqueness constraint it trips becomes the Chinese refusal."""
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        refuse(message)
