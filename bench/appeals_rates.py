"""接诉即办-style rates (响应率/解决率/满意率/综合) for the whole district, per subtree.

Run: .venv/bin/python bench/appeals_rates.py [count]   (default 200,000 requests; DATABASE_URL for PostgreSQL)

Reference (issue 4): rates for the whole district over 200,000 requests in ≤ 300 ms per subtree,
with a query count that does not grow with the number of requests (compared with 2,000).
Rows are bulk-inserted with realistic flags (not through the services: this measures reading).
"""

from __future__ import annotations

import random
import sys
from datetime import timedelta

from _setup import django_setup, p95, timed

BACKEND = django_setup("appeals")

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from appeals.models import Appeal, Category  # noqa: E402
from appeals.selectors import subtree_rates  # noqa: E402
from core.models import User  # noqa: E402
from orgs import demo as orgs_demo  # noqa: E402
from orgs.models import Organisation  # noqa: E402

LIMIT_MS = 300.0


def grow_to(total: int, rng: random.Random) -> None:
    have = Appeal.objects.count()
    if have >= total:
        return
    unions = list(Organisation.objects.filter(kind__in=Organisation.GRASSROOTS_KINDS).values_list("pk", flat=True))
    towns = list(Organisation.objects.filter(kind__in=Organisation.SUB_FEDERATION_KINDS).values_list("pk", flat=True))
    cats = list(Category.objects.values_list("pk", flat=True))
    liaisons = list(User.objects.values_list("pk", flat=True))
    now = timezone.now()
    S, R = Appeal.State, Appeal.Rating
    batch: list[Appeal] = []
    for _ in range(total - have):
        at = now - timedelta(seconds=rng.randint(0, 365 * 86400))
        state = rng.choices(
            [S.CLOSED, S.FED_BACK, S.HANDLING, S.COORDINATING, S.CONTACTED, S.REGISTERED], [80, 5, 6, 3, 3, 3]
        )[0]
        invalid = state == S.CLOSED and rng.random() < 0.04
        rated = state == S.CLOSED and not invalid and rng.random() < 0.75
        batch.append(
            Appeal(
                organisation_id=rng.choice(unions),
                category_id=rng.choice(cats),
                channel="hotline",
                title="基准测试诉求",
                description="基准测试",
                reporter_name="测试",
                state=state,
                liaison_id=rng.choice(liaisons) if rng.random() < 0.85 else None,
                lead_handler_org_id=rng.choice(towns) if state != S.REGISTERED else None,
                registered_at=at,
                contact_deadline=at.date() + timedelta(days=1),
                handling_deadline=at.date() + timedelta(days=14),
                contacted_in_time=state != S.REGISTERED and rng.random() < 0.9,
                resolved=state in (S.CLOSED, S.FED_BACK) and not invalid and rng.random() < 0.88,
                rating=rng.choices([R.SATISFIED, R.BASIC, R.UNSATISFIED], [70, 20, 10])[0] if rated else "",
                reopen_count=1 if rng.random() < 0.06 else 0,
                overdue=rng.random() < 0.1,
                invalid=invalid,
                invalid_reason="重复" if invalid else "",
            )
        )
        if len(batch) == 5000:
            Appeal.objects.bulk_create(batch)
            batch = []
    if batch:
        Appeal.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def measure(user: User, org: Organisation, repeat: int) -> tuple[int, list[float], object]:
    fresh = User.objects.get(pk=user.pk)  # grants loaded inside the measured call, as on a page
    with CaptureQueriesContext(connection) as ctx:
        total, _ = subtree_rates(fresh, org)
    samples = timed(lambda: subtree_rates(User.objects.get(pk=user.pk), org), repeat)
    return len(ctx.captured_queries), samples, total


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rng = random.Random(12351)
    root = orgs_demo.build_tree()
    orgs_demo.build_accounts()
    admin = User.objects.get(username="admin")
    subtrees = [
        root,
        *Organisation.objects.filter(depth=2, kind__in=Organisation.SUB_FEDERATION_KINDS).order_by("path"),
    ]
    results = {}
    for size in (2_000, count):
        grow_to(size, rng)
        rows = []
        for org in subtrees:
            q, samples, total = measure(admin, org, repeat=5 if org is root else 3)
            rows.append((org, q, samples, total))
        results[size] = rows
    print(
        f"\n接诉即办 rates on {BACKEND}: {Appeal.objects.count():,} requests, {len(subtrees)} subtrees (district + every town/street/zone/sector)"
    )
    print(
        f"{'subtree':<22}{'requests':>10}{'queries@2k':>12}{'queries@N':>11}{'p95 ms':>9}{'limit':>8}  响应率  解决率  满意率  综合"
    )
    worst = 0.0
    same = True
    for (org, q_small, _, _), (_, q_big, samples, total) in zip(results[2_000], results[count], strict=True):
        ms = p95(samples)
        worst = max(worst, ms)
        same &= q_small == q_big
        print(
            f"{org.name[:10]:<22}{total.total:>10,}{q_small:>12}{q_big:>11}{ms:>9.1f}{LIMIT_MS:>8.0f}  "
            f"{total.response}%  {total.resolution}%  {total.satisfaction}%  {total.composite}"
        )
    print(
        f"\nslowest subtree p95: {worst:.1f} ms (reference ≤ {LIMIT_MS:.0f} ms) → {'OK' if worst <= LIMIT_MS else 'TOO SLOW'}"
    )
    print("query count equal at 2,000 and", f"{count:,}:", "yes" if same else "NO")
    return 0 if worst <= LIMIT_MS and same else 1


if __name__ == "__main__":
    raise SystemExit(main())
