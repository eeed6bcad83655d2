"""Committing a plan: everything in one transaction, or nothing if any row has an error."""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from members.bulk import insert_records
from members.importing.columns import CHUNK, Progress, _no_progress
from members.importing.planning import Plan, RowPlan, plan_import
from members.importing.reading import Table
from members.models import Membership, Person
from members.services import member_number_batches
from orgs.models import Organisation


class ImportRefused(Exception):
    def __init__(self, plan: Plan) -> None:
        super().__init__(f"{plan.error_count} 行有错误，未导入任何数据")
        self.plan = plan


def _assign_numbers(rows: list[RowPlan], reserved: set[str]) -> None:
    """Member numbers for rows that have none, avoiding numbers given elsewhere in the file."""
    by_org: dict[int, list[RowPlan]] = {}
    orgs: dict[int, Organisation] = {}
    for row in rows:
        if not row.member_no:
            by_org.setdefault(row.org.pk, []).append(row)
            orgs[row.org.pk] = row.org
    extra = {pk: sum(1 for n in reserved if n.startswith(f"{orgs[pk].code}-")) for pk in by_org}
    numbers = member_number_batches({orgs[pk]: len(group) + extra[pk] for pk, group in by_org.items()})
    for pk, group in by_org.items():
        free = [n for n in numbers[pk] if n not in reserved]
        for row, number in zip(group, free, strict=False):
            row.member_no = number


@contextlib.contextmanager
def _big_sqlite_cache(mebibytes: int = 256):
    """SQLite's page cache is 2 MB by default: inserting 100,000 random blind-index keys into the
    unique index then rereads pages from disk all the time. Enlarge it for this connection while
    the import runs (PostgreSQL sizes its buffers itself)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{mebibytes * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def commit_import(table: Table, *, actor: Any, progress: Progress = _no_progress) -> Plan:
    """Plan against the current registry and write it all in one transaction; refuse on any error."""
    with _big_sqlite_cache(), transaction.atomic():
        plan = plan_import(table, actor=actor, progress=progress)
        if plan.errors:
            raise ImportRefused(plan)
        user = actor if getattr(actor, "is_authenticated", False) else None
        reason = "Excel 导入"
        now = timezone.now()
        progress(0.87, "写入新会员")
        reserved = {r.member_no for r in plan.new if r.member_no} | {
            r.member_no for r, _, _ in plan.rejoin if r.member_no
        }
        _assign_numbers([*plan.new, *(r for r, _, _ in plan.rejoin)], reserved)

        uid = user.pk if user is not None else None
        new_ids = insert_records(
            Person,
            [{**row.person_data, "organisation_id": row.org.pk} for row in plan.new],
            history_user_id=uid,
            history_reason=reason,
        )

        progress(0.93, "更新已有会员")
        changed_people: list[Person] = []
        person_fields: set[str] = set()
        for row, person, changes in plan.rejoin:
            for k, v in changes.items():
                setattr(person, k, v)
            person.organisation = row.org
            person_fields |= set(changes) | {"organisation"}
            changed_people.append(person)
        for _, person, changes, _, _ in plan.updates:
            if changes:
                for k, v in changes.items():
                    setattr(person, k, v)
                person_fields |= set(changes)
                changed_people.append(person)
        if changed_people:
            for person in changed_people:
                person.updated_at = now
            Person.objects.bulk_update(changed_people, sorted(person_fields | {"updated_at"}), batch_size=CHUNK)
            Person.history.bulk_history_create(
                changed_people,
                batch_size=CHUNK,
                update=True,
                default_user=user,
                default_change_reason=reason,
                default_date=now,
            )
        changed_memberships: list[Membership] = []
        membership_fields: set[str] = set()
        for _, _, _, membership, changes in plan.updates:
            if changes:
                for k, v in changes.items():
                    setattr(membership, k, v)
                membership_fields |= set(changes)
                changed_memberships.append(membership)
        if changed_memberships:
            Membership.objects.bulk_update(changed_memberships, sorted(membership_fields), batch_size=CHUNK)
            Membership.history.bulk_history_create(
                changed_memberships,
                batch_size=CHUNK,
                update=True,
                default_user=user,
                default_change_reason=reason,
                default_date=now,
            )

        progress(0.96, "写入会籍")
        records = [
            {"person_id": pid, "organisation_id": row.org.pk, "member_no": row.member_no, "joined_on": row.joined_on}
            for row, pid in [*zip(plan.new, new_ids, strict=True), *((r, p.pk) for r, p, _ in plan.rejoin)]
        ]
        insert_records(Membership, records, history_user_id=uid, history_reason=reason)
    progress(1.0, "导入完成")
    return plan
