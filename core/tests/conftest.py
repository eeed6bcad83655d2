"""Fixtures of the production-server tests: one ``collectstatic`` per test run (it compresses every
file, about 50 s of CPU), and gunicorn under the production profile on this test's PostgreSQL database."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from core.tests.production import ROOT, Browser, database_url, free_port, server_env


def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the production server tests run in the PostgreSQL pass (DATABASE_URL=postgres://…)")


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    _postgres_only()  # before the costly collectstatic: on SQLite every user of it is skipped
    root = tmp_path_factory.mktemp("staticfiles")
    env = server_env(root, "sqlite:////nonexistent/unused.sqlite3")
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def gunicorn(static_root, district, settings):
    _postgres_only()
    port = free_port()
    log = static_root.parent / "gunicorn.log"
    with log.open("w") as err:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gonghui.wsgi",
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env=server_env(static_root, database_url()),
            stdout=err,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if Browser(port).request("GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer in 30 s:\n" + log.read_text()
            time.sleep(0.3)
        yield port, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
