"""Tree browser and organisation list at 200 and at 20,000 organisations, side by side.

Prints, per page, the SQL queries per request (must be equal at both sizes) and the p50/p95 page
time at each size. Run: .venv/bin/python bench/orgs_tree.py  (DATABASE_URL=postgres://... for PostgreSQL)
"""

from __future__ import annotations

import statistics
import sys

from _setup import django_setup, p95, timed

BACKEND = django_setup("orgs")

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from core.models import User  # noqa: E402
from orgs.models import Organisation  # noqa: E402
from orgs.roles import Role  # noqa: E402
from orgs.services import organisation_create_root, role_grant  # noqa: E402

K = Organisation.Kind
ALPHA = Organisation.alphabet


def key(n: int) -> str:
    s = ""
    for _ in range(Organisation.steplen):
        n, r = divmod(n, len(ALPHA))
        s = ALPHA[r] + s
    return s


def grow_to(total: int, towns: int) -> None:
    """Add organisations with computed materialised paths (bulk), keeping numchild consistent."""
    root = Organisation.objects.get(depth=1)
    have = Organisation.objects.count()
    if have == 1:
        Organisation.objects.bulk_create(
            Organisation(
                path=root.path + key(i + 1),
                depth=2,
                numchild=0,
                code=f"B-{i + 1}",
                name=f"第{i + 1}镇总工会",
                kind=K.TOWN,
            )
            for i in range(towns)
        )
        have += towns
    town_rows = list(Organisation.objects.filter(depth=2).order_by("path"))
    per_town = {t.path: t.numchild for t in town_rows}
    batch = []
    i = have
    while have < total:
        town = town_rows[i % len(town_rows)]
        per_town[town.path] += 1
        n = per_town[town.path]
        batch.append(
            Organisation(
                path=town.path + key(n),
                depth=3,
                numchild=0,
                code=f"B-{town.code}-{n}",
                name=f"企业{i}有限公司工会",
                kind=K.ENTERPRISE,
                economic_type="non_public",
            )
        )
        have += 1
        i += 1
        if len(batch) == 5000:
            Organisation.objects.bulk_create(batch)
            batch = []
    Organisation.objects.bulk_create(batch)
    for path, n in per_town.items():
        Organisation.objects.filter(path=path).update(numchild=n)
    Organisation.objects.filter(depth=1).update(numchild=len(town_rows))


def measure(client: Client, url: str, repeat: int) -> tuple[int, list[float]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), timed(lambda: client.get(url), repeat)


def main() -> int:
    root = organisation_create_root(name="基准区总工会", code="B")
    admin = User.objects.create_user("bench-admin", password="Bench-Pass-1")
    officer = User.objects.create_user("bench-town", password="Bench-Pass-1")
    role_grant(actor=None, user=admin, role=Role.DISTRICT_ADMIN, organisation=root)
    grow_to(200, towns=20)
    town = Organisation.objects.filter(depth=2).order_by("path").first()
    role_grant(actor=None, user=officer, role=Role.SUB_OFFICER, organisation=town)
    pages = {
        "tree (district admin)": ("admin", "/orgs/"),
        "tree: expand a town": ("admin", f"/orgs/{town.code}/children/"),
        "tree (town officer)": ("town", "/orgs/"),
        "org list, page 1": ("admin", "/orgs/list/"),
        "org list, page 5, filtered": ("admin", "/orgs/list/?kind=enterprise&q=公司&page=5"),
        "org list (town officer)": ("town", "/orgs/list/"),
        "API org list": ("admin", "/api/v1/orgs/"),
    }
    clients = {"admin": Client(), "town": Client()}
    clients["admin"].force_login(admin)
    clients["town"].force_login(officer)
    results: dict[str, dict[int, tuple[int, list[float]]]] = {name: {} for name in pages}
    for size in (200, 20_000):
        grow_to(size, towns=20)
        for name, (who, url) in pages.items():
            clients[who].get(url)  # warm up
            results[name][size] = measure(clients[who], url, repeat=30)
    print(f"\nOrganisation pages on {BACKEND}: {Organisation.objects.count():,} organisations at the end")
    print(
        f"{'page':<30}{'queries@200':>12}{'queries@20k':>12}{'p50@200':>10}{'p95@200':>10}{'p50@20k':>10}{'p95@20k':>10}"
    )
    ok = True
    for name, by_size in results.items():
        q1, t1 = by_size[200]
        q2, t2 = by_size[20_000]
        ok &= q1 == q2
        print(
            f"{name:<30}{q1:>12}{q2:>12}{statistics.median(t1):>9.1f}ms{p95(t1):>8.1f}ms{statistics.median(t2):>8.1f}ms{p95(t2):>8.1f}ms"
        )
    print("queries per page equal at both sizes:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
