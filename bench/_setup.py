"""Shared start-up for the benchmarks: Django against a scratch database (SQLite file by default,
or DATABASE_URL), migrated, with a generated key; and small timing helpers."""

from __future__ import annotations

import base64
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup(name: str) -> str:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", f"sqlite:////tmp/gonghui-bench-{name}.sqlite3")
    os.environ.setdefault("GONGHUI_DATA_KEY", base64.b64encode(b"gonghui-bench-key-32-bytes-long!").decode())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    os.environ["DEBUG"] = "false"
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        _create_postgres_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    if not url.startswith("sqlite"):
        from django.db import connection

        with connection.cursor() as cur:  # a clean slate on PostgreSQL too
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    return url.split(":", 1)[0]


def _create_postgres_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = url[: url.rfind("/")] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]


def run_each_database(script: str, args: list[str], databases: dict[str, str]) -> dict[str, dict | None]:
    """Run ``script`` once per database (name → DATABASE_URL), each in its own process with
    ``BENCH_JSON=1``; return each run's last ``RESULT {json}`` line (None, with its output printed,
    when it failed)."""
    import json
    import subprocess

    results: dict[str, dict | None] = {}
    for name, url in databases.items():
        env = {**os.environ, "DATABASE_URL": url, "BENCH_JSON": "1"}
        proc = subprocess.run([sys.executable, script, *args], env=env, capture_output=True, text=True, check=False)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        results[name] = json.loads(lines[-1].removeprefix("RESULT ")) if lines else None
        if not lines:
            print(f"{name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return results


def tree_step(n: int) -> str:
    """The ``n``-th step of a treebeard path (for trees bulk-built without ``add_child``)."""
    from orgs.models import Organisation

    step = ""
    for _ in range(Organisation.steplen):
        n, r = divmod(n, len(Organisation.alphabet))
        step = Organisation.alphabet[r] + step
    return step
