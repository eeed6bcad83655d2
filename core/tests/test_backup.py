"""Backup and restore (issue 16 item 4): the round trip, and every refusal before anything is overwritten.

These tests replace the whole test database, so they run with real transactions (``transaction=True``)
on SQLite and, in the PostgreSQL pass, with pg_dump/pg_restore.
"""

from __future__ import annotations

import base64
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from appeals.models import Appeal, Attachment
from appeals.selectors import appeal_rates
from appeals.services import attachment_add
from appeals.tests.factories import make_appeal, run_to
from conftest import reseed_migration_rows
from core.backup import MANIFEST, BackupError, check_restorable, create_backup, read_manifest, restore_backup
from core.crypto import key_fingerprint
from funds.selectors import trial_balance
from funds.testing import fund_programme
from funds.tests.plugin import KEY
from members.models import Membership, Person
from members.tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)

OTHER_KEY = base64.b64encode(b"not-the-key-of-this-backup-32by!").decode()


@pytest.fixture
def platform(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    reseed_migration_rows()
    roster = [member(district.union_a) for _ in range(4)] + [member(district.union_b)]
    fund_programme(district=district.root, plugin_key=KEY, fund_code="3103", code="BK", params={"amounts": {}})
    closed = run_to(district, make_appeal(district), Appeal.State.FED_BACK)
    make_appeal(district, org=district.union_b)
    attachment_add(
        actor=district.user("rights"),
        appeal=closed,
        files=[SimpleUploadedFile("协调记录.pdf", b"%PDF-1.4 minutes of the meeting", content_type="application/pdf")],
    )
    return roster


def _figures(district) -> dict:
    admin = district.user("admin")
    balance = trial_balance(admin)
    person = Person.objects.order_by("pk").first()
    return {
        "members": Membership.objects.active_on().count(),
        "people": Person.objects.count(),
        "trial_balance": [(r["account"].code, r["debit"], r["credit"]) for r in balance["rows"]],
        "balanced": (balance["debit"], balance["credit"], balance["posted"]),
        "rates": appeal_rates(Appeal.objects.all()),
        "id_number": (person.pk, person.id_number, person.mobile),
        "attachment": Attachment.objects.get().file.read(),
    }


def _rewrite(archive: Path, target: Path, *, manifest_change=None, member_change=None, extra=None) -> Path:
    """A copy of ``archive`` with its manifest or one member altered (as a forger would)."""
    with tarfile.open(archive) as src, tarfile.open(target, "w") as dst:
        for info in src:
            data = src.extractfile(info).read()
            if info.name == MANIFEST and manifest_change:
                manifest = json.loads(data)
                manifest_change(manifest)
                data = json.dumps(manifest).encode()
            elif member_change and info.name.startswith("media/"):
                data = member_change(data)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
        if extra:
            info = tarfile.TarInfo(extra)
            info.size = 1
            dst.addfile(info, io.BytesIO(b"x"))
    return target


def test_backup_drop_restore_gives_back_the_same_platform(platform, district, tmp_path, settings):
    before = _figures(district)
    assert before["people"] == 5 and before["balanced"][2] is True
    archive = create_backup(tmp_path / "backups")
    assert archive.name.startswith("gonghui-backup-") and archive.stat().st_mode & 0o077 == 0

    manifest = read_manifest(archive)
    assert manifest["database"] == connection.vendor
    assert manifest["row_counts"]["members_person"] == 5
    assert manifest["data_key"]["fingerprint"] == key_fingerprint()
    assert any(name.startswith("media/appeals/") for name in manifest["files"])
    raw = archive.read_bytes()
    assert settings.GONGHUI_DATA_KEY.encode() not in raw  # the key never travels with the data
    assert before["id_number"][1].encode() not in raw  # nor a plaintext ID number

    # drop: every row and every uploaded file gone
    call_command("flush", interactive=False, verbosity=0)
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()
    assert Person.objects.count() == 0

    call_command("restore", str(archive), "--no-input")
    assert _figures(district) == before


def test_restore_refuses_before_overwriting(platform, district, tmp_path, settings):
    archive = create_backup(tmp_path / "a.tar")
    Person.objects.filter(pk=Person.objects.order_by("pk").first().pk).update(name="改过的名字")
    now = Person.objects.order_by("pk").values_list("name", flat=True)[0]

    def refused(path: Path, message: str) -> None:
        with pytest.raises(BackupError, match=message):
            restore_backup(path)
        assert Person.objects.order_by("pk").values_list("name", flat=True)[0] == now
        assert Attachment.objects.get().file.read().startswith(b"%PDF")

    tampered = _rewrite(archive, tmp_path / "t.tar", member_change=lambda b: b.replace(b"minutes", b"MINUTES"))
    refused(tampered, "校验和不符")
    newer = _rewrite(
        archive, tmp_path / "n.tar", manifest_change=lambda m: m["migrations"]["members"].append("9999_from_the_future")
    )
    refused(newer, "更新版本")
    refused(_rewrite(archive, tmp_path / "x.tar", extra="../../etc/cron.d/evil"), "不安全")
    refused(_rewrite(archive, tmp_path / "f.tar", manifest_change=lambda m: m.update(format=99)), "格式")
    not_an_archive = tmp_path / "members.xlsx"
    not_an_archive.write_bytes(b"PK\x03\x04 not a tar")
    refused(not_an_archive, "不是有效的备份归档")

    # the wrong data key is detected from the canary, before anything is overwritten
    settings.GONGHUI_DATA_KEY = OTHER_KEY
    refused(archive, "GONGHUI_DATA_KEY 打不开")
    with pytest.raises(CommandError, match="不能恢复"):
        call_command("restore", str(archive), "--no-input")


def test_restore_check_only_and_confirmation(platform, tmp_path, monkeypatch, capsys):
    archive = create_backup(tmp_path / "a.tar")
    assert check_restorable(archive).pending_after_restore == 0
    call_command("restore", str(archive), "--check")
    assert "归档有效" in capsys.readouterr().out
    Person.objects.all().update(name="改过的名字")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="已取消"):
        call_command("restore", str(archive))
    assert set(Person.objects.values_list("name", flat=True)) == {"改过的名字"}
