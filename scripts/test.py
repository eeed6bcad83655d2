"""Set everything up and run the whole test suite: lint, migrations check, then pytest on SQLite and,
when a PostgreSQL server is reachable (always in CI), again on PostgreSQL; browser tests run in
Debian's headless Chromium (/usr/bin/chromium).

Usage: python3 scripts/test.py [extra pytest arguments]
Environment: TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/gonghui) selects the
PostgreSQL server; CI=true makes a missing PostgreSQL or Chromium a failure instead of a note.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from urllib.parse import urlparse

from bootstrap import ROOT, VENV, VENV_PYTHON, bootstrap, say

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/gonghui")


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def step(label: str, cmd: list[str], env: dict[str, str] | None = None) -> int:
    say(label)
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def pytest_run(label: str, database_url: str | None, extra: list[str]) -> int:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    rc = step(label, [str(VENV_PYTHON), "-m", "pytest", "-q", *extra], env=env)
    if rc == 5:
        print("pytest collected no tests: that is a failure", flush=True)
        return 1
    return rc


def main() -> int:
    bootstrap(dev=True)
    extra = sys.argv[1:]
    failures: list[str] = []
    bin_dir = VENV / "bin"
    if step("ruff check", [str(bin_dir / "ruff"), "check", "."]) != 0:
        failures.append("ruff check")
    if step("ruff format --check", [str(bin_dir / "ruff"), "format", "--check", "--quiet", "."]) != 0:
        failures.append("ruff format")
    if step("migrations are complete", [str(VENV_PYTHON), "manage.py", "makemigrations", "--check", "--dry-run"]):
        failures.append("makemigrations --check")
    if pytest_run("pytest on SQLite", None, extra) != 0:
        failures.append("pytest on SQLite")
    if reachable(POSTGRES_URL):
        if pytest_run(f"pytest on PostgreSQL ({POSTGRES_URL})", POSTGRES_URL, [*extra, "-m", "not browser"]) != 0:
            failures.append("pytest on PostgreSQL")
    elif IN_CI:
        print(f"PostgreSQL is not reachable at {POSTGRES_URL}: CI must test on it", flush=True)
        failures.append("PostgreSQL unreachable")
    else:
        say(f"NOTE: PostgreSQL not reachable at {POSTGRES_URL}; only SQLite was tested (CI tests both)")
    if failures:
        say("FAILED: " + ", ".join(failures))
        return 1
    say("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
