"""The example deployment files (deploy/) agree with the application and with systemd.

nginx's file is checked for the promises docs/operations.md makes (and run for real in test_nginx.py)
(TLS, appended X-Forwarded-For, upload limit, timeouts over gunicorn's); the systemd units are
checked by ``systemd-analyze`` when it is available, and every command they run must exist.
"""

from __future__ import annotations

import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import get_commands

from core.middleware import too_large_text

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX = (DEPLOY / "nginx" / "gonghui.conf").read_text()
UNITS = sorted((DEPLOY / "systemd").iterdir())
# Commands of apps built alongside this one; once the app is installed its command must exist.
COMMANDS_OF_APPS_TO_COME = {"pay_allowance": "assistance"}


def _size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit.lower()]


def _seconds(value: str) -> int:
    return int(value.rstrip("s"))


def test_nginx_keeps_the_promises():
    gunicorn = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert re.search(r"ssl_protocols TLSv1\.2 TLSv1\.3;", NGINX)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in NGINX
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in NGINX
    upload = _size(re.search(r"client_max_body_size (\S+);", NGINX).group(1))
    # one limit on a request body, nginx's and the application's (docs/operations.md, "Upload limits")
    assert upload == settings.GONGHUI_MAX_REQUEST_BYTES >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert too_large_text(upload) in NGINX  # nginx's 413 page says what the application says
    read_timeout = _seconds(re.search(r"proxy_read_timeout (\S+);", NGINX).group(1))
    assert read_timeout > gunicorn["timeout"]  # gunicorn answers (or kills the worker) first
    upstream = re.search(r"server (127\.0\.0\.1:\d+);", NGINX).group(1)
    assert gunicorn["bind"] == upstream
    assert "location /media/ { return 404; }" in NGINX  # uploads only through the scoped views
    assert "/healthz" in NGINX and "/readyz" in NGINX
    assert gunicorn["accesslog"] is None and "127.0.0.1" in gunicorn["forwarded_allow_ips"]


def test_every_unit_runs_a_command_that_exists():
    commands = get_commands()
    found = []
    for unit in UNITS:
        for match in re.finditer(r"manage\.py (\w+)", unit.read_text()):
            name = match.group(1)
            found.append(name)
            pending_app = COMMANDS_OF_APPS_TO_COME.get(name)
            if pending_app and not apps.is_installed(pending_app):
                continue
            assert name in commands, f"{unit.name} runs manage.py {name}, which does not exist"
    assert {"db_worker", "appeals_tick", "check", "backup", "pay_allowance"} <= set(found)
    timers = [u for u in UNITS if u.suffix == ".timer"]
    for timer in timers:
        service = re.search(r"^Unit=(\S+)$", timer.read_text(), re.M).group(1)
        assert (DEPLOY / "systemd" / service).exists(), timer.name


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    for timer in (u for u in UNITS if u.suffix == ".timer"):
        when = re.search(r"^OnCalendar=(.+)$", timer.read_text(), re.M).group(1)
        done = subprocess.run(["systemd-analyze", "calendar", when], capture_output=True, text=True, check=False)
        assert done.returncode == 0, (timer.name, done.stderr)
    # verify with this machine's paths in place of the server's (the interpreter must exist)
    python = shutil.which("python3")
    for unit in UNITS:
        text = unit.read_text()
        text = text.replace("/srv/gonghui/venv/bin/gunicorn", python).replace("/srv/gonghui/venv/bin/python", python)
        text = re.sub(r"^(User|Group)=.*$", r"\1=root", text, flags=re.M)
        text = re.sub(r"^EnvironmentFile=.*$", "", text, flags=re.M).replace("/srv/gonghui/app", str(tmp_path))
        (tmp_path / unit.name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    problems = [line for line in done.stderr.splitlines() if "gonghui" in line]
    assert problems == [], done.stderr
