"""The ledger's one door: the only code that writes journal entries, their lines and payments.

It has two entrances, with the same rules:

``entries_post`` takes any number of drafts and enforces, once over all of them and before anything
is written, every rule of the ledger: a non-empty description; at least two lines, each with exactly
one positive side; debits equal credits to the fen; an open accounting period for every date (the
periods are locked for the posting, so a period cannot close half-way through). On PostgreSQL the
rows go in with ``COPY`` (ids taken from the sequence up front), on SQLite with ``executemany`` of
prepared tuples. ``funds.services.entry_post`` is a one-entry call of it.

``payout_post`` pays a programme cycle: every entitlement becomes a two-line entry (debit the fund,
credit the payable 2202, the entitlement's approved amount) and its payment of exactly that amount,
approved and owed until the bank answers. ``bank_answers_post`` posts the bank's answers (payable →
bank for a confirmed transfer, the reversal of the approval entry for a returned one) and
``reissue_post`` a returned payment's re-issue (a new payment linked to it). The rows
never pass through Python: they are numbered into a temporary table and written with one
``INSERT … SELECT`` per table, on both databases. Each entry balances and has one positive side per
line by construction (only amounts above zero are paid); its period is open and locked.

Only new rows are written: entries are immutable (the models refuse ``save`` of a stored row,
``update`` and ``delete``), and a correction is a reversal, at most one per entry (a database
constraint). The database still checks every constraint (one side per line, positive amounts, one
payment per beneficiary and period, foreign keys). PostgreSQL checks a foreign key with one trigger
call per row and key (about 13 per payment, most of the time of a 50,000-payment cycle); for a
large batch, when the database role may set ``session_replication_role`` (a superuser, or ``GRANT
SET ON PARAMETER session_replication_role`` on PostgreSQL 15+), those per-row triggers are switched
off for the writing alone and every foreign key of the new rows is checked once, set-based, locking
the referenced rows as the triggers would (``_foreign_keys_check``). A test makes sure nothing else
inserts these rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
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
    """Post every draft as one balanced, immutable entry; all or nothing.

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


# SQL yielding a column ``k`` of key values, its params, and whether the referenced rows are locked
# (not the batch's own new entries, which nobody else can see yet)
KeySource = tuple[str, list[Any], bool]


def _foreign_keys(models: Sequence[type]) -> list[Any]:
    """Every enforced foreign-key field of ``models``."""
    return [f for m in models for f in m._meta.concrete_fields if f.is_relation and f.db_constraint]


