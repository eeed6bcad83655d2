"""How long the demo's 2017 history takes to enter (issue 15, item 3), next to its reference.

Run: .venv/bin/python bench/demo_2017.py [members]   (default 3,000, the demo's roster; DATABASE_URL for PostgreSQL)

Builds the demo tree, accounts and roster (not timed), then times ``demo.year2017.build`` — every
record of the year through the services (about 1,700 people imported, 126 hardship files through
four steps, 14 cycles computed and approved, 11 relief and 46 scholarship applications, 101 event
reports reviewed) — and reads the report's figures back (``demo.report2017.measure``). Reference
(the brief): the 2017 part ≤ 30 s, because it runs at every first start of ``scripts/run.py``.
"""

from __future__ import annotations

import sys
import time

from _setup import django_setup

BACKEND = django_setup("demo2017")

from django.db import connection  # noqa: E402

from core.models import User  # noqa: E402
from demo import report2017, year2017  # noqa: E402
from members import demo as members_demo  # noqa: E402
from orgs import demo as orgs_demo  # noqa: E402

LIMIT_S = 30.0


def main() -> None:
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    district = orgs_demo.build_tree()
    orgs_demo.build_accounts()
    members_demo.build({"members": members})
    started = time.perf_counter()
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        line = year2017.build({})
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    figures = report2017.measure(User.objects.get(username="admin"), district)
    read_ms = (time.perf_counter() - started) * 1000
    held = all(f.holds(figures[f.key]) for f in report2017.FIGURES)
    print(f"Demo year 2017 on {BACKEND}, roster of {members:,} members")
    print(f"  {line}")
    print(f"  2017 history entered in {seconds:.1f} s ({queries[0]:,} queries); reference ≤ {LIMIT_S:.0f} s")
    print(f"  report figures read in {read_ms:.0f} ms; all {len(report2017.FIGURES)} as the report: {held}")
    print(f"  reference met: {'yes' if seconds <= LIMIT_S and held else 'NO'}")


if __name__ == "__main__":
    main()
