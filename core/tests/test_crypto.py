"""Personal-data protection: AES-256-GCM tokens, blind index, encrypted model field, masking."""

from __future__ import annotations

import base64
import os

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.test.utils import isolate_apps, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from core.crypto import (
    DecryptionError,
    EncryptedTextField,
    blind_index,
    decrypt,
    encrypt,
    mask_address,
    mask_id_number,
    mask_landline,
    mask_name,
    mask_phone,
)


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


KEY_A = new_key()
KEY_B = new_key()


@pytest.fixture(autouse=True)
def data_key():
    with override_settings(GONGHUI_DATA_KEY=KEY_A):
        yield


# --- encrypt / decrypt ------------------------------------------------------------------------


@settings(max_examples=200)
@given(st.text())
def test_round_trip_any_unicode(text: str) -> None:
    with override_settings(GONGHUI_DATA_KEY=KEY_A):
        token = encrypt(text)
        assert token.startswith("v1:")
        assert token.isascii()
        assert decrypt(token) == text


def test_round_trip_examples() -> None:
    for text in ["11010519491231002X", "北京市顺义区仁和镇某某街1号", "", "😀 emoji", "a" * 10_000]:
        assert decrypt(encrypt(text)) == text


def test_same_plaintext_gets_different_tokens() -> None:
    tokens = {encrypt("13812345678") for _ in range(50)}
    assert len(tokens) == 50


def test_token_does_not_contain_plaintext() -> None:
    token = encrypt("11010519491231002X")
    assert "1101051949" not in token
    assert "MTEwMTA1" not in token  # base64 of the plaintext's start


def test_token_length_is_fixed_overhead() -> None:
    # 12-byte nonce + 18-byte ciphertext + 16-byte tag = 46 bytes → 62 base64 chars unpadded
    assert len(encrypt("11010519491231002X")) == 3 + 62


@given(st.data())
def test_any_modified_byte_is_detected(data: st.DataObject) -> None:
    with override_settings(GONGHUI_DATA_KEY=KEY_A):
        token = encrypt("11010519491231002X")
        body = token[3:]
        raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        index = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
        flip = data.draw(st.integers(min_value=1, max_value=255))
        raw[index] ^= flip
        tampered = "v1:" + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
        with pytest.raises(DecryptionError):
            decrypt(tampered)


@pytest.mark.parametrize("token", ["", "11010519491231002X", "v2:abc", "v1:", "v1:!!!!", "v1:AAAA"])
def test_foreign_or_broken_tokens(token: str) -> None:
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_truncated_token_is_detected() -> None:
    token = encrypt("13812345678")
    with pytest.raises(DecryptionError):
        decrypt(token[:-2])


def test_other_key_cannot_decrypt() -> None:
    token = encrypt("13812345678")
    with override_settings(GONGHUI_DATA_KEY=KEY_B), pytest.raises(DecryptionError):
        decrypt(token)
    assert decrypt(token) == "13812345678"


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("", "not set"),
        ("not base64 at all!!", "base64"),
        (base64.b64encode(b"sixteen-byte-key").decode(), "32 bytes"),
    ],
    ids=["missing", "not-base64", "16-bytes"],
)
def test_missing_or_bad_key_is_improperly_configured(key: str, fragment: str) -> None:
    with override_settings(GONGHUI_DATA_KEY=key):
        with pytest.raises(ImproperlyConfigured, match=fragment):
            encrypt("x")
        with pytest.raises(ImproperlyConfigured, match=fragment):
            blind_index("x", purpose="phone")


def test_urlsafe_key_is_accepted() -> None:
    raw = os.urandom(32)
    with override_settings(GONGHUI_DATA_KEY=base64.urlsafe_b64encode(raw).decode()):
        urlsafe_token = encrypt("x")
    with override_settings(GONGHUI_DATA_KEY=base64.b64encode(raw).decode()):
        assert decrypt(urlsafe_token) == "x"


# --- blind index ------------------------------------------------------------------------------


def test_blind_index_is_deterministic_and_normalised() -> None:
    a = blind_index("11010519491231002X", purpose="id_number")
    assert len(a) == 64
    assert int(a, 16) >= 0
    assert blind_index("11010519491231002X", purpose="id_number") == a
    assert blind_index(" 110105 19491231 002x ", purpose="id_number") == a
    assert blind_index("１１０１０５１９４９１２３１００２Ｘ", purpose="id_number") == a


