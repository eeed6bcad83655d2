"""API sign-in obeys the same session rules as the pages (docs/security.md).

- An account whose password was set by an administrator must choose its own first: every API call
  is refused with a JSON error until it has (the pages redirect to the change form instead).
- Tokens live ``settings.API_TOKEN_LIFETIME`` (7 days by default) from their creation; an older one,
  or one dated in the future, is refused. Password change, reset and deactivation delete them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, status
from rest_framework.authtoken.models import Token

# Clock difference tolerated between the database and the application server.
CLOCK_SKEW = timedelta(minutes=5)


class PasswordChangeRequired(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "管理员已重置您的密码：请先在 /accounts/password/ 修改密码，再使用接口"
    default_code = "password_change_required"


def token_lifetime() -> timedelta:
    return settings.API_TOKEN_LIFETIME


def token_expires_at(token: Token) -> Any:
    return token.created + token_lifetime()


def token_is_current(token: Token) -> bool:
    now = timezone.now()
    return now - token_lifetime() < token.created <= now + CLOCK_SKEW


def refuse_unless_password_current(user: Any) -> None:
    if getattr(user, "must_change_password", False):
        raise PasswordChangeRequired()


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            refuse_unless_password_current(result[0])
        return result


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if not token_is_current(token):
            raise exceptions.AuthenticationFailed("令牌已过期或无效，请重新获取")
        refuse_unless_password_current(user)
        return user, token


class SessionScheme(OpenApiAuthenticationExtension):
    """The schema shows our session sign-in as the cookie scheme it is."""

    target_class = "api.authentication.SessionAuthentication"
    name = "cookieAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
