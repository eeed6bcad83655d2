"""Data-key rotation: rewrite every encrypted value and rebuild every blind index under the new key.

The operator sets the new key as ``GONGHUI_DATA_KEY`` and the retiring one in
``GONGHUI_DATA_KEYS_OLD``, restarts the web and worker processes (they then write with the new key
and read and search with both), and runs ``manage.py rotate_data_key``. The tables to rewrite are
found on every installed model: each concrete ``EncryptedTextField`` and ``BlindIndexField``, the
history tables included, so an app added later is rotated without a list to keep.

Each batch is one transaction that rewrites up to ``batch_size`` rows (in primary-key order) and
moves the table's cursor in the ``KeyRotation`` record: a run killed at any point loses at most
the batch in flight, which rolled back, and the next run resumes after the last committed batch.
The run finishes only when a final scan finds no value that the new key alone cannot open; then
the retiring key can be removed from the settings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from core.crypto import (
    BlindIndexField,
    DecryptionError,
    EncryptedTextField,
    encrypted_under_current_key,
    key_fingerprint,
    old_key_settings,
)
from core.models import KeyRotation

__all__ = ["RotationError", "RotationTarget", "rotate", "rotation_targets", "stale_values"]

logger = logging.getLogger("gonghui.keyrotation")

DEFAULT_BATCH = 500


class RotationError(Exception):
    """A rotation that must not go on (no retiring key, a value no key opens); message in Chinese."""


@dataclass(frozen=True)
class RotationTarget:
    """One table holding encrypted values or blind indexes."""

    model: type[models.Model]
    encrypted: tuple[EncryptedTextField, ...]
    indexes: tuple[BlindIndexField, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def fields(self) -> list[str]:
        return [f.name for f in (*self.encrypted, *self.indexes)]


def rotation_targets() -> list[RotationTarget]:
    """Every concrete table with an ``EncryptedTextField`` or a ``BlindIndexField``, in a stable order."""
    found: list[RotationTarget] = []
    tables: set[str] = set()
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in tables:
            continue
        encrypted = tuple(f for f in meta.concrete_fields if isinstance(f, EncryptedTextField))
        indexes = tuple(f for f in meta.concrete_fields if isinstance(f, BlindIndexField))
        if encrypted or indexes:
            tables.add(meta.db_table)
            found.append(RotationTarget(model, encrypted, indexes))
    return sorted(found, key=lambda t: t.label)


@dataclass
class RotationReport:
    rotation: KeyRotation
    rewritten: dict[str, int] = field(default_factory=dict)
    finished: bool = False
    stale: dict[str, int] = field(default_factory=dict)


def rotate(
    *,
    batch_size: int = DEFAULT_BATCH,
    max_batches: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> RotationReport:
    """Rewrite the tables under the current key, resuming the unfinished run toward the same key.

    ``max_batches`` stops after that many batches (a maintenance window; run again to go on).
    ``progress(label, rows_so_far)`` is called after each committed batch.
    """
    if not old_key_settings():
        raise RotationError(
            "未设置 GONGHUI_DATA_KEYS_OLD：请把新密钥设为 GONGHUI_DATA_KEY、旧密钥设为 GONGHUI_DATA_KEYS_OLD，"
            "重启网站和后台任务进程后再运行"
        )
    if batch_size < 1:
        raise RotationError("每批行数必须大于 0")
    target = key_fingerprint()
    rotation = KeyRotation.objects.filter(target=target, finished_at=None).order_by("started_at").first()
    if rotation is None:
        rotation = KeyRotation.objects.create(target=target)
        logger.info("key rotation started", extra={"event": "key_rotation_started", "target": target})
    report = RotationReport(rotation=rotation)
    batches = 0
    for spec in rotation_targets():
        while max_batches is None or batches < max_batches:
            rows = _rotate_batch(rotation.pk, spec, batch_size)
            if rows is None:
                break
            batches += 1
            report.rewritten[spec.label] = report.rewritten.get(spec.label, 0) + rows
            if progress is not None:
                progress(spec.label, rotation_rows(rotation.pk, spec.label))
        else:
            return report
    report.stale = stale_values()
    rotation.refresh_from_db()
    if report.stale:
        # A process still writing with the retiring key (not restarted): the next run rewrites
        # those tables again from the start.
        for label in {name.rsplit(".", 1)[0] for name in report.stale}:
            rotation.progress[label] = {"after": None, "rows": 0, "done": False}
        rotation.save(update_fields=["progress"])
        logger.error("key rotation left values under a retiring key", extra={"event": "key_rotation_stale"})
        return report
    rotation.finished_at = timezone.now()
    rotation.save(update_fields=["finished_at"])
    report.finished = True
    logger.info("key rotation finished", extra={"event": "key_rotation_finished", "target": target})
    return report


def rotation_rows(rotation_pk: int, label: str) -> int:
    return int(KeyRotation.objects.get(pk=rotation_pk).progress.get(label, {}).get("rows", 0))


def _rotate_batch(rotation_pk: int, spec: RotationTarget, batch_size: int) -> int | None:
    """Rewrite the next batch of ``spec``'s table; ``None`` once the table is done."""
    with transaction.atomic():
        rotation = KeyRotation.objects.select_for_update().get(pk=rotation_pk)
        state = rotation.progress.get(spec.label, {"after": None, "rows": 0, "done": False})
        if state["done"]:
            return None
        pk = spec.model._meta.pk
        queryset = spec.model._base_manager.order_by("pk").only(*spec.fields, *(f.source for f in spec.indexes))
        if state["after"] is not None:
            queryset = queryset.filter(pk__gt=pk.to_python(state["after"]))
        try:
            # locked, so an edit through the application cannot interleave with the rewrite
            rows = list(queryset.select_for_update()[:batch_size])
        except DecryptionError:
            raise RotationError(
                f"{spec.model._meta.verbose_name}（{spec.label}）中有无法用任何已配置密钥解密的数据："
                "请确认 GONGHUI_DATA_KEYS_OLD 包含所有旧密钥"
            ) from None
        for row in rows:
            for index in spec.indexes:
                setattr(row, index.attname, index.value_for(getattr(row, index.source)))
        if rows:
            # assigning the plaintext back makes EncryptedTextField encrypt it under the current key
            spec.model._base_manager.bulk_update(rows, spec.fields)
            state["after"] = str(rows[-1].pk)
            state["rows"] += len(rows)
        if len(rows) < batch_size:
            state["done"] = True
        rotation.progress[spec.label] = state
        rotation.save(update_fields=["progress"])
        return len(rows)


def _raw_values(spec: RotationTarget, column: str) -> Iterator[str]:
    """The stored tokens of one column, read without decrypting (server-side cursor on PostgreSQL)."""
    quote = connection.ops.quote_name
    sql = f"SELECT {quote(column)} FROM {quote(spec.model._meta.db_table)} WHERE {quote(column)} <> ''"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while chunk := cursor.fetchmany(2000):
            for (value,) in chunk:
                if value is not None:
                    yield value


def stale_values() -> dict[str, int]:
    """Per ``label.field``, how many stored values the current key alone cannot open (0 omitted)."""
    stale: dict[str, int] = {}
    for spec in rotation_targets():
        for enc in spec.encrypted:
            count = sum(1 for token in _raw_values(spec, enc.column) if not encrypted_under_current_key(token))
            if count:
                stale[f"{spec.label}.{enc.name}"] = count
    return stale


def rotation_status() -> dict[str, Any]:
    """The latest run, for the command's ``--status``."""
    latest = KeyRotation.objects.order_by("-started_at", "-id").first()
    if latest is None:
        return {}
    return {
        "target": latest.target,
        "started_at": latest.started_at,
        "finished_at": latest.finished_at,
        "progress": latest.progress,
        "current_key": key_fingerprint(),
    }
