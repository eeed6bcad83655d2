from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from conftest import PASSWORD
from core.models import AuditEvent, User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def post_login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_success_and_failure_are_audited(client, district):
    post_login(client, "town_a", "wrong-Pass1")
    assert post_login(client, "town_a", PASSWORD).status_code == 302
    kinds = list(AuditEvent.objects.filter(kind__startswith="login").order_by("id").values_list("kind", "username"))
    assert kinds == [(AuditEvent.Kind.LOGIN_FAILED, "town_a"), (AuditEvent.Kind.LOGIN, "town_a")]


def test_wrong_password_message_is_chinese(client, district):
    body = post_login(client, "town_a", "wrong").content.decode()
    assert "用户名或密码错误" in body


def test_five_failures_lock_the_account_even_with_the_right_password(client, district):
    for i in range(5):
        post_login(client, "town_a", f"wrong-{i}", ip=f"10.0.0.{i + 1}")  # different addresses: the account locks
    response = post_login(client, "town_a", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKED_OUT).exists()
    # another account from another address still gets in
    assert post_login(client, "town_b", PASSWORD, ip="10.8.8.8").status_code == 302


def test_five_failures_from_one_address_lock_that_address(client, district):
    for i in range(5):
        post_login(client, f"guess{i}", "wrong", ip="10.7.7.7")
    assert post_login(client, "town_b", PASSWORD, ip="10.7.7.7").status_code == 429
    assert post_login(client, "town_b", PASSWORD, ip="10.7.7.8").status_code == 302


def test_lockout_settings_are_five_and_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_admin_can_unlock(client, district):
    for i in range(5):
        post_login(client, "town_a", f"wrong-{i}")
    client.force_login(district.user("admin"))
    client.post(f"/accounts/users/{district.user('town_a').pk}/unlock/")
    client.logout()
    assert post_login(client, "town_a", PASSWORD, ip="10.6.6.6").status_code == 302


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Short1!", False),  # 7 characters
        ("alllowercase", False),  # one class
        ("lowerUPPER", False),  # two classes
        ("lower123UP", True),  # three classes
        ("lower12345!", True),  # lower, digit, symbol
        ("Town_a", False),
    ],
)
def test_password_rules(password, ok):
    user = User(username="town_a")
    if ok:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


def test_password_equal_to_username_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_password("Zhang.San1", User(username="zhang.san1"))
    assert any("用户名" in m for m in exc.value.messages)


def test_sessions_expire_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_security_headers(client, district):
    client.force_login(district.user("admin"))
    response = client.get("/orgs/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"


def test_csrf_is_enforced():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", {"username": "a", "password": "b"}).status_code == 403


def test_production_profile_passes_check_deploy():
    env = {
        **os.environ,
        "GONGHUI_PROFILE": "production",
        "SECRET_KEY": "x" * 30 + "-production-secret-key-with-enough-entropy-1234567890",
        "GONGHUI_DATA_KEY": "Z29uZ2h1aS10ZXN0LWtleS0zMi1ieXRlcy1sb25nISE=",
        "ALLOWED_HOSTS": "gonghui.example.cn",
        "DEBUG": "false",
        "DATABASE_URL": "sqlite:////tmp/gonghui-deploy-check.sqlite3",
    }
    result = subprocess.run(
        # every tag: the security checks and the API schema's (drf-spectacular warns there too)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_keys():
    env = {**os.environ, "GONGHUI_PROFILE": "production", "SECRET_KEY": "", "DATABASE_URL": "sqlite:////tmp/x.sqlite3"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_audit_entries_cannot_be_changed_or_deleted(district):
    event = AuditEvent.objects.create(kind=AuditEvent.Kind.EXPORT, summary="x")
    event.summary = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_must_change_password_redirects_until_changed(client, district):
    user = district.user("town_a")
    user.must_change_password = True
    user.save()
    client.force_login(user)
    assert client.get("/orgs/")["Location"] == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Brand-New-9x", "new_password2": "Brand-New-9x"},
    )
    assert response.status_code == 302
    assert client.get("/orgs/").status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_CHANGED, username="town_a").exists()
