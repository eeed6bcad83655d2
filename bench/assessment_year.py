"""The year's assessment of every grassroots union of a 20,000-organisation district (issue 14: ≤ 60 s).

20,000 enterprise unions under 25 towns, each with members (three, one joined in the year), a reviewed
activity report, dues records of two years and two reviewers' manual scores; a quarter of them with a worker's
request. The grassroots indicator set has every automatic indicator that applies (members organised
and growth, activities, the three request rates, dues and their growth, start-up grants used) and one
manual indicator. Timed: computing version 1 (every indicator, set-based), reviewing and publishing it,
and recomputing version 2 after a data change (with the differences listed).
Run: .venv/bin/python bench/assessment_year.py [N]  — runs SQLite (a scratch file) and PostgreSQL
(ASSESSMENT_BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/gh_assessment_bench; created if
missing and emptied) each in its own process and prints their figures side by side with the
reference. With DATABASE_URL set it runs that one database only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
LIMIT_S = 60.0  # compute + review + publish the year, any database (issue 14)


def run_both() -> None:
    pg_url = os.environ.get("ASSESSMENT_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/gh_assessment_bench")
    sqlite_url = f"sqlite:////tmp/gonghui-bench-assessment-{os.getpid()}.sqlite3"
    results = {}
    for name, url in (("SQLite", sqlite_url), ("PostgreSQL", pg_url)):
        env = {**os.environ, "DATABASE_URL": url, "ASSESSMENT_BENCH_JSON": "1"}
        proc = subprocess.run([sys.executable, __file__, str(N)], env=env, capture_output=True, text=True, check=False)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        results[name] = json.loads(lines[-1].removeprefix("RESULT ")) if lines else None
        if not lines:
            print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
    print(f"assessment of {N:,} grassroots unions for one year (seconds)")
    print(f"{'':28}{'SQLite':>10}{'PostgreSQL':>12}   reference")
    rows = (
        ("compute version 1", "compute", ""),
        ("review + publish", "publish", ""),
        ("year's assessment (total)", "total", f"≤ {LIMIT_S:.0f} s"),
        ("recompute version 2 + diff", "recompute", ""),
    )
    for label, key, ref in rows:
        cells = [f"{r[key]:.2f}" if r else "failed" for r in (results["SQLite"], results["PostgreSQL"])]
        print(f"{label:28}{cells[0]:>10}{cells[1]:>12}   {ref}")
    ok = all(r and r["total"] <= LIMIT_S for r in results.values())
    print("reference met" if ok else "reference NOT met")


if __name__ == "__main__" and "DATABASE_URL" not in os.environ:
    run_both()
    sys.exit(0)

from _setup import django_setup, tree_step  # noqa: E402

BACKEND = django_setup("assessment_year")

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from activities.models import Activity  # noqa: E402
from appeals.models import Appeal, Category  # noqa: E402
from assessment import services  # noqa: E402
from assessment.models import AssesseeKind, ManualScore  # noqa: E402
from assessment.testing import DEFAULT_BANDS  # noqa: E402
from core.models import User  # noqa: E402
from members.models import Membership, Person  # noqa: E402
from orgs.models import Organisation  # noqa: E402
from orgs.roles import Role  # noqa: E402
from orgs.services import organisation_create_root, role_grant  # noqa: E402
from programmes.models import DuesImport, DuesRecord  # noqa: E402

TOWNS = 25
K = Organisation.Kind
Spec = services.IndicatorSpec
INDICATORS = [
    Spec("组织会员人数", "10", "auto", "members_organised", floor="0", target="5"),
    Spec("会员增长率", "10", "auto", "members_growth", floor="0", target="20"),
    Spec("开展活动次数", "10", "auto", "activities_held", floor="0", target="4"),
    Spec("诉求响应率", "10", "auto", "appeals_response"),
    Spec("诉求解决率", "10", "auto", "appeals_resolution"),
    Spec("诉求满意率", "10", "auto", "appeals_satisfaction"),
    Spec("工会经费缴纳额", "10", "auto", "dues_paid", floor="0", target="5000"),
    Spec("工会经费增长率", "10", "auto", "dues_growth", floor="0", target="10"),
    Spec("启动经费使用报告率", "5", "auto", "startup_grants_used"),
    Spec("规范化建设", "15"),
]


def build() -> tuple[Organisation, list[User], list[int]]:
    root = organisation_create_root(name="基准区总工会", code="B")
    towns = [
        Organisation(
            path=root.path + tree_step(i + 1),
            depth=2,
            numchild=N // TOWNS,
            code=f"B-{i + 1}",
            name=f"第{i + 1}镇总工会",
            kind=K.TOWN,
        )
        for i in range(TOWNS)
    ]
    Organisation.objects.bulk_create(towns)
    Organisation.objects.filter(pk=root.pk).update(numchild=TOWNS)
    Organisation.objects.bulk_create(
        (
            Organisation(
                path=towns[i % TOWNS].path + tree_step(i // TOWNS + 1),
                depth=3,
                numchild=0,
                code=f"B-U{i}",
                name=f"第{i}企业工会",
                kind=K.ENTERPRISE,
                founded_on=date(2015, 1, 1),
                credit_code=f"B{i:017d}",
            )
            for i in range(N)
        ),
        batch_size=5000,
    )
    unions = list(Organisation.objects.filter(depth=3).order_by("pk").values_list("pk", flat=True))
    people = [
        Person(
            name=f"会员{i}", id_number="", id_number_index=f"bench-{i}", sex="M", birth_date=date(1990, 1, 1),
            organisation_id=unions[i % N],
        )
        for i in range(3 * N)
    ]  # fmt: skip
    Person.objects.bulk_create(people, batch_size=5000)
    Membership.objects.bulk_create(
        (
            Membership(
                person_id=p.pk,
                organisation_id=p.organisation_id,
                member_no=f"BM{p.pk}",
                joined_on=date(2026, 3, 1) if i >= 2 * N else date(2020, 1, 1),
            )
            for i, p in enumerate(people)
        ),
        batch_size=5000,
    )
    reported = timezone.make_aware(datetime(2026, 8, 1))
    Activity.objects.bulk_create(
        (
            Activity(
                organisation_id=pk,
                title="健步走",
                held_on=date(2026, 7, 1 + i % 28),
                participants=20,
                reported_at=reported,
                state=Activity.State.REVIEWED,  # only reviewed reports count (activities_held)
            )
            for i, pk in enumerate(unions)
        ),
        batch_size=5000,
    )
    category = Category.objects.order_by("pk").first()
    registered = timezone.make_aware(datetime(2026, 5, 1, 9))
    Appeal.objects.bulk_create(
        (
            Appeal(
                organisation_id=pk,
                channel=Appeal.Channel.HOTLINE,
                category=category,
                title="工资拖欠",
                description="请工会协调",
                registered_at=registered,
                contact_deadline=date(2026, 5, 3),
                handling_deadline=date(2026, 5, 20),
                contacted_in_time=i % 3 != 0,
                resolved=i % 2 == 0,
                rating=Appeal.Rating.SATISFIED if i % 2 == 0 else "",
            )
            for i, pk in enumerate(unions[::4])
        ),
        batch_size=5000,
    )
    batch = DuesImport.objects.create(
        year=2026, filename="bench.csv", rows=2 * N, matched=2 * N, unmatched=0, organisation=root
    )
    DuesRecord.objects.bulk_create(
        (
            DuesRecord(
                credit_code=f"B{i:017d}",
                name=f"第{i}企业",
                year=year,
                payroll_base=Decimal("200000"),
                dues_paid=Decimal(4000 + (i % 7) * 100 + (year - 2025) * 200),
                organisation_id=pk,
                batch=batch,
            )
            for i, pk in enumerate(unions)
            for year in (2025, 2026)
        ),
        batch_size=5000,
    )
    users = [User.objects.create(username=name) for name in ("zuzhi", "zuzhi2", "shenji")]
    for user in users:
        role_grant(actor=None, user=user, role=Role.ORG_DEPT, organisation=root)
    return root, users, unions


def main() -> None:
    t = time.perf_counter()
    root, (computer, checker, second), unions = build()
    indicator_set = services.indicator_set_create(
        actor=computer,
        organisation=root,
        year=2026,
        assessee_kind=AssesseeKind.GRASSROOTS,
        name="2026 年度基层工会绩效考核",
        indicators=INDICATORS,
        grade_bands=DEFAULT_BANDS,
        reviewers=[computer, second],
    )
    manual = indicator_set.indicators.get(source="manual")
    ManualScore.objects.bulk_create(
        (
            ManualScore(
                indicator=manual,
                organisation_id=pk,
                reviewer=reviewer,
                score=Decimal(70 + (i + r) % 30),
                evidence="台账",
            )
            for i, pk in enumerate(unions)
            for r, reviewer in enumerate((computer, second))
        ),
        batch_size=5000,
    )
    setup_s = time.perf_counter() - t
    t0 = time.perf_counter()
    v1 = services.assessment_compute(actor=computer, indicator_set=indicator_set)
    t1 = time.perf_counter()
    services.assessment_review(actor=checker, assessment=v1)
    v1 = services.assessment_publish(actor=checker, assessment=v1)
    t2 = time.perf_counter()
    # a data change after publication: every tenth union reports one more activity
    reported = timezone.make_aware(datetime(2026, 11, 2))
    Activity.objects.bulk_create(
        (
            Activity(
                organisation_id=pk,
                title="补报",
                held_on=date(2026, 11, 1) + timedelta(days=0),
                participants=5,
                reported_at=reported,
                state=Activity.State.REVIEWED,
            )
            for pk in unions[::10]
        ),
        batch_size=5000,
    )
    t3 = time.perf_counter()
    v2 = services.assessment_compute(actor=computer, indicator_set=indicator_set, note="补报活动")
    t4 = time.perf_counter()
    assert v1.assessees == N and v2.assessees == N, (v1.assessees, v2.assessees)
    assert len(v2.differences) == len(unions[::10]), len(v2.differences)
    compute_s, publish_s, recompute_s = t1 - t0, t2 - t1, t4 - t3
    total = compute_s + publish_s
    top = v1.results.order_by("rank").first()
    print(
        f"assessment on {connection.vendor}: {N:,} grassroots unions, {len(INDICATORS)} indicators (setup {setup_s:.1f} s, not counted)"
    )
    print(f"  compute version 1      {compute_s:6.2f} s")
    print(f"  review + publish       {publish_s:6.2f} s")
    print(
        f"  total                  {total:6.2f} s   reference ≤ {LIMIT_S:.0f} s  {'OK' if total <= LIMIT_S else 'TOO SLOW'}"
    )
    print(f"  recompute version 2    {recompute_s:6.2f} s   ({len(v2.differences):,} results differ)")
    print(f"  top: {top.organisation.name} {top.total} ({top.grade})")
    if os.environ.get("ASSESSMENT_BENCH_JSON"):
        print(
            "RESULT "
            + json.dumps({"compute": compute_s, "publish": publish_s, "total": total, "recompute": recompute_s})
        )


if __name__ == "__main__":
    main()
