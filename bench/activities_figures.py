"""Event figures (events held, by grassroots unions, participations, distinct persons) for the whole
district and each town/street, over 2,000 reviewed events and 200,000 participations.

Run: .venv/bin/python bench/activities_figures.py [participations]   (default 200,000; DATABASE_URL for PostgreSQL)

Reference (issue 13): the district's counts over 2,000 events and 200,000 participations in ≤ 300 ms
p95, with a query count that does not grow (compared with 20,000 participations over the same events).
Rows are bulk-inserted (not through the services: this measures reading).
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta

from _setup import django_setup, p95, timed

BACKEND = django_setup("activities")

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from activities.models import Activity, Registration  # noqa: E402
from activities.selectors import event_figures  # noqa: E402
from core.models import User  # noqa: E402
from members import fake  # noqa: E402
from members.models import Person  # noqa: E402
from members.services import id_index  # noqa: E402
from orgs import demo as orgs_demo  # noqa: E402
from orgs.models import Organisation  # noqa: E402

LIMIT_MS = 300.0
EVENTS = 2_000
PEOPLE = 40_000
START, END = date(2026, 1, 1), date(2026, 12, 31)


def build_events(rng: random.Random) -> list[int]:
    unions = list(Organisation.objects.filter(kind__in=Organisation.GRASSROOTS_KINDS).values_list("pk", flat=True))
    towns = list(
        Organisation.objects.filter(depth=2).exclude(kind__in=Organisation.PARTNER_KINDS).values_list("pk", flat=True)
    )
    rows = [
        Activity(
            organisation_id=rng.choice(unions if rng.random() < 0.8 else towns),
            title="基准测试活动",
            kind=rng.choice(Activity.Kind.values),
            held_on=START + timedelta(days=rng.randint(0, 364)),
            participants=rng.randint(20, 200),
            state=Activity.State.REVIEWED if rng.random() < 0.9 else Activity.State.REPORTED,
        )
        for _ in range(EVENTS)
    ]
    Activity.objects.bulk_create(rows, batch_size=1000)
    return list(Activity.objects.values_list("pk", flat=True))


def build_people() -> list[int]:
    batch = []
    for n in range(PEOPLE):
        number = fake.id_number(50_000 + n)
        batch.append(
            Person(
                name="测试", id_number=number, id_number_index=id_index(number), sex="M", birth_date=date(1980, 1, 1)
            )
        )
    Person.objects.bulk_create(batch, batch_size=2000)
    return list(Person.objects.values_list("pk", flat=True))


def grow_to(total: int, events: list[int], people: list[int], rng: random.Random) -> None:
    """Participations spread evenly over the events, distinct persons within each event."""
    target = total // len(events)
    taken: dict[int, set[int]] = {e: set() for e in events}
    for e, p in Registration.objects.values_list("activity_id", "person_id"):
        taken[e].add(p)
    batch: list[Registration] = []
    for e in events:
        fresh = [p for p in rng.sample(people, target * 2) if p not in taken[e]][: target - len(taken[e])]
        taken[e].update(fresh)
        batch += [
            Registration(activity_id=e, person_id=p, channel="import", attended=rng.random() < 0.93) for p in fresh
        ]
        if len(batch) >= 5000:
            Registration.objects.bulk_create(batch)
            batch = []
    if batch:
        Registration.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def measure(user: User, org: Organisation, repeat: int) -> tuple[int, list[float], object]:
    fresh = User.objects.get(pk=user.pk)  # grants loaded inside the measured call, as on a page
    with CaptureQueriesContext(connection) as ctx:
        figures = event_figures(fresh, root=org, start=START, end=END)
    samples = timed(lambda: event_figures(User.objects.get(pk=user.pk), root=org, start=START, end=END), repeat)
    return len(ctx.captured_queries), samples, figures


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rng = random.Random(1313)
    root = orgs_demo.build_tree()
    orgs_demo.build_accounts()
    admin = User.objects.get(username="admin")
    events, people = build_events(rng), build_people()
    subtrees = [
        root,
        *Organisation.objects.filter(depth=2, kind__in=Organisation.SUB_FEDERATION_KINDS).order_by("path")[:6],
    ]
    results = {}
    for size in (count // 10, count):
        grow_to(size, events, people, rng)
        results[size] = [(org, *measure(admin, org, repeat=20 if org is root else 5)) for org in subtrees]
    print(
        f"\n活动统计 on {BACKEND}: {Activity.objects.count():,} events, {Registration.objects.count():,} participations, "
        f"{len(people):,} persons"
    )
    print(
        f"{'subtree':<16}{'queries@small':>14}{'queries@N':>11}{'p95 ms':>9}{'limit':>8}   events  grassroots  participations  persons"
    )
    worst, same = 0.0, True
    for (org, q_small, _, _), (_, q_big, samples, f) in zip(results[count // 10], results[count], strict=True):
        ms = p95(samples)
        worst = max(worst, ms) if org is root else worst
        same &= q_small == q_big
        print(
            f"{org.name[:8]:<16}{q_small:>14}{q_big:>11}{ms:>9.1f}{LIMIT_MS:>8.0f}   {f.events:>6}  {f.grassroots_events:>10}"
            f"  {f.participations:>14,}  {f.persons:>7,}"
        )
    print(
        f"\nwhole district p95: {worst:.1f} ms (reference ≤ {LIMIT_MS:.0f} ms) → {'OK' if worst <= LIMIT_MS else 'TOO SLOW'}"
    )
    print(f"query count equal at {count // 10:,} and {count:,}:", "yes" if same else "NO")
    return 0 if worst <= LIMIT_MS and same else 1


if __name__ == "__main__":
    raise SystemExit(main())
