"""Set everything up and run the whole test suite: lint, migrations check, then pytest on SQLite and,
when a PostgreSQL server is reachable (always in CI), on PostgreSQL at the same time (each run has its
own database and MEDIA_ROOT; its output is printed when it ends); browser tests run in Debian's
headless Chromium (/usr/bin/chromium), in the SQLite run, and so do the tests that touch no database.

Usage: python3 scripts/test.py [extra pytest arguments]
Environment: TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/gonghui) selects the
PostgreSQL server; CI=true makes a missing PostgreSQL or Chromium a failure instead of a note.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
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


def pytest_env(database_url: str | None, media: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "MEDIA_ROOT": str(media)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
        # The tests that touch no database (formulas, validators, crypto…) already run in the SQLite
        # run: conftest.py deselects them here, and pytest's summary counts them as deselected.
        env["GONGHUI_DATABASE_TESTS_ONLY"] = "1"
    return env


def pytest_runs(runs: list[tuple[str, str | None, list[str]]]) -> list[str]:
    """Run the pytest runs side by side (the SQLite and the PostgreSQL run share nothing: each has its
    own database and its own MEDIA_ROOT), each into its own log, printed whole when it ends; returns the
    labels of the runs that failed. pytest's exit code 5 (no test collected) is a failure."""
    work = Path(tempfile.mkdtemp(prefix="gonghui-test-"))
    started: list[tuple[str, subprocess.Popen, Path, float]] = []
    for i, (label, database_url, args) in enumerate(runs):
        log = work / f"run{i}.log"
        media = work / f"media{i}"
        media.mkdir()
        say(f"{label}: started (log {log})")
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(VENV_PYTHON), "-m", "pytest", "-q", *args],
                cwd=ROOT,
                env=pytest_env(database_url, media),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append((label, proc, log, time.monotonic()))
    failures: list[str] = []
    pending = list(started)
    while pending:
        time.sleep(5)
        for item in list(pending):
            label, proc, log, t0 = item
            rc = proc.poll()
            if rc is None:
                continue
            pending.remove(item)
            say(f"{label}: finished in {time.monotonic() - t0:.0f} s, exit code {rc}")
            sys.stdout.write(log.read_text(encoding="utf-8", errors="replace"))
            sys.stdout.flush()
            if rc == 5:
                print("pytest collected no tests: that is a failure", flush=True)
            if rc != 0:
                failures.append(label)
    return failures


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
    # The two databases' runs go side by side, one a core: together they take about as long as the
    # longer one alone.
    runs: list[tuple[str, str | None, list[str]]] = [("pytest on SQLite", None, extra)]
    if reachable(POSTGRES_URL):
        runs.insert(0, (f"pytest on PostgreSQL ({POSTGRES_URL})", POSTGRES_URL, [*extra, "-m", "not browser"]))
    elif IN_CI:
        print(f"PostgreSQL is not reachable at {POSTGRES_URL}: CI must test on it", flush=True)
        failures.append("PostgreSQL unreachable")
    else:
        say(f"NOTE: PostgreSQL not reachable at {POSTGRES_URL}; only SQLite was tested (CI tests both)")
    failures += pytest_runs(runs)
    if failures:
        say("FAILED: " + ", ".join(failures))
        return 1
    say("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
