"""Data-key rotation (issue 16 item 5): every encrypted value and blind index, resumable, checked."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import isolate_apps, override_settings

from conftest import TEST_DATA_KEY
from core import keyrotation
from core.checks import blind_index_problems, check_blind_index_fields
from core.crypto import (
    BlindIndexField,
    DecryptionError,
    EncryptedTextField,
    blind_index,
    blind_index_candidates,
    decrypt,
    encrypt,
    encrypted_under_current_key,
    key_fingerprint,
)
from core.keyrotation import RotationError, rotate, rotation_targets, stale_values
from core.models import KeyRotation
from members.models import Membership, Person
from members.selectors import member_search
from members.services import member_register
from members.tests.factories import member

NEW_KEY = base64.b64encode(b"gonghui-rotated-key-32-bytes-ok!").decode()
ROTATING = {"GONGHUI_DATA_KEY": NEW_KEY, "GONGHUI_DATA_KEYS_OLD": [TEST_DATA_KEY]}


def _raw(model: type[models.Model], column: str) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} ORDER BY 1")
        return [value for (value,) in cursor.fetchall() if value]


# --- the key ring -------------------------------------------------------------------------------


def test_old_keys_read_new_key_writes(settings):
    old_token = encrypt("110105194912310029")
    settings.GONGHUI_DATA_KEY = NEW_KEY
    with pytest.raises(DecryptionError):
        decrypt(old_token)
    settings.GONGHUI_DATA_KEYS_OLD = [TEST_DATA_KEY]
    assert decrypt(old_token) == "110105194912310029"
    assert not encrypted_under_current_key(old_token)
    assert encrypted_under_current_key(encrypt("x"))


def test_search_candidates_cover_every_key(settings):
    old = blind_index("13812345678", purpose="mobile")
    settings.GONGHUI_DATA_KEY = NEW_KEY
    new = blind_index("13812345678", purpose="mobile")
    assert blind_index_candidates("13812345678", purpose="mobile") == [new]
    settings.GONGHUI_DATA_KEYS_OLD = [TEST_DATA_KEY, NEW_KEY, ""]  # the current key and blanks are ignored
    assert blind_index_candidates("13812345678", purpose="mobile") == [new, old]


def test_fingerprint_names_a_key_without_revealing_it():
    fingerprint = key_fingerprint(TEST_DATA_KEY)
    assert len(fingerprint) == 16 and fingerprint == key_fingerprint()
    assert fingerprint != key_fingerprint(NEW_KEY)
    assert fingerprint not in TEST_DATA_KEY and TEST_DATA_KEY not in fingerprint


# --- discovery ----------------------------------------------------------------------------------


def test_targets_are_every_table_with_an_encrypted_or_index_field():
    labels = {t.label for t in rotation_targets()}
    expected = {
        m._meta.label
        for m in apps.get_models()
        if not m._meta.proxy
        and any(isinstance(f, EncryptedTextField | BlindIndexField) for f in m._meta.concrete_fields)
    }
    assert labels == expected
    # the registry, its history (which copies the ID number) and the requests' contact phone
    assert {"members.Person", "members.HistoricalPerson", "appeals.Appeal"} <= labels
    person = next(t for t in rotation_targets() if t.label == "members.Person")
    assert set(person.fields) == {"id_number", "mobile", "phone", "address", "id_number_index", "mobile_index"}


@isolate_apps("core")
def test_a_plain_index_column_beside_an_encrypted_field_is_refused():
    class Account(models.Model):  # noqa: DJ008
        bank_account = EncryptedTextField()
        bank_account_index = models.CharField(max_length=64)

        class Meta:
            app_label = "core"

    class Card(models.Model):  # noqa: DJ008
        number_index = BlindIndexField(source="number", purpose="card")

        class Meta:
            app_label = "core"

    errors = blind_index_problems([Account, Card])
    assert [e.id for e in errors] == ["gonghui.E010", "gonghui.E011"], errors
    assert "bank_account_index" in errors[0].msg
    assert check_blind_index_fields() == []  # the installed apps declare theirs


def test_blind_index_field_needs_source_and_purpose():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        BlindIndexField("x", source="id_number")


# --- the rotation -------------------------------------------------------------------------------


@pytest.fixture
def roster(district) -> list[Membership]:
    return [member(district.union_a) for _ in range(7)]


@pytest.mark.django_db
def test_rotation_is_resumable_and_leaves_only_the_new_key(roster, district, monkeypatch, settings):
    people = {p.pk: (p.id_number, p.mobile, p.address) for p in Person.objects.all()}
    before_tokens = _raw(Person, "id_number")
    settings.GONGHUI_DATA_KEY, settings.GONGHUI_DATA_KEYS_OLD = NEW_KEY, [TEST_DATA_KEY]

    # during the rotation an ID not yet rewritten is still found, and still refused as a duplicate
    someone = Person.objects.order_by("pk").last()
    assert member_search(Membership.objects.all(), someone.id_number).get().person_id == someone.pk

    # batches of 3, one at a time (a maintenance window each), until the first batch of the history
    # table: every app's encrypted tables before it in label order are empty and take a batch each
    report = rotate(batch_size=3, max_batches=1)
    while "members.HistoricalPerson" not in KeyRotation.objects.get().progress:
        assert not report.finished
        report = rotate(batch_size=3, max_batches=1)
    assert not report.finished
    record = KeyRotation.objects.get()
    assert record.target == key_fingerprint(NEW_KEY) and record.finished_at is None
    halfway = record.progress["members.HistoricalPerson"]["rows"]  # after the empty tables before it
    assert 0 < halfway < Person.history.count()
    assert "members.Person" not in record.progress  # tables are rotated in label order

    # a crash in the middle of a batch: that batch rolls back, the cursor does not move
    calls = {"n": 0}
    real = BlindIndexField.value_for

    def dies_in_the_second_batch(self, plaintext):  # two indexes a row, three rows a batch
        calls["n"] += 1
        if calls["n"] == 9:
            raise KeyboardInterrupt("killed")
        return real(self, plaintext)

    monkeypatch.setattr(BlindIndexField, "value_for", dies_in_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        rotate(batch_size=3)
    monkeypatch.setattr(BlindIndexField, "value_for", real)
    record.refresh_from_db()
    # the history table's last two batches committed (calls 1-8); the registry's first did not
    assert record.progress["members.HistoricalPerson"] == {
        "after": str(Person.history.order_by("pk").last().pk),
        "rows": Person.history.count(),
        "done": True,
    }
    assert "members.Person" not in record.progress
    assert _raw(Person, "id_number") == before_tokens
    assert stale_values()  # old tokens remain

    # rerun: resumes, finishes, and says so
    report = rotate(batch_size=3)
    assert report.finished and report.stale == {}
    record.refresh_from_db()
    assert record.finished_at is not None
    assert KeyRotation.objects.count() == 1
    assert record.progress["members.Person"] == {"after": str(max(people)), "rows": 7, "done": True}
    assert record.progress["members.HistoricalPerson"]["rows"] == Person.history.count()

    # now without the old key: every value opens, every index matches, search works
    settings.GONGHUI_DATA_KEYS_OLD = []
    after_tokens = _raw(Person, "id_number")
    assert set(after_tokens).isdisjoint(before_tokens)
    for person in Person.objects.all():
        assert (person.id_number, person.mobile, person.address) == people[person.pk]
        assert person.id_number_index == blind_index(person.id_number, purpose="id_number")
        assert person.mobile_index == blind_index(person.mobile, purpose="mobile")
    for row in Person.history.all():
        assert row.id_number == people[row.id][0]
    assert member_search(Membership.objects.all(), someone.id_number).get().person_id == someone.pk
    assert stale_values() == {}


@pytest.mark.django_db
def test_registering_during_rotation_finds_the_person_under_the_old_index(roster, district, settings):
    settings.GONGHUI_DATA_KEY, settings.GONGHUI_DATA_KEYS_OLD = NEW_KEY, [TEST_DATA_KEY]
    existing = roster[0].person
    # found by the retiring key's index: an active member elsewhere is a transfer, not a new person
    with pytest.raises(ValidationError, match="转"):
        member_register(
            actor=None,
            organisation=district.union_b,
            joined_on=date(2024, 1, 1),
            data={"name": existing.name, "id_number": existing.id_number},
        )
    assert Person.objects.count() == 7


@pytest.mark.django_db
def test_refusals_change_nothing(roster, settings):
    with pytest.raises(RotationError, match="GONGHUI_DATA_KEYS_OLD"):
        rotate()
    with pytest.raises(CommandError, match="GONGHUI_DATA_KEYS_OLD"):
        call_command("rotate_data_key")
    # a value no configured key opens: refused with the table named, nothing written
    settings.GONGHUI_DATA_KEY, settings.GONGHUI_DATA_KEYS_OLD = NEW_KEY, [base64.b64encode(b"x" * 32).decode()]
    tokens = _raw(Person, "id_number")
    with pytest.raises(RotationError, match=r"members\.HistoricalPerson"):
        rotate(batch_size=50)
    assert _raw(Person, "id_number") == tokens
    assert not KeyRotation.objects.filter(progress__has_key="members.HistoricalPerson").exists()
    with pytest.raises(RotationError, match="每批行数"):
        settings.GONGHUI_DATA_KEYS_OLD = [TEST_DATA_KEY]
        rotate(batch_size=0)


@pytest.mark.django_db
def test_a_process_still_writing_with_the_old_key_keeps_the_rotation_open(roster, settings, monkeypatch):
    settings.GONGHUI_DATA_KEY, settings.GONGHUI_DATA_KEYS_OLD = NEW_KEY, [TEST_DATA_KEY]
    real_rotate_batch = keyrotation._rotate_batch

    def then_an_old_web_process_writes(rotation_pk, spec, batch_size):
        rows = real_rotate_batch(rotation_pk, spec, batch_size)
        if rows is None and spec.label == "members.Person":
            with override_settings(GONGHUI_DATA_KEY=TEST_DATA_KEY, GONGHUI_DATA_KEYS_OLD=[]):
                Person.objects.filter(pk=roster[0].person_id).update(address="北京市顺义区后沙峪镇2号")
        return rows

    monkeypatch.setattr(keyrotation, "_rotate_batch", then_an_old_web_process_writes)
    with pytest.raises(CommandError, match=r"members\.Person\.address 1 个"):
        call_command("rotate_data_key", "--batch-size", "4")
    assert KeyRotation.objects.get().finished_at is None
    monkeypatch.setattr(keyrotation, "_rotate_batch", real_rotate_batch)
    # the stale table is rewritten again by the next run (after that process is restarted)
    assert KeyRotation.objects.get().progress["members.Person"]["done"] is False
    call_command("rotate_data_key")
    assert KeyRotation.objects.get().finished_at is not None


@pytest.mark.django_db
def test_command_reports_progress_and_status(roster, settings, capsys):
    settings.GONGHUI_DATA_KEY, settings.GONGHUI_DATA_KEYS_OLD = NEW_KEY, [TEST_DATA_KEY]
    call_command("rotate_data_key", "--status")
    assert "尚未进行过密钥轮换" in capsys.readouterr().out
    call_command("rotate_data_key", "--batch-size", "5", "--max-batches", "1")
    out = capsys.readouterr().out
    assert "members.Person" in out and "暂停" in out
    call_command("rotate_data_key", "--batch-size", "5")
    assert "轮换完成" in capsys.readouterr().out
    call_command("rotate_data_key", "--status")
    out = capsys.readouterr().out
    assert "完成于" in out and key_fingerprint(NEW_KEY) in out
