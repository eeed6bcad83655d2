"""Member import benchmark (issue 3): a generated 100,000-member xlsx, imported three ways.

Run:  .venv/bin/python bench/members_import.py [--rows 100000] [--only ours,iie,floor]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_members_bench .venv/bin/python bench/members_import.py

- ``ours``:  members.importing end to end — read (python-calamine), normalise and validate every row
  (ID check digit, birth date, phone, union in scope, duplicates in file and registry), encrypt
  ID/phone/address, blind indexes, member numbers, one transaction with history rows.
- ``iie``:   django-import-export 4 (tablib/openpyxl) importing the same file into the same models:
  a ModelResource for Person keyed on the blind index (so re-import updates), the same derived
  fields (ID parsed with the same validator), and a Membership created after each person.
  Needs ``pip install django-import-export[xlsx]`` (bench-only dependency).
- ``floor``: python-calamine parsing the file plus a raw multi-row insert of the same rows (no
  validation, no encryption, no history): the least any import of this file can cost.

Each contender runs in its own process on an emptied registry, so peak memory (ru_maxrss, which
includes Python and Django, about 60-80 MB) is its own. Goals (issue 3, 2-core machine): ours
≤ 20 s, ≥ 10× faster than django-import-export, within 3× of the floor, peak < 1 GB.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "sqlite:////tmp/gh_bench_members.sqlite3"


def _env() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    os.environ.setdefault("GONGHUI_DATA_KEY", base64.b64encode(b"bench-key-32-bytes-long-exactly!").decode())
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DEBUG", "0")


def _setup() -> None:
    _env()
    import django

    django.setup()


def _ensure_pg_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _unions() -> list:
    from orgs.models import Organisation

    return list(
        Organisation.objects.filter(
            code__startswith="SY-", kind__in=Organisation.GRASSROOTS_KINDS, status=Organisation.Status.ACTIVE
        ).order_by("path")
    )


def generate(path: Path, rows: int) -> None:
    """A realistic file: template headers, every column filled, IDs/phones as text."""
    import random

    import xlsxwriter

    from members import fake
    from members.importing import COLUMNS
    from orgs.demo import GIVEN, SURNAMES

    rng = random.Random(3)
    codes = [o.code for o in _unions()]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("会员名单")
    ws.write_row(0, 0, [c.header + ("*" if c.required else "") for c in COLUMNS])
    edu = ["初中", "高中/中专/技校", "大专", "本科"]
    pol = ["群众", "中共党员", "共青团员"]
    for r in range(1, rows + 1):
        n = 1_000_000 + r
        joined = date(2010, 1, 1) + timedelta(days=rng.randint(0, 5000))
        values = {
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "id_number": fake.id_number(n),
            "org_code": rng.choice(codes),
            "joined_on": joined.isoformat(),
            "member_no": "",
            "mobile": fake.mobile(n),
            "phone": "",  # 联系电话 (landline) left empty: the same work as the figures measured before it existed
            "ethnicity": "汉族",
            "education": rng.choice(edu),
            "political_status": rng.choice(pol),
            "employer": "北京顺鑫物流有限公司",
            "post": "操作工",
            "skill_level": "无",
            "hukou_type": rng.choice(["城镇", "农村"]),
            "is_migrant_worker": rng.choice(["是", "否"]),
            "address": f"北京市顺义区仁和镇{rng.randint(1, 999)}号",
        }
        for c, col in enumerate(COLUMNS):
            v = values[col.key]
            if v:
                ws.write_string(r, c, v)
    wb.close()


def clear_registry() -> None:
    from django.db import connection

    from members.models import Honour, ImportJob, Membership, Person

    tables = [
        Honour.history.model,
        Honour,
        Membership.history.model,
        Person.history.model,
        ImportJob,
    ]
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        cursor.execute(f"UPDATE {Membership._meta.db_table} SET transferred_to_id = NULL")
        cursor.execute(f"DELETE FROM {Membership._meta.db_table}")
        cursor.execute(f"DELETE FROM {Person._meta.db_table}")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


# --- contenders (each runs in a child process) ---------------------------------------------------


def run_ours(path: str) -> int:
    from members.importing import commit_import, read_table

    plan = commit_import(read_table(path), actor=None)
    assert not plan.errors, plan.messages()[:5]
    return plan.counts["new"]


def run_floor(path: str) -> int:
    from django.db import transaction
    from python_calamine import CalamineWorkbook

    from members.bulk import allocate_ids, insert_rows
    from members.models import Membership, Person
    from orgs.models import Organisation

    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()[1:]
    org_ids = dict(Organisation.objects.values_list("code", "pk"))
    with transaction.atomic():
        ids = allocate_ids(Person, len(rows))
        insert_rows(
            Person,
            [
                "id",
                "name",
                "id_number",
                "id_number_index",
                "sex",
                "birth_date",
                "mobile",
                "mobile_index",
                "phone",
                "address",
                "ethnicity",
                "education",
                "political_status",
                "employer",
                "post",
                "skill_level",
                "hukou_type",
                "is_migrant_worker",
                "organisation_id",
                "created_at",
                "updated_at",
            ],
            (
                (
                    pk,
                    r[0],
                    r[1],
                    r[1],
                    "M",
                    f"{r[1][6:10]}-{r[1][10:12]}-{r[1][12:14]}",
                    r[5],
                    r[5],
                    r[6],
                    r[15],
                    r[7],
                    r[8],
                    r[9],
                    r[10],
                    r[11],
                    "",
                    r[13],
                    r[14] == "是",
                    org_ids[r[2]],
                    "2026-01-01",
                    "2026-01-01",
                )
                for pk, r in zip(ids, rows, strict=True)
            ),
        )
        mids = allocate_ids(Membership, len(rows))
        insert_rows(
            Membership,
            ["id", "person_id", "organisation_id", "member_no", "status", "joined_on", "end_reason"],
            (
                (mid, pk, org_ids[r[2]], f"F{pk}", "active", r[3], "")
                for mid, pk, r in zip(mids, ids, rows, strict=True)
            ),
        )
    return len(rows)


def run_iie(path: str) -> int:
    import tablib
    from import_export import fields, resources

    from core.validators import parse_id_number, validate_mobile
    from members.importing import COLUMNS
    from members.models import Membership, Person
    from members.services import id_index, mobile_index
    from orgs.models import Organisation

    header = {c.key: c.header + ("*" if c.required else "") for c in COLUMNS}
    labels = {
        "education": {label: v for v, label in Person.Education.choices},
        "political_status": {label: v for v, label in Person.Political.choices},
        "skill_level": {label: v for v, label in Person.SkillLevel.choices},
        "hukou_type": {label: v for v, label in Person.Hukou.choices},
    }
    orgs = {o.code: o for o in Organisation.objects.all()}
    counter = [0]

    class PersonResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name=header["name"])
        id_number = fields.Field(attribute="id_number", column_name=header["id_number"])
        id_number_index = fields.Field(attribute="id_number_index", column_name="id_number_index")
        sex = fields.Field(attribute="sex", column_name="sex")
        birth_date = fields.Field(attribute="birth_date", column_name="birth_date")
        mobile = fields.Field(attribute="mobile", column_name=header["mobile"])
        mobile_index = fields.Field(attribute="mobile_index", column_name="mobile_index")
        address = fields.Field(attribute="address", column_name=header["address"])
        ethnicity = fields.Field(attribute="ethnicity", column_name=header["ethnicity"])
        education = fields.Field(attribute="education", column_name=header["education"])
        political_status = fields.Field(attribute="political_status", column_name=header["political_status"])
        employer = fields.Field(attribute="employer", column_name=header["employer"])
        post = fields.Field(attribute="post", column_name=header["post"])
        skill_level = fields.Field(attribute="skill_level", column_name=header["skill_level"])
        hukou_type = fields.Field(attribute="hukou_type", column_name=header["hukou_type"])
        is_migrant_worker = fields.Field(attribute="is_migrant_worker", column_name=header["is_migrant_worker"])
        organisation = fields.Field(attribute="organisation_id", column_name="organisation_id")

        class Meta:
            model = Person
            import_id_fields = ("id_number_index",)
            fields = (
                "name", "id_number", "id_number_index", "sex", "birth_date", "mobile", "mobile_index", "address",
                "ethnicity", "education", "political_status", "employer", "post", "skill_level", "hukou_type",
                "is_migrant_worker", "organisation",
            )  # fmt: skip
            skip_unchanged = True

        def before_import_row(self, row, **kwargs):
            info = parse_id_number(row[header["id_number"]])
            row[header["id_number"]] = info.number
            row["id_number_index"] = id_index(info.number)
            row["sex"] = info.sex
            row["birth_date"] = info.birth_date
            phone = validate_mobile(row[header["mobile"]])
            row[header["mobile"]] = phone
            row["mobile_index"] = mobile_index(phone)
            for key, mapping in labels.items():
                row[header[key]] = mapping.get(row[header[key]] or "", "")
            row[header["is_migrant_worker"]] = row[header["is_migrant_worker"]] == "是"
            row["organisation_id"] = orgs[row[header["org_code"]]].pk

        def after_save_instance(self, instance, row, **kwargs):
            if kwargs.get("dry_run"):
                return
            if not Membership.objects.filter(person=instance, status="active").exists():
                counter[0] += 1
                org = orgs[row[header["org_code"]]]
                Membership.objects.create(
                    person=instance, organisation=org, member_no=f"{org.code}-I{counter[0]:06d}",
                    joined_on=row[header["joined_on"]],
                )  # fmt: skip

    with open(path, "rb") as fh:
        dataset = tablib.Dataset().load(fh.read(), format="xlsx")
    dataset.append_col([""] * len(dataset), header="id_number_index")
    for extra in ("sex", "birth_date", "mobile_index", "organisation_id"):
        dataset.append_col([""] * len(dataset), header=extra)
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    return result.totals.get("new", 0)


CONTENDERS = {"ours": run_ours, "iie": run_iie, "floor": run_floor}
LABELS = {
    "ours": "ours (members.importing)",
    "iie": "django-import-export 4.4",
    "floor": "floor: calamine + raw insert",
}


def child(name: str, path: str) -> None:
    _setup()
    start = time.perf_counter()
    count = CONTENDERS[name](path)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"name": name, "seconds": seconds, "rows": count, "peak_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--only", default="ours,iie,floor")
    parser.add_argument("--child", nargs=2, metavar=("NAME", "FILE"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    _env()
    url = os.environ["DATABASE_URL"]
    if url == DEFAULT_DB:
        Path(DEFAULT_DB.removeprefix("sqlite:///")).unlink(missing_ok=True)
    _ensure_pg_database(url)
    _setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from orgs.demo import build_tree

    build_tree()
    path = Path(f"/tmp/gh_bench_members_v2_{args.rows}.xlsx")  # v2: with the 联系电话 column
    if not path.exists():
        t = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
    print(f"database: {connection.vendor}; rows: {args.rows}; cores: {os.cpu_count()}")
    results = {}
    for name in args.only.split(","):
        clear_registry()
        connection.close()
        out = subprocess.run(
            [sys.executable, __file__, "--child", name, str(path)], capture_output=True, text=True, env=os.environ
        )
        if out.returncode != 0:
            print(f"{name} failed:\n{out.stderr[-3000:]}")
            continue
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[name]
        print(
            f"  {LABELS[name]:<32} {r['seconds']:8.1f} s  {r['rows'] / r['seconds']:9.0f} rows/s  peak {r['peak_mb']:6.0f} MB"
        )
    clear_registry()
    print()
    print(f"{'contender':<32} {'seconds':>8} {'rows/s':>9} {'peak MB':>8} {'× ours':>7}")
    ours = results.get("ours")
    for name, r in results.items():
        ratio = r["seconds"] / ours["seconds"] if ours else float("nan")
        print(
            f"{LABELS[name]:<32} {r['seconds']:8.1f} {r['rows'] / r['seconds']:9.0f} {r['peak_mb']:8.0f} {ratio:7.2f}"
        )
    if ours:
        print()
        checks = [("ours ≤ 20 s", ours["seconds"] <= 20), ("ours peak < 1 GB", ours["peak_mb"] < 1024)]
        if "iie" in results:
            checks.append(("≥ 10× faster than django-import-export", results["iie"]["seconds"] >= 10 * ours["seconds"]))
        if "floor" in results:
            checks.append(("within 3× of the floor", ours["seconds"] <= 3 * results["floor"]["seconds"]))
        for label, ok in checks:
            print(f"  [{'ok' if ok else 'MISSED'}] {label}")


if __name__ == "__main__":
    main()
