from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from core.notify import unread_count
from core.workdays import calendar_warning_cached
from gonghui.navigation import MENU
from orgs.roles import Perm
from orgs.scope import is_portal_user, perms_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # The back-office menu follows the actions held over organisations: a worker's own-records grant
    # opens the portal only (is_portal_user), so a worker is offered no back-office page at all.
    portal_user = is_portal_user(user)
    perms = perms_of(user, office=True)
    menu = []
    for group in () if portal_user else MENU:
        items = []
        for item in group.items:
            if item.perm is not None and item.perm not in perms:
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            items.append({"label": item.label, "url": url, "active": request.path.startswith(url)})
        if items:
            menu.append({"label": group.label, "items": items, "active": any(i["active"] for i in items)})
    return {
        "nav_menu": menu,
        "portal_user": portal_user,
        "user_perms": perms,
        # The red banner is for those who can enter the year; everyone else sees 暂定 by each deadline.
        "calendar_warning": calendar_warning_cached() if Perm.CALENDAR_MANAGE in perms else None,
        "unread_notifications": _unread(request),
    }


def _unread(request: HttpRequest) -> int:
    """Counted once per request: a django-tables2 table renders with the request's context again."""
    if not hasattr(request, "_gonghui_unread"):
        request._gonghui_unread = unread_count(request.user)  # type: ignore[attr-defined]
    return request._gonghui_unread  # type: ignore[attr-defined]
