"""The system actor: who scheduled jobs, the demo loader and management commands act as.

``actor=None`` never means "skip the checks". A job names this actor explicitly; it is a real user
row (so every record it writes says 系统任务), inactive and without a usable password (it cannot log
in and holds no role: ``orgs.scope`` gives an inactive user no grants). Each service that a job may
call lists the few actions the system actor may do there; nothing else accepts it, and no approval
ever does (an approval is a person's signature).
"""

from __future__ import annotations

from typing import Any

SYSTEM_USERNAME = "__system__"
SYSTEM_DISPLAY_NAME = "系统任务"


def system_actor() -> Any:
    """The system user (created on first use)."""
    from core.models import User

    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, display_name=SYSTEM_DISPLAY_NAME, is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def is_system_actor(user: Any) -> bool:
    """True for the system user only: its reserved name, inactive, no usable password."""
    return (
        user is not None
        and getattr(user, "username", None) == SYSTEM_USERNAME
        and not getattr(user, "is_active", True)
        and not user.has_usable_password()
    )
