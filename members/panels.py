"""Sections other apps add to a person's page (e.g. 困难帮扶 shows whether a file exists), so that
members never imports the apps below it. A panel is ``fn(user, person) -> PersonPanel | None``,
registered in the app's ``ready()``; it returns None when the user may not see it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PersonPanel:
    title: str
    lines: tuple[str, ...]
    url: str = ""  # a page the user may open for more (empty: none)


_PANELS: list[Callable[[Any, Any], PersonPanel | None]] = []


def register_person_panel(panel: Callable[[Any, Any], PersonPanel | None]) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def person_panels(user: Any, person: Any) -> list[PersonPanel]:
    return [p for p in (panel(user, person) for panel in _PANELS) if p is not None]
