"""The monthly living allowance for 20,000 active hardship files, computed and posted (issue 12: ≤ 10 s
on SQLite and on PostgreSQL each).

20,000 files approved on 2026-01-10 across 200 unions; the February cycle was never run, so March's
cycle pays each file two months — February as a named arrears line and March — i.e. 40,000
person-months: the plug-in's eligibility (three queries), 20,000 entitlements, then approval posts
20,000 balanced entries (40,000 lines), 20,000 payments and 40,000 ``AllowanceMonth`` claims.
A second run of the month (``allowance_month_run``) then shows nothing paid twice.
Run: .venv/bin/python bench/assistance_allowance.py [N]  — runs SQLite (a scratch file) and PostgreSQL
(ALLOWANCE_BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/gh_assistance_bench; created if
missing and emptied) each in its own process and prints their figures side by side with the reference.
With DATABASE_URL set it runs that one database only.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
LIMIT_S = 10.0  # compute + approve and post, each database (issue 12)


def run_both() -> None:
    from _setup import run_each_database

    results = run_each_database(
        __file__,
        [str(N)],
        {
            "SQLite": f"sqlite:////tmp/gonghui-bench-assistance_allowance-{os.getpid()}.sqlite3",
            "PostgreSQL": os.environ.get(
                "ALLOWANCE_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/gh_assistance_bench"
            ),
        },
    )
    sqlite, pg = results["SQLite"], results["PostgreSQL"]
    print(f"monthly living allowance, {N:,} active files, one month + one arrears month each (seconds)")
    print(f"{'':24}{'SQLite':>10}{'PostgreSQL':>12}   reference")
    for label, key in (("compute entitlements", "compute"), ("approve + post ledger", "post"), ("total", "total")):
        cells = [f"{r[key]:.2f}" if r else "failed" for r in (sqlite, pg)]
        ref = f"≤ {LIMIT_S:.0f} s each" if key == "total" else ""
        print(f"{label:24}{cells[0]:>10}{cells[1]:>12}   {ref}")
    print("reference met" if all(r and r["total"] <= LIMIT_S for r in (sqlite, pg)) else "reference NOT met")


if __name__ == "__main__" and "DATABASE_URL" not in os.environ:
    run_both()
    sys.exit(0)

from _setup import django_setup  # noqa: E402

BACKEND = django_setup("assistance_allowance")

from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402

from assistance.models import AllowanceMonth, HardshipFile, Verification  # noqa: E402
from assistance.services.allowance import allowance_month_run, allowance_programme_ensure  # noqa: E402
from core.models import User  # noqa: E402
from core.system import system_actor  # noqa: E402
from funds import selectors, services  # noqa: E402
from funds.models import Cycle, JournalLine, Payment  # noqa: E402
from members.models import Person  # noqa: E402
from orgs.models import Organisation  # noqa: E402
from orgs.roles import Role  # noqa: E402
from orgs.services import organisation_create, organisation_create_root, role_grant  # noqa: E402

UNIONS = 200
APPROVED = date(2026, 1, 10)


def build() -> tuple[Organisation, User, User]:
    root = organisation_create_root(name="基准区总工会", code="B")
    town = organisation_create(actor=None, parent=root, code="B-1", name="基准镇总工会", kind=Organisation.Kind.TOWN)
    unions = [
        organisation_create(
            actor=None, parent=town, code=f"B-1-{i}", name=f"第{i}村工会联合会", kind=Organisation.Kind.VILLAGE_JOINT
        )
        for i in range(UNIONS)
    ]
    people = [
        Person(
            name=f"困难职工{i}",
            id_number="",
            id_number_index=f"bench-{i}",
            sex="M",
            birth_date=date(1980, 1, 1),
            organisation_id=unions[i % UNIONS].pk,
        )
        for i in range(N)
    ]
    Person.objects.bulk_create(people, batch_size=5000)
    files = HardshipFile.objects.bulk_create(
        (
            HardshipFile(
                file_no=f"B{i:07d}",
                person_id=p.pk,
                organisation_id=p.organisation_id,
                state=HardshipFile.State.ACTIVE,
                category=HardshipFile.Category.DEEP,
                main_cause="illness",
                housing=HardshipFile.Housing.OWNED,
                applied_on=date(2025, 12, 1),
                approved_on=APPROVED,
            )
            for i, p in enumerate(people)
        ),
        batch_size=5000,
    )
    Verification.objects.bulk_create(
        (
            Verification(file_id=f.pk, kind=Verification.Kind.INITIAL, done_on=APPROVED, valid_until=date(2027, 1, 9))
            for f in files
        ),
        batch_size=5000,
    )
    preparer = User.objects.create(username="caiwu")
    approver = User.objects.create(username="caiwu2")
    for user in (preparer, approver):
        role_grant(actor=None, user=user, role=Role.FINANCE, organisation=root)
    return root, preparer, approver


def main() -> None:
    t = time.perf_counter()
    root, preparer, approver = build()
    setup_s = time.perf_counter() - t
    accounts = services.standard_accounts_ensure(district=root)
    services.allocation_register(
        actor=system_actor(), fund=accounts["3104"], amount="100000000", on=date(2026, 1, 5), note="预算"
    )
    programme = allowance_programme_ensure(actor=system_actor(), organisation=root, effective_from=date(2026, 1, 1))
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        t0 = time.perf_counter()
        cycle = services.cycle_create(actor=preparer, programme=programme, period_key="2026-03")
        t1 = time.perf_counter()
    assert cycle.state == Cycle.State.COMPUTED, cycle.error
    services.cycle_review(actor=preparer, cycle=cycle)
    t2 = time.perf_counter()
    cycle = services.cycle_approve(actor=approver, cycle=cycle, on=date(2026, 3, 20))
    t3 = time.perf_counter()
    assert cycle.state == Cycle.State.PAID
    payments = Payment.objects.count()
    months = AllowanceMonth.objects.count()
    debit, credit = selectors.ledger_totals()
    assert payments == N and months == 2 * N and debit == credit, (payments, months, debit, credit)
    again = allowance_month_run(actor=system_actor(), month="2026-03", recompute=True)
    assert Payment.objects.count() == payments and again.cycle.state == Cycle.State.PAID
    compute_s, post_s = t1 - t0, t3 - t2
    total = compute_s + post_s
    print(f"allowance on {connection.vendor}: {N:,} files (setup {setup_s:.1f} s, not counted)")
    print(f"  compute entitlements   {compute_s:6.2f} s")
    print(
        f"  approve + post ledger  {post_s:6.2f} s   ({payments:,} payments, {JournalLine.objects.count():,} lines, "
        f"{months:,} months claimed)"
    )
    print(
        f"  total                  {total:6.2f} s   reference ≤ {LIMIT_S:.0f} s  {'OK' if total <= LIMIT_S else 'TOO SLOW'}"
    )
    print(f"  cycle total {cycle.total:,} 元; ledger debits = credits = {debit:,} 元; second run: {again.lines()[1]}")
    if os.environ.get("BENCH_JSON"):
        print("RESULT " + json.dumps({"compute": compute_s, "post": post_s, "total": total}))


if __name__ == "__main__":
    main()