def test_blind_index_separates_purposes_values_and_keys() -> None:
    digits = "13812345678"
    assert blind_index(digits, purpose="phone") != blind_index(digits, purpose="id_number")
    assert blind_index(digits, purpose="phone") != blind_index("13812345679", purpose="phone")
    # "ab" + "\x00c" must not collide with "ab\x00" + "c"
    assert blind_index("c", purpose="ab") != blind_index("bc", purpose="a")
    before = blind_index(digits, purpose="phone")
    with override_settings(GONGHUI_DATA_KEY=KEY_B):
        assert blind_index(digits, purpose="phone") != before


def test_index_key_is_independent_of_encryption_key() -> None:
    import hashlib
    import hmac

    from core.crypto import _keys

    _, index_key = _keys()
    assert len(index_key) == 32
    assert index_key != base64.b64decode(KEY_A)
    digest = hmac.new(index_key, b"phone\x00" + b"13812345678", hashlib.sha256).hexdigest()
    assert blind_index("13812345678", purpose="phone") == digest


@pytest.mark.parametrize("purpose", ["", "a\x00b"])
def test_blind_index_needs_a_purpose(purpose: str) -> None:
    with pytest.raises(ValueError):
        blind_index("x", purpose=purpose)


# --- model field ------------------------------------------------------------------------------


@pytest.fixture
def secret_model(transactional_db):
    with isolate_apps("core"):

        class Secret(models.Model):
            value = EncryptedTextField(null=True, blank=True)

            class Meta:
                app_label = "core"

            def __str__(self) -> str:
                return str(self.pk)

        with connection.schema_editor() as editor:
            editor.create_model(Secret)
        try:
            yield Secret
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Secret)


def raw_column(model: type[models.Model], pk: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_field_encrypts_on_save_and_decrypts_on_load(secret_model) -> None:
    obj = secret_model.objects.create(value="11010519491231002X")
    stored = raw_column(secret_model, obj.pk)
    assert stored.startswith("v1:")
    assert "11010519491231002X" not in stored
    assert secret_model.objects.get(pk=obj.pk).value == "11010519491231002X"
    secret_model.objects.filter(pk=obj.pk).update(value="北京市顺义区")
    assert raw_column(secret_model, obj.pk).startswith("v1:")
    assert secret_model.objects.get(pk=obj.pk).value == "北京市顺义区"


def test_field_keeps_none_and_empty(secret_model) -> None:
    none = secret_model.objects.create(value=None)
    empty = secret_model.objects.create(value="")
    assert raw_column(secret_model, none.pk) is None
    assert raw_column(secret_model, empty.pk) == ""
    assert secret_model.objects.get(pk=none.pk).value is None
    assert secret_model.objects.get(pk=empty.pk).value == ""
    assert list(secret_model.objects.filter(value__isnull=True).values_list("pk", flat=True)) == [none.pk]
    assert list(secret_model.objects.filter(value="").values_list("pk", flat=True)) == [empty.pk]


def test_field_refuses_value_lookups(secret_model) -> None:
    secret_model.objects.create(value="13812345678")
    with pytest.raises(FieldError):
        list(secret_model.objects.filter(value="13812345678"))
    with pytest.raises(FieldError):
        list(secret_model.objects.filter(value__icontains="1381"))


def test_field_deconstructs() -> None:
    _, path, args, kwargs = EncryptedTextField(blank=True).deconstruct()
    assert args == []
    assert path == "core.crypto.EncryptedTextField"
    assert kwargs == {"blank": True}


# --- masking ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("110113199001011234", "110113********1234"),
        ("11010519491231002X", "110105********002X"),
        ("11010519491231002x", "110105********002X"),
        ("110105491231002", "110105*****1002"),  # old 15-digit number
        ("E12345678", "E1*****78"),  # passport-like
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value: str | None, expected: str) -> None:
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("010-12345678", "010*****5678"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value: str | None, expected: str) -> None:
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("北京市顺义区仁和镇某某街1号", "北京市顺义区****"),
        ("  北京市顺义区  ", "北京市顺义区****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_address(value: str | None, expected: str) -> None:
    assert mask_address(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("张", "*"),
        (" 李四 ", "李*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(value: str | None, expected: str) -> None:
    assert mask_name(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("010-69441234", "010-****1234"),
        ("69441234", "****1234"),
        ("0571-8765432", "0571-***5432"),
        ("010-69441234-123", "010-****1234-123"),
        ("13812345678", "138****5678"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_landline(value: str | None, expected: str) -> None:
    assert mask_landline(value) == expected
