"""Backup and restore of the whole platform: the database and the uploaded files, in one archive.

An archive is a tar file holding

* ``manifest.json`` — format, time, database vendor, the applied migrations of every app, the row
  count of every table, the SHA-256 and size of every other member, and the data key's fingerprint
  with a *canary* (a short text encrypted under that key);
* ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the site runs) or
  ``database.pgdump`` (``pg_dump --format=custom`` inside the same snapshot the row counts were
  taken in);
* ``media/…`` — every file under ``MEDIA_ROOT``.

The data key is never in the archive (only its fingerprint): a stolen archive reveals no ID
number. ``restore`` checks before it overwrites anything: every checksum, that the archive's schema
is not newer than this code (every migration it lists exists here), and that the configured key
opens the canary (and, for an archive made during a key rotation, that the retiring key is
configured too). Then it replaces the database and the files, checks the row counts, and applies
the migrations newer than the archive.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from core.crypto import DecryptionError, decrypt, encrypt, key_fingerprint, old_key_settings

__all__ = ["BackupError", "create_backup", "read_manifest", "restore_backup"]

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
CANARY = "gonghui-backup-canary"
_CHUNK = 1 << 20

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that must not go on; the message (Chinese) says why."""


# --- what the archive records ------------------------------------------------------------------


def applied_migrations() -> dict[str, list[str]]:
    """App label → the names of its applied migrations, sorted."""
    out: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        out.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(out.items())}


def _count_tables(cursor: Any, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts: dict[str, int] = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    return counts


def row_counts() -> dict[str, int]:
    """Every table of the database (Django's or not) → its number of rows."""
    with connection.cursor() as cursor:
        return _count_tables(cursor, connection.introspection.table_names(cursor))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield MEDIA_PREFIX + path.relative_to(root).as_posix(), path


def _pg_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # the tool's own message names the database object, never a row's content
        raise BackupError(f"{what}失败：{done.stderr.strip()[-800:]}")


# --- backup ------------------------------------------------------------------------------------


def _dump_database(workdir: Path) -> tuple[str, Path, dict[str, int]]:
    """Dump the database into ``workdir``; return (member name, file, row counts of that copy)."""
    if connection.vendor == "sqlite":
        target = workdir / SQLITE_MEMBER
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            cursor = copy.cursor()
            tables = [r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            counts = _count_tables(cursor, [t for t in tables if not t.startswith("sqlite_")])
        finally:
            copy.close()
        return SQLITE_MEMBER, target, counts
    if connection.vendor == "postgresql":
        target = workdir / PG_MEMBER
        db = connection.settings_dict
        args, env = _pg_args(db)
        # Count inside one snapshot and let pg_dump read that same snapshot: the counts describe
        # exactly the dump even while the site keeps writing.
        with connection.connection.transaction(), connection.connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            with connection.cursor() as django_cursor:
                counts = _count_tables(django_cursor, connection.introspection.table_names(django_cursor))
            _run(
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    str(db["NAME"]),
                ],
                env,
                "pg_dump 备份数据库",
            )
        return PG_MEMBER, target, counts
    raise BackupError(f"不支持备份 {connection.vendor} 数据库")


def create_backup(destination: Path, *, progress: Progress | None = None) -> Path:
    """Write a backup archive to ``destination`` (an ``….tar`` path, or a directory to put a dated
    archive in); return its path."""
    say = progress or (lambda message: None)
    destination = Path(destination)
    if destination.is_dir() or not destination.name.endswith(".tar"):  # a directory to put it in
        destination = destination / f"gonghui-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar"
    destination.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".gonghui-backup-") as tmp:
        workdir = Path(tmp)
        say("备份数据库")
        db_member, db_file, counts = _dump_database(workdir)
        say("计算校验和")
        members = [(db_member, db_file), *_media_files(media_root)]
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "django": django.get_version(),
            "database": connection.vendor,
            "migrations": applied_migrations(),
            "row_counts": counts,
            "files": {name: {"sha256": _sha256(path), "size": path.stat().st_size} for name, path in members},
            "data_key": {
                "fingerprint": key_fingerprint(),
                "canary": encrypt(CANARY),
                "retiring": [key_fingerprint(k) for k in old_key_settings()],
            },
        }
        say(f"写入归档（{len(members) - 1} 个上传文件）")
        partial = workdir / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(timezone.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(body))
            for name, path in members:
                tar.add(path, arcname=name, recursive=False)
        partial.chmod(0o600)  # personal data, even encrypted, is for the operator only
        partial.replace(destination)
    return destination


# --- checks before restoring -------------------------------------------------------------------


@dataclass
class Checked:
    manifest: dict[str, Any]
    pending_after_restore: int  # migrations of this code newer than the archive


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name:
        return False
    return name in (MANIFEST, SQLITE_MEMBER, PG_MEMBER) or (name.startswith(MEDIA_PREFIX) and len(path.parts) > 1)


