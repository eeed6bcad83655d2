"""Password rules (等保三级): at least 8 characters (Django's MinimumLengthValidator), three of four
character classes, and not the user name in any case or reversed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

CLASS_TESTS = (str.isupper, str.islower, str.isdigit, lambda c: not c.isalnum())


def character_classes(password: str) -> int:
    return sum(1 for test in CLASS_TESTS if any(test(c) for c in password))


class CharacterClassValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < 3:
            raise ValidationError("密码须包含大写字母、小写字母、数字、符号中的至少三类", code="password_classes")

    def get_help_text(self) -> str:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"


class NotUsernameValidator:
    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").lower()
        if username and username in {password.lower(), password.lower()[::-1]}:
            raise ValidationError("密码不能与用户名相同（包括倒序）", code="password_is_username")

    def get_help_text(self) -> str:
        return "密码不能与用户名相同。"