def _keys_check(sources: dict[Any, KeySource]) -> None:
    """Each foreign key of the rows just written, checked once per key column: each referenced row
    exists, and is locked ``FOR KEY SHARE`` (what PostgreSQL's per-row trigger does), so it cannot be
    deleted before we commit. ``sources`` names, for every foreign-key field of the written tables,
    where its new values are. A missing row raises ``IntegrityError`` and the posting rolls back."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        checked = set()
        for f, (keys_sql, params, lock) in sources.items():
            target = f.target_field
            parent, parent_col = qn(target.model._meta.db_table), qn(target.column)
            if (parent, keys_sql, tuple(params), lock) in checked:
                continue  # the same keys of the same table (a payout's lines and payments share their entries)
            checked.add((parent, keys_sql, tuple(params), lock))
            cursor.execute(
                f"WITH keys AS (SELECT DISTINCT k FROM ({keys_sql}) x WHERE k IS NOT NULL) "
                f"SELECT (SELECT count(*) FROM keys), (SELECT count(*) FROM (SELECT 1 FROM {parent} p "
                f"WHERE p.{parent_col} IN (SELECT k FROM keys){' FOR KEY SHARE' if lock else ''}) l)",
                params,
            )
            wanted, found = cursor.fetchone()
            if wanted != found:
                raise IntegrityError(f"{f.model._meta.db_table}.{f.column}: {wanted - found} referenced row(s) missing")


def _foreign_keys_check(entry_ids: list[int]) -> None:
    """``_keys_check`` of what ``entries_post`` wrote: the new rows are selected by the range of their
    entries' ids (a superset at worst: rows of others in the range were checked when they were
    written), which the id and entry_id indexes answer."""
    qn = connection.ops.quote_name
    low, high = min(entry_ids), max(entry_ids)
    sources: dict[Any, KeySource] = {}
    for f in _foreign_keys((JournalEntry, JournalLine)):
        selector = "id" if f.model is JournalEntry else "entry_id"
        own_entries = f.model is JournalLine and f.column == "entry_id"
        table = qn(f.model._meta.db_table)
        sql = f"SELECT t.{qn(f.column)} AS k FROM {table} t WHERE t.{selector} BETWEEN %s AND %s"
        sources[f] = (sql, [low, high], not own_entries)
    _keys_check(sources)


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


@dataclass(frozen=True)
class Payout:
    """A programme cycle paid in one posting (``payout_post``): what every entry of it shares."""

    date: date
    debit_account_id: int  # the fund paying
    credit_account_id: int  # the payable (2202) the approved amount is owed on until the bank pays
    description_prefix: str  # "<programme> <period> 支付 " — the beneficiary's name follows
    description_suffix: str
    organisation_id: int  # the entry's organisation when the beneficiary is no organisation
    programme_id: int
    period_key: str
    cycle_id: int
    source_prefix: str  # "cycle:<id>:" — the entitlement's id follows
    rule: str = ""
    prepared_by_id: int | None = None
    approved_by_id: int | None = None


_PAYOUT_TABLE = "gh_payout"


def payout_post(payout: Payout, entitlements: Any) -> tuple[int, int]:
    """Pay each row of ``entitlements`` (an Entitlement queryset) its ``approved_amount``; rows of
    zero are not paid. All or nothing; returns (number of entries, total in fen).

    The rows are numbered into a temporary table (ids from the sequence on PostgreSQL; on SQLite
    above the largest id, under SQLite's write lock taken first), then entries, lines and payments
    are each one ``INSERT … SELECT`` from it.
    """
    if not payout.description_prefix.strip():
        raise ValidationError("凭证摘要不能为空")
    vendor = connection.vendor
    qn = connection.ops.quote_name
    source_sql, source_params = (
        entitlements.filter(approved_amount__gt=0)
        .order_by("pk")
        .values(  # aliased: the names the temporary table's columns take
            ent_id=F("pk"),
            bkey=F("beneficiary_key"),
            bname=F("beneficiary_name"),
            org_id=F("beneficiary_org_id"),
            person_id=F("beneficiary_person_id"),
            pay=F("approved_amount"),
        )
        .query.sql_with_params()
    )
    entry_table = qn(JournalEntry._meta.db_table)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        periods = _periods_open([payout.date])
        period = periods[(payout.date.year, payout.date.month)]
        cursor.execute(f"DROP TABLE IF EXISTS {_PAYOUT_TABLE}")
        if vendor == "postgresql":
            entry_id = f"nextval(pg_get_serial_sequence('{JournalEntry._meta.db_table}', 'id'))"
            create = f"CREATE TEMP TABLE {_PAYOUT_TABLE} ON COMMIT DROP AS"
        else:
            # a write first takes SQLite's write lock: no one else takes an id above the largest until we commit
            cursor.execute(f"UPDATE {entry_table} SET id = id WHERE 0 = 1")
            entry_id = f"(SELECT COALESCE(MAX(id), 0) FROM {entry_table}) + row_number() OVER (ORDER BY s.ent_id)"
            create = f"CREATE TEMP TABLE {_PAYOUT_TABLE} AS"
        cursor.execute(
            f"{create} SELECT {entry_id} AS entry_id, s.ent_id, s.bkey, s.bname, s.org_id, s.person_id, "
            f"s.pay AS amount FROM ({source_sql}) s",
            source_params,
        )
        cursor.execute(f"SELECT count(*), COALESCE(SUM(amount), 0) FROM {_PAYOUT_TABLE}")
        count, total = cursor.fetchone()
        if count:
            set_based = vendor == "postgresql" and count >= SET_BASED_FK_FROM and _may_skip_fk_triggers()
            if set_based:
                cursor.execute("SET LOCAL session_replication_role = replica")
            day, stamp = _adapted((payout.date, now), vendor)
            entry_columns = ", ".join(qn(c) for c in ["id", *_ENTRY_COLUMNS])
            cursor.execute(
                f"INSERT INTO {entry_table} ({entry_columns}) SELECT entry_id, %s, %s, "
                f"substr(%s || bname || %s, 1, 300), %s, %s || ent_id, COALESCE(org_id, %s), %s, %s, NULL, amount, %s "
                f"FROM {_PAYOUT_TABLE}",
                [
                    day,
                    period.pk,
                    payout.description_prefix,
                    payout.description_suffix,
                    payout.rule[:200],
                    payout.source_prefix,
                    payout.organisation_id,
                    payout.prepared_by_id,
                    payout.approved_by_id,
                    stamp,
                ],
            )
            line_table = qn(JournalLine._meta.db_table)
            line_columns = ", ".join(qn(c) for c in ["entry_id", "account_id", "debit", "credit", "memo"])
            for account_id, side in ((payout.debit_account_id, "amount, 0"), (payout.credit_account_id, "0, amount")):
                cursor.execute(
                    f"INSERT INTO {line_table} ({line_columns}) "
                    f"SELECT entry_id, %s, {side}, substr(bname, 1, 200) FROM {_PAYOUT_TABLE} ORDER BY entry_id",
                    [account_id],
                )
            payment_columns = ", ".join(
                qn(c)
                for c in [
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
                    "status",
                    "return_reason",
                ]
            )
            try:
                with transaction.atomic():
                    cursor.execute(
                        f"INSERT INTO {qn(Payment._meta.db_table)} ({payment_columns}) "
                        f"SELECT %s, %s, bkey, org_id, person_id, substr(bname, 1, 120), %s, ent_id, amount, entry_id, %s, "
                        f"%s, '' FROM {_PAYOUT_TABLE}",
                        [payout.programme_id, payout.period_key, payout.cycle_id, stamp, Payment.Status.APPROVED],
                    )
            except IntegrityError:
                raise ValidationError(
                    "本期已有受益对象被支付过：同一对象同一期间只能支付一次，本次审批未执行"
                ) from None
            if set_based:
                cursor.execute("SET LOCAL session_replication_role = origin")
                _payout_keys_check(payout, period.pk)
        cursor.execute(f"DROP TABLE IF EXISTS {_PAYOUT_TABLE}")
    return count, total


def _payout_keys_check(payout: Payout, period_id: int) -> None:
    """``_keys_check`` of what ``payout_post`` wrote, read from the temporary table and the payout's
    own ids (most keys of a payout are one value for all its rows); the lines' and payments' entries
    are the batch's own (checked to exist, not locked). Every foreign key of the three tables must be named
    here: a new one without a source fails loudly (KeyError)."""
    one, table = "SELECT %s AS k", _PAYOUT_TABLE
    own = ("SELECT entry_id AS k FROM " + table, [], False)
    by_column: dict[tuple[type, str], KeySource | None] = {
        (JournalEntry, "period_id"): (one, [period_id], True),
        (JournalEntry, "organisation_id"): (
            f"SELECT COALESCE(org_id, %s) AS k FROM {table}",
            [payout.organisation_id],
            True,
        ),
        (JournalEntry, "prepared_by_id"): (one, [payout.prepared_by_id], True) if payout.prepared_by_id else None,
        (JournalEntry, "approved_by_id"): (one, [payout.approved_by_id], True) if payout.approved_by_id else None,
        (JournalEntry, "reversal_of_id"): None,  # a payment reverses nothing
        (JournalLine, "entry_id"): own,
        (JournalLine, "account_id"): (
            f"{one} UNION SELECT %s",
            [payout.debit_account_id, payout.credit_account_id],
            True,
        ),
        (Payment, "programme_id"): (one, [payout.programme_id], True),
        (Payment, "beneficiary_org_id"): (f"SELECT org_id AS k FROM {table}", [], True),
        (Payment, "beneficiary_person_id"): (f"SELECT person_id AS k FROM {table}", [], True),
        (Payment, "cycle_id"): (one, [payout.cycle_id], True),
        (Payment, "entitlement_id"): (f"SELECT ent_id AS k FROM {table}", [], True),
        (Payment, "entry_id"): own,
        (Payment, "settle_entry_id"): None,  # the bank has not answered yet
        (Payment, "reissue_of_id"): None,  # a cycle's payment is no re-issue
    }
    sources = {
        f: source
        for f in _foreign_keys((JournalEntry, JournalLine, Payment))
        if (source := by_column[(f.model, f.column)])
    }
    _keys_check(sources)


# --- the bank's answers and re-issues (docs/bank.md) ---------------------------------------------


@dataclass(frozen=True)
class BankAnswer:
    """The bank's answer for one sent payment (its batch line): confirmed, or returned with a reason.
    The rest is read from the payment by the caller in one query (``funds.bank``)."""

    line_id: int
    payment_id: int
    reference: str
    confirmed: bool
    reason: str
    amount: Decimal
    name: str
    organisation_id: int
    rule: str
    entry_id: int  # the payment's approval entry (a return reverses it)
    fund_account_id: int  # the fund the approval debited


_ANSWER_TABLE = "gh_bank_answer"


def bank_answers_post(
    answers: Sequence[BankAnswer],
    *,
    day: date,
    bank_account_id: int,
    payable_account_id: int,
    actor_id: int,
    import_id: int | None = None,
) -> tuple[int, int]:
    """Post the bank's answers for sent payments; all or nothing. Returns (confirmed, returned).

    A confirmation posts Dr payable / Cr bank (the money left the account); a return posts the
    reversal of the payment's approval entry (Dr payable / Cr fund) naming the bank's reason, so the
    payable is cleared visibly and the fund has the money back. Set-based, like ``payout_post``: the
    answers are numbered into a temporary table and the entries, their two lines each, the payments
    and the batch lines are one statement each. Each entry balances and has one positive side per
    line by construction (a payment's amount is positive); its period is open and locked. A payment
    moves from ``sent`` only and a batch line from unanswered only (conditional updates), and a
    payment's entry is reversed at most once (the one-to-one ``reversal_of``): an answer applied
    twice, even at the same moment, refuses the whole posting."""
    if not answers:
        return 0, 0
    vendor = connection.vendor
    qn = connection.ops.quote_name
    entry_table, line_table = qn(JournalEntry._meta.db_table), qn(JournalLine._meta.db_table)
    payment_table, batch_line_table = qn(Payment._meta.db_table), qn("funds_batchline")
    table = _ANSWER_TABLE
    rows = []
    for seq, a in enumerate(answers, start=1):
        if a.confirmed:
            description, memo, source = f"银行已支付 {a.name}（{a.reference}）", a.name, f"bank:{a.reference}"
        else:
            reason = a.reason[:150]
            description = f"冲销：银行退回 {a.name}（{a.reference}），原因：{reason}"
            memo, source = f"退回：{reason}", f"bank-return:{a.reference}"
        rows.append(
            (
                seq,
                a.payment_id,
                a.line_id,
                to_fen(a.amount),
                1 if a.confirmed else 0,
                "" if a.confirmed else a.reason[:200],
                description[:300],
                memo[:200],
                source[:80],
                a.organisation_id,
                a.rule[:200],
                None if a.confirmed else a.entry_id,
                bank_account_id if a.confirmed else a.fund_account_id,
            )
        )
    if any(r[3] <= 0 for r in rows):
        raise ValidationError("银行结果的金额必须大于零")
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        period = _periods_open([day])[(day.year, day.month)]
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TEMP TABLE {table} (seq bigint PRIMARY KEY, payment_id bigint, line_id bigint, amount bigint, "
            "ok integer, reason varchar(200), description varchar(300), memo varchar(200), source varchar(80), "
            "org_id bigint, rule varchar(200), reversal_of bigint, credit_account bigint, entry_id bigint)"
            + (" ON COMMIT DROP" if vendor == "postgresql" else "")
        )
        columns = "seq, payment_id, line_id, amount, ok, reason, description, memo, source, org_id, rule, reversal_of, credit_account"
        if vendor == "postgresql":
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"UPDATE {table} SET entry_id = nextval(pg_get_serial_sequence('{JournalEntry._meta.db_table}', 'id'))"
            )
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 13)})", rows)
            # a write first takes SQLite's write lock: no one else takes an id above the largest until we commit
            cursor.execute(f"UPDATE {entry_table} SET id = id WHERE 0 = 1")
            cursor.execute(f"UPDATE {table} SET entry_id = (SELECT COALESCE(MAX(id), 0) FROM {entry_table}) + seq")
        set_based = vendor == "postgresql" and len(rows) >= SET_BASED_FK_FROM and _may_skip_fk_triggers()
        if set_based:
            cursor.execute("SET LOCAL session_replication_role = replica")
        day_value, stamp = _adapted((day, now), vendor)
        entry_columns = ", ".join(qn(c) for c in ["id", *_ENTRY_COLUMNS])
        try:
            with transaction.atomic():
                cursor.execute(
                    f"INSERT INTO {entry_table} ({entry_columns}) SELECT entry_id, %s, %s, description, rule, source, "
                    f"org_id, %s, NULL, reversal_of, amount, %s FROM {table}",
                    [day_value, period.pk, actor_id, stamp],
                )
        except IntegrityError:
            raise ValidationError("有被退回的支付已冲销过，本次回单未入账") from None
        line_columns = ", ".join(qn(c) for c in ["entry_id", "account_id", "debit", "credit", "memo"])
        cursor.execute(
            f"INSERT INTO {line_table} ({line_columns}) SELECT entry_id, %s, amount, 0, memo FROM {table} ORDER BY seq",
            [payable_account_id],
        )
        cursor.execute(
            f"INSERT INTO {line_table} ({line_columns}) SELECT entry_id, credit_account, 0, amount, memo "
            f"FROM {table} ORDER BY seq"
        )
        cursor.execute(
            f"UPDATE {payment_table} SET status = CASE WHEN a.ok = 1 THEN %s ELSE %s END, "
            f"settle_entry_id = a.entry_id, return_reason = a.reason, status_at = %s FROM {table} a "
            f"WHERE {payment_table}.id = a.payment_id AND {payment_table}.status = %s",
            [Payment.Status.CONFIRMED.value, Payment.Status.RETURNED.value, stamp, Payment.Status.SENT.value],
        )
        if cursor.rowcount != len(rows):
            raise ValidationError("有支付已不在“已发送银行”状态（可能已有银行结果），本次回单未入账")
        cursor.execute(
            f"UPDATE {batch_line_table} SET result = CASE WHEN a.ok = 1 THEN %s ELSE %s END, reason = a.reason, "
            f"answered_at = %s, answered_in_id = %s FROM {table} a WHERE {batch_line_table}.id = a.line_id "
            f"AND {batch_line_table}.result = ''",
            [Payment.Status.CONFIRMED.value, Payment.Status.RETURNED.value, stamp, import_id],
        )
        if cursor.rowcount != len(rows):
            raise ValidationError("有批次明细已有银行结果，本次回单未入账")
        if set_based:
            cursor.execute("SET LOCAL session_replication_role = origin")
            _answers_keys_check(period.pk, actor_id, payable_account_id, import_id)
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    confirmed = sum(1 for a in answers if a.confirmed)
    return confirmed, len(answers) - confirmed


def _answers_keys_check(period_id: int, actor_id: int, payable_id: int, import_id: int | None) -> None:
    """``_keys_check`` of what ``bank_answers_post`` wrote with the per-row triggers off: the new
    entries and lines, and the two foreign keys its updates set (a payment's settling entry, a
    line's import). Every foreign key of the two ledger tables must be named here (KeyError)."""
    from funds.models import BatchLine

    one, table = "SELECT %s AS k", _ANSWER_TABLE
    own = (f"SELECT entry_id AS k FROM {table}", [], False)
    by_column: dict[tuple[type, str], KeySource | None] = {
        (JournalEntry, "period_id"): (one, [period_id], True),
        (JournalEntry, "organisation_id"): (f"SELECT org_id AS k FROM {table}", [], True),
        (JournalEntry, "prepared_by_id"): (one, [actor_id], True),
        (JournalEntry, "approved_by_id"): None,
        (JournalEntry, "reversal_of_id"): (f"SELECT reversal_of AS k FROM {table}", [], True),
        (JournalLine, "entry_id"): own,
        (JournalLine, "account_id"): (f"{one} UNION SELECT credit_account FROM {table}", [payable_id], True),
    }
    sources: dict[Any, KeySource] = {
        f: source for f in _foreign_keys((JournalEntry, JournalLine)) if (source := by_column[(f.model, f.column)])
    }
    sources[Payment._meta.get_field("settle_entry")] = own
    if import_id is not None:
        sources[BatchLine._meta.get_field("answered_in")] = (one, [import_id], True)
    _keys_check(sources)


@dataclass(frozen=True)
class _Ref:
    pk: int


def reissue_post(returned: Payment, *, day: date, payable_account_id: int, actor_id: int, approver_id: int) -> Payment:
    """A returned payment paid again: a new approval entry (Dr fund / Cr payable, the same amount)
    and a new Payment linked to the returned one (``reissue_of``). The partial unique constraint
    (programme, period, beneficiary; not returned) refuses a second live payment."""
    if returned.status != Payment.Status.RETURNED:
        raise ValidationError("只有银行退回的支付才能重新支付")
    fund_line = next(ln for ln in returned.entry.lines.all() if ln.debit > 0)
    (entry_id,) = entries_post(
        [
            EntryDraft(
                date=day,
                description=f"重新支付 {returned.beneficiary_name}（原支付 {returned.reference_prefix} 被银行退回）"[
                    :300
                ],
                lines=(
                    Line(_Ref(fund_line.account_id), debit=returned.amount, memo=returned.beneficiary_name[:200]),
                    Line(_Ref(payable_account_id), credit=returned.amount, memo=returned.beneficiary_name[:200]),
                ),
                organisation_id=returned.entry.organisation_id,
                prepared_by_id=actor_id,
                approved_by_id=approver_id,
                rule=returned.entry.rule,
                source=f"reissue:{returned.pk}",
            )
        ]
    )
    row = (
        returned.programme_id,
        returned.period_key,
        returned.beneficiary_key,
        returned.beneficiary_org_id,
        returned.beneficiary_person_id,
        returned.beneficiary_name,
        returned.cycle_id,
        returned.entitlement_id,
        to_fen(returned.amount),
        entry_id,
        timezone.now(),
        Payment.Status.APPROVED.value,
        "",
        returned.pk,
    )
    columns = [
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
        "status",
        "return_reason",
        "reissue_of_id",
    ]
    try:
        with transaction.atomic():
            _write(Payment, columns, [row], connection.vendor)
    except IntegrityError:
        raise ValidationError("该受益对象本期已有未退回的支付（或该笔已重新支付过），不能重复支付") from None
    return Payment.objects.get(entry_id=entry_id)