def read_manifest(archive: Path) -> dict[str, Any]:
    """The archive's manifest, checked against the archive's content (every checksum and size)."""
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115 — closed by the with below
    except (OSError, tarfile.TarError):
        raise BackupError(f"“{archive}”不是有效的备份归档") from None
    with tar:
        try:
            manifest_member = tar.getmember(MANIFEST)
            manifest = json.loads(tar.extractfile(manifest_member).read().decode("utf-8"))  # type: ignore[union-attr]
        except (KeyError, AttributeError, ValueError, UnicodeDecodeError):
            raise BackupError("备份归档缺少有效的清单（manifest.json）") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(f"备份归档格式为 {manifest.get('format')!r}，本版本只能恢复格式 {FORMAT}")
        listed: dict[str, dict[str, Any]] = manifest.get("files") or {}
        seen: set[str] = set()
        for member in tar:
            if member.name == MANIFEST:
                continue
            if not member.isfile() or not _safe_member(member.name) or member.name not in listed:
                raise BackupError(f"备份归档含有清单之外或不安全的条目：{member.name}")
            digest = hashlib.sha256()
            source = tar.extractfile(member)
            while chunk := source.read(_CHUNK):  # type: ignore[union-attr]
                digest.update(chunk)
            expected = listed[member.name]
            if digest.hexdigest() != expected.get("sha256") or member.size != expected.get("size"):
                raise BackupError(f"备份归档已损坏或被修改：{member.name} 的校验和不符")
            seen.add(member.name)
        missing = sorted(set(listed) - seen)
        if missing:
            raise BackupError(f"备份归档缺少清单所列的文件：{'、'.join(missing[:5])}")
    return manifest


def check_restorable(archive: Path) -> Checked:
    """Every check that must pass before anything is overwritten."""
    manifest = read_manifest(archive)
    if manifest.get("database") != connection.vendor:
        raise BackupError(
            f"备份来自 {manifest.get('database')} 数据库，当前是 {connection.vendor}：请在同类数据库上恢复"
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    archived = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    newer = sorted(archived - known)
    if newer:
        listed = "、".join(f"{app}.{name}" for app, name in newer[:5])
        raise BackupError(f"备份来自更新版本的系统（本版本没有迁移 {listed}）：请先升级系统再恢复")
    key = manifest.get("data_key") or {}
    try:
        opened = decrypt(str(key.get("canary", ""))) == CANARY
    except DecryptionError:
        opened = False
    if not opened:
        raise BackupError(
            f"当前 GONGHUI_DATA_KEY 打不开此备份的加密数据（备份所用密钥指纹 {key.get('fingerprint')}，"
            f"当前为 {key_fingerprint()}）：请配置备份时的数据密钥"
        )
    ring = {key_fingerprint(), *(key_fingerprint(k) for k in old_key_settings())}
    lacking = [fp for fp in key.get("retiring", []) if fp not in ring]
    if lacking:
        raise BackupError(
            f"备份时正在轮换数据密钥，部分数据仍用旧密钥（指纹 {'、'.join(lacking)}）加密：请把它加入 GONGHUI_DATA_KEYS_OLD"
        )
    graph_targets = {(app, name) for app, name in loader.graph.leaf_nodes()}
    plan = {node for target in graph_targets for node in loader.graph.forwards_plan(target)}
    return Checked(manifest=manifest, pending_after_restore=len(plan - archived))


# --- restore -----------------------------------------------------------------------------------


def _restore_sqlite(source: Path) -> None:
    connection.close()
    connection.ensure_connection()
    copy = sqlite3.connect(source)
    try:
        copy.backup(connection.connection)  # page by page, under the database's own lock
    finally:
        copy.close()
    connection.close()


def _restore_postgresql(source: Path, tables_in_archive: set[str]) -> None:
    db = connection.settings_dict
    # Tables this database has and the archive does not (a later migration's) are dropped first, so
    # migrate can create them again after the restore.
    with connection.cursor() as cursor:
        extra = [t for t in connection.introspection.table_names(cursor) if t not in tables_in_archive]
        for table in extra:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connection.close()
    args, env = _pg_args(db)
    _run(
        [
            "pg_restore",
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={db['NAME']}",
            str(source),
        ],
        env,
        "pg_restore 恢复数据库",
    )


def _replace_media(extracted: Path) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=media_root.parent, prefix=f".{media_root.name}-restored-"))
    if extracted.is_dir():
        shutil.copytree(extracted, staged, dirs_exist_ok=True)
    if media_root.exists():
        old = media_root.with_name(f".{media_root.name}-replaced-{os.getpid()}")
        media_root.rename(old)
        staged.rename(media_root)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staged.rename(media_root)


def restore_backup(archive: Path, *, progress: Progress | None = None, migrate: bool = True) -> dict[str, Any]:
    """Replace the database and the uploaded files with the archive's; return its manifest.

    Raises ``BackupError`` (nothing changed) when a check fails. Stop the web and worker processes
    first: the restore does not wait for their transactions.
    """
    say = progress or (lambda message: None)
    archive = Path(archive)
    say("校验归档")
    checked = check_restorable(archive)
    manifest = checked.manifest
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=media_root.parent if media_root.parent.exists() else None) as tmp:
        workdir = Path(tmp)
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(workdir, filter="data")  # members were checked by read_manifest
        say("恢复数据库")
        if manifest["database"] == "sqlite":
            _restore_sqlite(workdir / SQLITE_MEMBER)
        else:
            _restore_postgresql(workdir / PG_MEMBER, set(manifest["row_counts"]))
        say("恢复上传文件")
        _replace_media(workdir / "media")
    say("核对行数")
    counts = row_counts()
    wrong = {t: (n, counts.get(t)) for t, n in manifest["row_counts"].items() if counts.get(t) != n}
    if wrong:
        listed = "、".join(f"{t}（应为 {n}，实为 {got}）" for t, (n, got) in list(wrong.items())[:5])
        raise BackupError(f"恢复后行数与清单不符：{listed}")
    if migrate and checked.pending_after_restore:
        say(f"应用本版本新增的 {checked.pending_after_restore} 个迁移")
        call_command("migrate", interactive=False, verbosity=0)
    return manifest
