"""Helpers of the browser tests of surveys and reform: devices, screenshots, the sideways-scroll check."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Screenshots are for looking at, never committed: a temporary folder unless one is named.
SHOTS = Path(os.environ.get("GONGHUI_SHOTS", "/tmp/gonghui-shots"))
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
