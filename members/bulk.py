"""Fast inserts for bulk loads (import, demo): rows go to the database as plain tuples.

Django's ``bulk_create`` spends most of its time preparing each value of each model instance
(about 5 µs a value); a 100,000-member import has about two million values. Here the caller gives
already-prepared column values (encrypted text, blind indexes, dates, ids), the primary keys are
allocated up front (so memberships can point at the people just inserted without a round trip),
and the rows go in with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL). The id sequences are
reset afterwards on PostgreSQL, as ``loaddata`` does.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

BATCH = 5000


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` ids above the current maximum (call inside the transaction that inserts them).

    On PostgreSQL, take the table lock first so that no concurrent insert can draw the same ids
    from the sequence between this call and ``reset_sequences``.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        top = cursor.fetchone()[0] or 0
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT last_value FROM pg_sequences WHERE schemaname = current_schema() AND sequencename = %s",
                [f"{model._meta.db_table}_id_seq"],
            )
            row = cursor.fetchone()
            top = max(top, (row[0] or 0) if row else 0)
    return list(range(top + 1, top + 1 + count))


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert prepared rows (values in ``columns`` order, database-ready); returns the count."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                n += len(batch)
    return n


def reset_sequences(*models_: type[models.Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _preparer(field: models.Field):
    from core.crypto import EncryptedTextField, encrypt

    ops = connection.ops
    if isinstance(field, EncryptedTextField):
        return lambda v: encrypt(v) if v else v
    # Most rows share their dates and timestamps (every history row has the same "now"): adapt
    # each distinct value once.
    if isinstance(field, models.DateTimeField):
        return functools.lru_cache(maxsize=4096)(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return functools.lru_cache(maxsize=4096)(ops.adapt_datefield_value)
    return None


def insert_records(
    model: type[models.Model],
    records: Sequence[dict[str, Any]],
    *,
    history_user_id: int | None = None,
    history_reason: str | None = None,
    history: bool = True,
) -> list[int]:
    """Insert rows given as ``{attname: python value}`` (missing fields take their defaults;
    ``auto_now`` fields get now) and, if the model keeps django-simple-history, one "created"
    history row each, sharing the encrypted values. Returns the new ids in order."""
    from django.utils import timezone

    if not records:
        return []
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults: dict[str, Any] = {}
    for f in fields:
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default()  # "" for text, None for nullable, else the default
    ids = allocate_ids(model, len(records))
    columns = ["id", *(f.column for f in fields)]
    pairs = [(f.attname, defaults[f.attname]) for f in fields]
    preps = [(i + 1, p) for i, f in enumerate(fields) if (p := _preparer(f)) is not None]
    prepared: list[tuple[Any, ...]] = []
    for pk, record in zip(ids, records, strict=True):
        get = record.get
        values = [pk, *[get(a, d) for a, d in pairs]]
        for i, prep in preps:
            if values[i] is not None:
                values[i] = prep(values[i])
        prepared.append(tuple(values))
    insert_rows(model, columns, prepared)
    reset_sequences(model)
    history_manager = getattr(model, "history", None)
    if history and history_manager is not None:
        # One INSERT … SELECT copies the new rows into the history table inside the database
        # (the ids are one contiguous range), instead of sending every value a second time.
        hmodel = history_manager.model
        qn = connection.ops.quote_name
        main_cols = set(columns)
        hcols = [f.column for f in hmodel._meta.concrete_fields if f.column != "history_id"]
        extra = {
            "history_date": connection.ops.adapt_datetimefield_value(now),
            "history_change_reason": history_reason,
            "history_type": "+",
            "history_user_id": history_user_id,
        }
        select: list[str] = []
        params: list[Any] = []
        for c in hcols:
            if c in main_cols:
                select.append(qn(c))
            else:
                select.append("%s")
                params.append(extra[c])
        sql = (
            f"INSERT INTO {qn(hmodel._meta.db_table)} ({', '.join(qn(c) for c in hcols)}) "
            f"SELECT {', '.join(select)} FROM {qn(model._meta.db_table)} WHERE {qn('id')} BETWEEN %s AND %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, ids[0], ids[-1]])
    return ids


def insert_objects(model: type[models.Model], objs: Sequence[models.Model], **kwargs: Any) -> None:
    """``insert_records`` for unsaved instances; their ids are set."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    records = []
    for obj in objs:
        record = {f.attname: getattr(obj, f.attname) for f in fields}
        for f in fields:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add) and record[f.attname] is None:
                del record[f.attname]
        records.append(record)
    for obj, pk in zip(objs, insert_records(model, records, **kwargs), strict=True):
        obj.pk = pk
        obj._state.adding = False
