"""Account administration: creating accounts, resetting passwords, unlocking, (de)activating."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from rest_framework.authtoken.models import Token

from accounts.selectors import manageable_users
from core.audit import audit_log
from core.models import AuditEvent, User
from orgs.models import Organisation
from orgs.services import role_grant


def _require_manageable(actor: User, account: User) -> None:
    if not manageable_users(actor).filter(pk=account.pk).exists():
        raise PermissionDenied("您无权管理该账号")


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    display_name: str,
    password: str,
    role: str,
    organisation: Organisation,
    scope: str | None = None,
    must_change_password: bool = True,
) -> User:
    """An account always starts with one role, so that it lands inside somebody's scope."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": "请填写用户名"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已被使用"})
    user = User(username=username, display_name=display_name.strip(), must_change_password=must_change_password)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    role_grant(actor=actor, user=user, role=role, organisation=organisation, scope=scope)
    audit_log(AuditEvent.Kind.USER_CHANGED, user=actor, obj=user, summary=f"新建账号 {username}")
    return user


def user_credentials_revoke(*, account: User, sessions: bool = True) -> None:
    """End what the account is signed in with: every API token and (with ``sessions``) every session."""
    Token.objects.filter(user=account).delete()
    if sessions:
        User.objects.filter(pk=account.pk).update(session_epoch=F("session_epoch") + 1)
        account.refresh_from_db(fields=["session_epoch"])


def user_password_changed(*, account: User) -> None:
    """The account chose a new password itself: its API tokens go (other sessions already end with the
    old password's hash; the current one is kept by the view)."""
    account.must_change_password = False
    account.save(update_fields=["must_change_password"])
    user_credentials_revoke(account=account, sessions=False)


@transaction.atomic
def user_set_password(*, actor: User, account: User, password: str) -> None:
    _require_manageable(actor, account)
    try:
        validate_password(password, account)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    account.set_password(password)
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    user_credentials_revoke(account=account)
    audit_log(AuditEvent.Kind.PASSWORD_CHANGED, user=actor, obj=account, summary=f"重置 {account.username} 的密码")


@transaction.atomic
def user_set_active(*, actor: User, account: User, active: bool) -> None:
    _require_manageable(actor, account)
    if account.pk == actor.pk:
        raise ValidationError("不能停用自己的账号")
    account.is_active = active
    account.save(update_fields=["is_active"])
    if not active:
        user_credentials_revoke(account=account)
    audit_log(
        AuditEvent.Kind.USER_CHANGED,
        user=actor,
        obj=account,
        summary=f"{'启用' if active else '停用'}账号 {account.username}",
    )


def user_unlock(*, actor: User, account: User) -> int:
    """Clear the login lockout of this account and the address lockouts its failures caused.

    axes keeps one row of failures per (typed user name, address, browser); an address is locked by
    the sum of its rows. The account's rows go — whatever case the name was typed in — so its failures
    no longer count against the account nor against the addresses they came from (an office behind
    one NAT address gets back in). Failures that other names made from those addresses stay: an
    address that others locked is not this account's to release.
    """
    from axes.models import AccessAttempt

    _require_manageable(actor, account)
    attempts = AccessAttempt.objects.filter(username__iexact=account.username)
    addresses = sorted({a for a in attempts.values_list("ip_address", flat=True) if a})
    count, _ = attempts.delete()
    audit_log(
        AuditEvent.Kind.USER_CHANGED,
        user=actor,
        obj=account,
        summary=f"解除 {account.username} 的登录锁定",
        detail={"addresses": addresses},
    )
    return count
