"""Member list and exact-ID search at 300 and 300,000 members (issue 3 goal: p95 ≤ 150 ms and the
same number of queries at both sizes).

Run:  .venv/bin/python bench/members_list.py [--sizes 300,300000] [--repeat 60]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_members_list .venv/bin/python bench/members_list.py

Each size gets its own database (SQLite files /tmp/gh_bench_list_<n>.sqlite3, or <name>_<n> on
PostgreSQL), filled once by the demo generator (``members.demo.build``; reused on later runs).
Requests go through Django's test client (full middleware, templates, scoping), signed in as the
district administrator (the widest scope: the whole registry) and as a town officer (仁和镇, a
subtree). Timings are wall-clock per request, after two warm-up requests.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _db_url(size: int) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        return f"{base}_{size}"
    return f"sqlite:////tmp/gh_bench_list_{size}.sqlite3"


def child(size: int, repeat: int) -> None:
    os.environ["DATABASE_URL"] = _db_url(size)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    os.environ.setdefault("GONGHUI_DATA_KEY", base64.b64encode(b"bench-key-32-bytes-long-exactly!").decode())
    os.environ["DEBUG"] = "0"
    if os.environ["DATABASE_URL"].startswith("postgres"):
        import psycopg

        url = os.environ["DATABASE_URL"]
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from core.models import User
    from members import demo
    from members.models import Membership
    from orgs import demo as orgs_demo

    call_command("migrate", verbosity=0)
    orgs_demo.build_tree()
    orgs_demo.build_accounts()
    have = Membership.objects.count()
    if have < size:
        t = time.perf_counter()
        demo.build({"members": size})
        print(f"# built {size} members in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup_test_environment()
    from members.selectors import visible_memberships

    results = {}
    for username in ("admin", "renhe"):
        user = User.objects.get(username=username)
        mine = visible_memberships(user).select_related("person").order_by("pk")
        sample = mine[mine.count() // 2]  # a member inside this user's scope
        exact_id = sample.person.id_number
        client = Client()
        client.force_login(user)
        for label, url in (("list", "/members/"), ("search exact ID", f"/members/?q={exact_id}")):
            for _ in range(2):
                client.get(url)
            times = []
            queries = 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as ctx:
                    t = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.status_code
                queries = len(ctx.captured_queries)
            times.sort()
            found = sample.member_no in response.content.decode() if "search" in label else None
            results[f"{username} {label}"] = {
                "p50": statistics.median(times),
                "p95": times[int(len(times) * 0.95) - 1],
                "queries": queries,
                "found": found,
            }
    print(json.dumps({"size": Membership.objects.count(), "vendor": connection.vendor, "results": results}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="300,300000")
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--child", type=int)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.repeat)
        return
    runs = []
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--repeat", str(args.repeat)],
            capture_output=True,
            text=True,
        )
        sys.stderr.write(out.stderr[-2000:] if out.returncode else "")
        if out.returncode:
            sys.exit(f"size {size} failed")
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"database: {runs[0]['vendor']}; {args.repeat} requests each; goal p95 ≤ 150 ms, same queries at every size")
    keys = list(runs[0]["results"])
    head = "".join(f"{r['size']:>10,} members: p50 / p95 ms, queries".rjust(44) for r in runs)
    print(f"{'page (user)':<28}{head}")
    ok = True
    for key in keys:
        cells = []
        for r in runs:
            x = r["results"][key]
            mark = " (not found!)" if x["found"] is False else ""
            cells.append(f"{x['p50']:8.1f} / {x['p95']:6.1f} ms, {x['queries']:2d} q{mark}".rjust(44))
            ok &= x["p95"] <= 150 and (x["found"] is not False)
        same = len({r["results"][key]["queries"] for r in runs}) == 1
        ok &= same
        print(f"{key:<28}{''.join(cells)}   {'same queries' if same else 'QUERIES DIFFER'}")
    print(f"\n  [{'ok' if ok else 'MISSED'}] p95 ≤ 150 ms and constant query count")


if __name__ == "__main__":
    main()
