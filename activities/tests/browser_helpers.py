"""Shared by the activities browser tests: a phone and a desktop, a signed-in session, screenshots."""

from __future__ import annotations

from pathlib import Path

from conftest import BROWSER_LOCALE

SHOTS = Path("/tmp/shots-h13")  # looked at while building; never committed
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def session(browser, ui_login, username: str, device: dict):
    """A new browser context signed in as ``username``, accepting the confirmations before irreversible steps."""
    page = browser.new_context(**BROWSER_LOCALE, **device).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    ui_login(page, username)
    return page
