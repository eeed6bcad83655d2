"""Sending notifications: in the platform always, by e-mail when the user has an address and
e-mail is configured (EMAIL_BACKEND other than the console default in production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Notification


def notify(
    user: Any, *, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str = ""
) -> Notification | None:
    """Create the notification (once per ``dedupe_key``) and e-mail it after the transaction commits."""
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                user=user, kind=kind, title=title[:200], body=body, url=url[:300], dedupe_key=dedupe_key[:120]
            )
    except IntegrityError:
        return None  # already sent
    email = getattr(user, "email", "")
    if email and getattr(settings, "GONGHUI_EMAIL_NOTIFICATIONS", False):
        transaction.on_commit(
            lambda: send_mail(f"[工会平台] {title}", f"{body}\n\n{url}", None, [email], fail_silently=True)
        )
    return note


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_settle(dedupe_key: str) -> int:
    """The matter of a notification is settled (one of those asked has acted): mark it read for all."""
    return Notification.objects.filter(dedupe_key=dedupe_key, read_at__isnull=True).update(read_at=timezone.now())
