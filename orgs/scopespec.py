"""How a model tells the scoping function which organisation(s) and owner a row belongs to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ScopeSpec:
    """Declared on a model as ``data_scope``; read only by ``orgs.scope``.

    paths: lookups from the model to an organisation's ``path`` (a row is in scope when any of them
        lies in one of the caller's granted subtrees). Use only forward (to-one) relations here, so
        that filtering never multiplies rows; a to-many link goes through ``extra``.
    owner: lookup from the model to the owning user, for grants with the "own records" scope.
    extra: optional ``(grant, perm) -> Q | None`` for links a path cannot express (e.g. a request
        referred to a partner organisation), built with ``Exists`` so rows are not multiplied.
    """

    paths: tuple[str, ...] = ()
    owner: str | None = None
    extra: Callable[[Any, str], Any] | None = field(default=None, compare=False)
