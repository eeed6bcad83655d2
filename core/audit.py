"""The security audit trail: logins, lockouts, exports, full views of personal data, grants.

Domain data changes are recorded by django-simple-history on each model (who, when, what changed);
``audit_log`` is for the events a history table cannot hold.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.dispatch import receiver

from core.logs import current_request_id, security_event
from core.models import AuditEvent


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _is_trusted_proxy(address: str | None) -> bool:
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    for network in settings.GONGHUI_TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request: Any) -> str | None:
    """The address of the person at the keyboard: the audit trail and the login lockout (django-axes,
    ``AXES_CLIENT_IP_CALLABLE``) both read it from here.

    With ``GONGHUI_TRUSTED_PROXY_COUNT = N`` (0: no proxy, ``REMOTE_ADDR`` is the client) and a request
    arriving from one of ``GONGHUI_TRUSTED_PROXIES``, the client is the N-th address from the right of
    the chain ``X-Forwarded-For + [REMOTE_ADDR]``: each of our N proxies appended the address it was
    connected from, so whatever a client wrote into the header itself lies further left and is ignored.
    A request from anywhere else is taken at its ``REMOTE_ADDR`` whatever headers it carries.
    """
    if request is None:
        return None
    meta = request.META
    remote = _valid_ip(meta.get("REMOTE_ADDR") or "")
    count = settings.GONGHUI_TRUSTED_PROXY_COUNT
    if count <= 0 or not _is_trusted_proxy(remote):
        return remote
    header = meta.get(settings.GONGHUI_CLIENT_IP_HEADER, "")
    chain = [part.strip() for part in header.split(",") if part.strip()] + [remote]
    return _valid_ip(chain[max(len(chain) - 1 - count, 0)]) or remote


def audit_log(
    kind: str,
    *,
    user: Any = None,
    username: str = "",
    request: Any = None,
    obj: models.Model | None = None,
    summary: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    detail = dict(detail or {})
    request_id = current_request_id()
    if request_id:
        detail.setdefault("request_id", request_id)  # the request's log lines, found from the audit entry
    event = AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.get_username() if user is not None else ""),
        ip_address=client_ip(request),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:500],
        detail=detail,
    )
    security_event(
        kind, user_id=user.pk if user is not None else None, object_type=event.object_type, object_id=event.object_id
    )
    return event


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_log(AuditEvent.Kind.LOGIN, user=user, request=request, summary="登录成功")


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_log(AuditEvent.Kind.LOGOUT, user=user, request=request, summary="退出登录")


@receiver(user_login_failed)
def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    audit_log(
        AuditEvent.Kind.LOGIN_FAILED,
        username=str(credentials.get("username", ""))[:150],
        request=request,
        summary="用户名或密码错误",
    )


try:  # axes announces lockouts with its own signal
    from axes.signals import user_locked_out

    @receiver(user_locked_out)
    def _on_locked_out(sender: Any, request: Any = None, username: str = "", ip_address: str = "", **kw: Any) -> None:
        audit_log(
            AuditEvent.Kind.LOCKED_OUT,
            username=(username or "")[:150],
            request=request,
            summary=f"连续登录失败，已锁定（IP {ip_address}）",
        )
except ImportError:  # pragma: no cover - axes is a hard dependency
    pass
