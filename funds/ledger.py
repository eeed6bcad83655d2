"""The ledger's one door: the only code that writes journal entries, their lines and payments.

``entries_post`` takes any number of drafts and enforces, once over all of them and before anything
is written, every rule of the ledger: a non-empty description; at least two lines, each with exactly
one positive side; debits equal credits to the fen; a payment, where there is one, of exactly the
entry's amount; an open accounting period for every date (the periods are locked for the posting, so
a period cannot close half-way through). Only new rows are written: entries are immutable (the models
refuse ``save`` of a stored row, ``update`` and ``delete``), and a correction is a reversal, at most
one per entry (a database constraint).

Speed: on PostgreSQL the rows go in with ``COPY`` (ids taken from the sequence up front), on SQLite
with ``executemany`` of prepared tuples; the database still checks every constraint (one side per
line, positive amounts, one payment per beneficiary and period, foreign keys). PostgreSQL checks a
foreign key with one trigger call per row and key (about 13 per payment, most of the time of a
50,000-payment cycle); for a large batch, when the database role may set ``session_replication_role``
(a superuser, or ``GRANT SET ON PARAMETER session_replication_role`` on PostgreSQL 15+), those
per-row triggers are switched off for the COPY alone and every foreign key of the new rows is
checked once, set-based, locking the referenced rows as the triggers would (``_foreign_keys_check``). ``funds.services``
``entry_post`` is a one-entry call of this; a test makes sure nothing else inserts these rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.money import FEN, format_yuan, from_fen, to_fen
from funds.models import ZERO, JournalEntry, JournalLine, Payment, Period

COPY_CHUNK = 5000  # executemany batch on SQLite
SET_BASED_FK_FROM = 200  # entries in one batch from which PostgreSQL checks foreign keys set-based


@dataclass(frozen=True)
class Line:
    account: Any  # an Account (or anything with a pk)
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    memo: str = ""


@dataclass(frozen=True)
class PaymentDraft:
    """The payment an entry makes to one beneficiary of a programme cycle (amount = the entry's)."""

    programme_id: int
    period_key: str
    beneficiary_key: str
    beneficiary_name: str
    cycle_id: int
    entitlement_id: int
    beneficiary_org_id: int | None = None
    beneficiary_person_id: int | None = None


@dataclass(frozen=True)
class EntryDraft:
    date: date
    description: str
    lines: Sequence[Line]
    organisation_id: int
    prepared_by_id: int | None = None
    approved_by_id: int | None = None
    rule: str = ""
    source: str = ""
    reversal_of_id: int | None = None
    payment: PaymentDraft | None = None
    amount: Decimal = field(default=ZERO, compare=False)  # filled by the checks


def lines_check(lines: Sequence[Line], *, where: str = "") -> Decimal:
    """The balance rule, in one place: returns the entry's total (its debits = its credits)."""
    total, _ = _lines_fen(lines, where=where)
    return Decimal(total).scaleb(-2).quantize(FEN)


def _lines_fen(lines: Sequence[Line], *, where: str = "") -> tuple[int, list[tuple[int, int]]]:
    """``lines_check`` in fen: the total and each line's (debit, credit), each amount converted once."""
    if len(lines) < 2:
        raise ValidationError(f"{where}一张凭证至少需要两行分录")
    debits = credits = 0
    sides = []
    for i, line in enumerate(lines, start=1):
        debit, credit = to_fen(line.debit or 0), to_fen(line.credit or 0)
        if debit < 0 or credit < 0:
            raise ValidationError(f"{where}第 {i} 行：金额不能为负数")
        if (debit > 0) == (credit > 0):
            raise ValidationError(f"{where}第 {i} 行：每行须且只能填写借方或贷方之一，且金额大于零")
        debits += debit
        credits += credit
        sides.append((debit, credit))
    if debits != credits:
        raise ValidationError(
            f"{where}借贷不平衡：借方合计 {format_yuan(from_fen(debits))} 元，"
            f"贷方合计 {format_yuan(from_fen(credits))} 元"
        )
    return debits, sides


def _periods_open(days: Iterable[date]) -> dict[tuple[int, int], Period]:
    """The open period of each month among ``days``, created if new and locked for the posting."""
    months = sorted({(d.year, d.month) for d in days})
    for year, month in months:
        Period.objects.get_or_create(code=f"{year:04d}-{month:02d}", defaults={"year": year, "month": month})
    codes = [f"{y:04d}-{m:02d}" for y, m in months]
    periods = {(p.year, p.month): p for p in Period.objects.select_for_update().filter(code__in=codes)}
    closed = sorted(p.code for p in periods.values() if p.status == Period.Status.CLOSED)
    if closed:
        raise ValidationError(f"会计期间 {'、'.join(closed)} 已结账，不能再登记该期间的凭证")
    return periods


def entries_post(drafts: Sequence[EntryDraft]) -> list[int]:
    """Post every draft as one balanced, immutable entry (with its payment, if any); all or nothing.

    Returns the new entries' ids in the order of ``drafts``. Raises ``ValidationError`` (a Chinese
    message naming the entry and line) and writes nothing if any rule fails.
    """
    if not drafts:
        return []
    many = len(drafts) > 1
    totals: list[int] = []
    sides: list[list[tuple[int, int]]] = []
    for n, draft in enumerate(drafts, start=1):
        where = f"第 {n} 张凭证：" if many else ""
        if not draft.description.strip():
            raise ValidationError(f"{where}凭证摘要不能为空")
        total, fen = _lines_fen(draft.lines, where=where)
        totals.append(total)
        sides.append(fen)
    if len({d.reversal_of_id for d in drafts if d.reversal_of_id is not None}) < sum(
        1 for d in drafts if d.reversal_of_id is not None
    ):
        raise ValidationError("同一张凭证不能被冲销两次")
    vendor = connection.vendor
    now = timezone.now()
    with transaction.atomic():
        periods = _periods_open(d.date for d in drafts)
        set_based = vendor == "postgresql" and len(drafts) >= SET_BASED_FK_FROM and _may_skip_fk_triggers()
        if set_based:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        entry_rows = [
            (
                d.date,
                periods[(d.date.year, d.date.month)].pk,
                d.description.strip()[:300],
                d.rule[:200],
                d.source[:80],
                d.organisation_id,
                d.prepared_by_id,
                d.approved_by_id,
                d.reversal_of_id,
                total,
                now,
            )
            for d, total in zip(drafts, totals, strict=True)
        ]
        try:
            with transaction.atomic():
                ids = _insert_entries(entry_rows, vendor)
        except IntegrityError:
            raise ValidationError("该凭证已被冲销过，不能重复冲销") from None
        line_rows = [
            (entry_id, ln.account.pk, debit, credit, ln.memo[:200])
            for entry_id, d, fen in zip(ids, drafts, sides, strict=True)
            for ln, (debit, credit) in zip(d.lines, fen, strict=True)
        ]
        _write(JournalLine, ["entry_id", "account_id", "debit", "credit", "memo"], line_rows, vendor, adapt=False)
        payment_rows = [
            (
                p.programme_id,
                p.period_key,
                p.beneficiary_key,
                p.beneficiary_org_id,
                p.beneficiary_person_id,
                p.beneficiary_name[:120],
                p.cycle_id,
                p.entitlement_id,
                total,
                entry_id,
                now,
            )
            for entry_id, d, total in zip(ids, drafts, totals, strict=True)
            if (p := d.payment) is not None
        ]
        if payment_rows:
            try:
                with transaction.atomic():
                    _write(
                        Payment,
                        [
                            "programme_id",
                            "period_key",
                            "beneficiary_key",
                            "beneficiary_org_id",
                            "beneficiary_person_id",
                            "beneficiary_name",
                            "cycle_id",
                            "entitlement_id",
                            "amount",
                            "entry_id",
                            "paid_at",
                        ],
                        payment_rows,
                        vendor,
                    )
            except IntegrityError:
                raise ValidationError(
                    "本期已有受益对象被支付过：同一对象同一期间只能支付一次，本次审批未执行"
                ) from None
        if set_based:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
            _foreign_keys_check(ids)
    return ids


def _may_skip_fk_triggers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int >= 150000")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        return bool(cursor.fetchone()[0])


def _foreign_keys_check(entry_ids: list[int]) -> None:
    """Every foreign key of the rows just written, checked once per key column: each referenced row
    exists, and is locked ``FOR KEY SHARE`` (what PostgreSQL's per-row trigger does), so it cannot be
    deleted before we commit — except the batch's own new entries, which nobody else can see yet. A
    missing one raises ``IntegrityError`` and the posting rolls back.

    The new rows are selected by the range of their entries' ids (a superset at worst: rows of others
    in the range were checked when they were written), which the id and entry_id indexes answer."""
    qn = connection.ops.quote_name
    low, high = min(entry_ids), max(entry_ids)
    with connection.cursor() as cursor:
        for model, selector in ((JournalEntry, "id"), (JournalLine, "entry_id"), (Payment, "entry_id")):
            table = qn(model._meta.db_table)
            for f in model._meta.concrete_fields:
                if not f.is_relation or not f.db_constraint:
                    continue
                target = f.target_field
                parent, parent_col, column = qn(target.model._meta.db_table), qn(target.column), qn(f.column)
                own_entries = model is not JournalEntry and f.column == "entry_id"
                lock = "" if own_entries else " FOR KEY SHARE"
                cursor.execute(
                    f"WITH keys AS (SELECT DISTINCT t.{column} AS k FROM {table} t "
                    f"WHERE t.{qn(selector)} BETWEEN %s AND %s AND t.{column} IS NOT NULL) "
                    f"SELECT (SELECT count(*) FROM keys), (SELECT count(*) FROM (SELECT 1 FROM {parent} p "
                    f"WHERE p.{parent_col} IN (SELECT k FROM keys){lock}) l)",
                    [low, high],
                )
                wanted, found = cursor.fetchone()
                if wanted != found:
                    raise IntegrityError(
                        f"{model._meta.db_table}.{f.column}: {wanted - found} referenced row(s) missing"
                    )


_ENTRY_COLUMNS = [
    "date",
    "period_id",
    "description",
    "rule",
    "source",
    "organisation_id",
    "prepared_by_id",
    "approved_by_id",
    "reversal_of_id",
    "amount",
    "created_at",
]


def _insert_entries(rows: list[tuple], vendor: str) -> list[int]:
    """Insert the entries with ids allocated up front; returns the ids in order."""
    qn = connection.ops.quote_name
    table = qn(JournalEntry._meta.db_table)
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{JournalEntry._meta.db_table}', 'id')) "
                "FROM generate_series(1, %s)",
                [len(rows)],
            )
            ids = sorted(r[0] for r in cursor.fetchall())
        else:
            # The first row takes SQLite's write lock; nobody else can insert until we commit, so
            # the following ids are ours.
            first = _adapted(rows[0], vendor)
            columns = ", ".join(qn(c) for c in _ENTRY_COLUMNS)
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(first))})", list(first))
            cursor.execute(f"SELECT MAX(id) FROM {table}")
            top = cursor.fetchone()[0]
            ids = list(range(top, top + len(rows)))
            rows = rows[1:]
            _write(JournalEntry, ["id", *_ENTRY_COLUMNS], [(i, *r) for i, r in zip(ids[1:], rows, strict=True)], vendor)
            return ids
    _write(JournalEntry, ["id", *_ENTRY_COLUMNS], [(i, *r) for i, r in zip(ids, rows, strict=True)], vendor)
    return ids


def _adapted(row: tuple, vendor: str) -> tuple:
    if vendor == "postgresql":
        return row
    ops = connection.ops
    return tuple(
        ops.adapt_datetimefield_value(v)
        if hasattr(v, "tzinfo") and hasattr(v, "hour")
        else ops.adapt_datefield_value(v)
        if isinstance(v, date)
        else v
        for v in row
    )


def _write(model: type, columns: list[str], rows: list[tuple], vendor: str, *, adapt: bool = True) -> None:
    """COPY (PostgreSQL) or executemany (SQLite) of DB-ready tuples into ``model``'s table."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # the psycopg cursor under Django's wrapper; its errors mapped to Django's (IntegrityError…)
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
            for start in range(0, len(rows), COPY_CHUNK):
                chunk = rows[start : start + COPY_CHUNK]
                cursor.executemany(sql, [_adapted(r, vendor) for r in chunk] if adapt else chunk)
