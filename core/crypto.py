"""Protection of personal data: encryption at rest, blind index for exact search, masking for display.

- ``encrypt``/``decrypt``: AES-256-GCM with a random 96-bit nonce; tokens look like
  ``v1:<urlsafe base64 of nonce + ciphertext + tag>``. A modified token fails to decrypt.
- ``blind_index``: HMAC-SHA256 of a normalised value, so ``WHERE id_number_index = %s`` finds a
  member without decrypting the table. The ``purpose`` keeps an ID number and a phone number
  with the same digits from sharing an index value.
- Both keys are derived with HKDF-SHA256 from ``settings.GONGHUI_DATA_KEY`` (base64 of 32 random
  bytes, kept apart from ``SECRET_KEY``); the encryption key and the index key are independent.
- Key rotation (``manage.py rotate_data_key``, docs/operations.md): ``GONGHUI_DATA_KEY`` is the key
  every new value is written with; ``GONGHUI_DATA_KEYS_OLD`` (a list) holds the keys being retired,
  tried in turn for reading until the rotation has rewritten every value. A search during a
  rotation asks for every key's index value (``blind_index_candidates``), so a row not yet
  rewritten is still found.
- ``BlindIndexField`` declares an index column with its source field and purpose, so the rotation
  rebuilds every index of every app without a list of models.
- ``mask_*``: what a user without the full-view permission sees.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
import unicodedata
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull

__all__ = [
    "BlindIndexField",
    "DecryptionError",
    "EncryptedTextField",
    "blind_index",
    "blind_index_candidates",
    "decrypt",
    "encrypt",
    "mask_address",
    "mask_id_number",
    "mask_landline",
    "mask_name",
    "mask_phone",
    "mask_pii_in_text",
]

TOKEN_PREFIX = "v1:"
_NONCE_BYTES = 12
_TAG_BYTES = 16
_ENC_INFO = b"gonghui-pii-enc-v1"
_INDEX_INFO = b"gonghui-pii-index-v1"


class DecryptionError(ValueError):
    """A token that is not ours, was made with another key, or was modified."""


@functools.lru_cache(maxsize=8)
def _derive_keys(key_setting: str) -> tuple[AESGCM, bytes]:
    """(AES-GCM cipher, blind-index HMAC key) for a ``GONGHUI_DATA_KEY`` value; cached per value."""
    if not key_setting:
        raise ImproperlyConfigured(
            "GONGHUI_DATA_KEY is not set: it must be the base64 of 32 random bytes, e.g. "
            "python -c 'import base64,os;print(base64.b64encode(os.urandom(32)).decode())'"
        )
    try:
        master = base64.b64decode(key_setting.strip(), validate=True)
    except (binascii.Error, ValueError):
        try:
            master = base64.urlsafe_b64decode(key_setting.strip())
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured("GONGHUI_DATA_KEY is not valid base64") from None
    if len(master) != 32:
        raise ImproperlyConfigured(
            f"GONGHUI_DATA_KEY must decode to exactly 32 bytes (AES-256); it decodes to {len(master)}"
        )

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return AESGCM(derive(_ENC_INFO)), derive(_INDEX_INFO)


def _keys() -> tuple[AESGCM, bytes]:
    key_setting = getattr(settings, "GONGHUI_DATA_KEY", "")
    if not isinstance(key_setting, str):
        raise ImproperlyConfigured("GONGHUI_DATA_KEY must be a string (base64 of 32 random bytes)")
    return _derive_keys(key_setting)


def old_key_settings() -> list[str]:
    """The retiring keys (``GONGHUI_DATA_KEYS_OLD``), without blanks and without the current key."""
    current = getattr(settings, "GONGHUI_DATA_KEY", "")
    raw = getattr(settings, "GONGHUI_DATA_KEYS_OLD", ())
    if isinstance(raw, str):
        raw = raw.split(",")
    out: list[str] = []
    for key in raw:
        key = key.strip()
        if key and key != current and key not in out:
            out.append(key)
    return out


def _key_ring() -> list[tuple[AESGCM, bytes]]:
    """The current key first, then each retiring key: what reading and searching may use."""
    return [_keys(), *(_derive_keys(k) for k in old_key_settings())]


def key_fingerprint(key_setting: str | None = None) -> str:
    """A public name for a key (16 hex characters of an HMAC under its index key): it tells keys
    apart in a rotation record or a backup manifest and reveals nothing of the key itself."""
    _, index_key = _derive_keys(getattr(settings, "GONGHUI_DATA_KEY", "") if key_setting is None else key_setting)
    return hmac.new(index_key, b"gonghui-key-fingerprint", hashlib.sha256).hexdigest()[:16]


def encrypted_under_current_key(token: str) -> bool:
    """True when ``token`` opens with the current key alone (the rotation's final check)."""
    try:
        _open(token, [_keys()])
    except DecryptionError:
        return False
    return True


def encrypt(text: str) -> str:
    """Encrypt ``text`` with AES-256-GCM and a fresh random nonce."""
    if not isinstance(text, str):
        raise TypeError(f"encrypt() takes str, not {type(text).__name__}")
    cipher, _ = _keys()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = cipher.encrypt(nonce, text.encode("utf-8"), None)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt a token made by :func:`encrypt` under the current or a retiring key; raise
    ``DecryptionError`` if it is damaged or foreign."""
    return _open(token, _key_ring())


def _open(token: str, ring: list[tuple[AESGCM, bytes]]) -> str:
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
        raise DecryptionError("not an encrypted value (missing 'v1:' prefix)")
    body = token[len(TOKEN_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise DecryptionError("encrypted value is not valid base64") from None
    if len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise DecryptionError("encrypted value is too short")
    for cipher, _ in ring:
        try:
            plain = cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None)
        except InvalidTag:
            continue
        return plain.decode("utf-8")
    raise DecryptionError("encrypted value was modified or made with another key")


def normalize_for_index(text: str) -> str:
    """NFKC, whitespace and invisible characters removed, upper-cased: ``" 1101…02x "`` = ``"1101…02X"``."""
    if text.isascii():  # fast path, same result: NFKC keeps ASCII, and no ASCII character is "Cf"
        return "".join(text.split()).upper()
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf").upper()


def blind_index(text: str, *, purpose: str) -> str:
    """Keyed, deterministic fingerprint of ``text`` for exact-match search (64 hex characters).

    The value is normalised with :func:`normalize_for_index`; pass values already validated (e.g.
    the output of ``validate_mobile``) so that equal things are spelled equally.
    """
    if not isinstance(text, str):
        raise TypeError(f"blind_index() takes str, not {type(text).__name__}")
    if not purpose or "\x00" in purpose:
        raise ValueError("purpose must be a non-empty string without NUL")
    return _index_with(_keys()[1], text, purpose)


def blind_index_candidates(text: str, *, purpose: str) -> list[str]:
    """The index values ``text`` may be stored under: the current key's first, then one per
    retiring key. Outside a rotation this is ``[blind_index(text, purpose=purpose)]``; search with
    ``field__in=...`` so that, during one, rows not yet rewritten are found too."""
    if not isinstance(text, str):
        raise TypeError(f"blind_index_candidates() takes str, not {type(text).__name__}")
    blind_index(text, purpose=purpose)  # the same argument checks
    out: list[str] = []
    for _, index_key in _key_ring():
        value = _index_with(index_key, text, purpose)
        if value not in out:
            out.append(value)
    return out


def _index_with(index_key: bytes, text: str, purpose: str) -> str:
    message = (purpose + "\x00" + normalize_for_index(text)).encode("utf-8")
    return hmac.new(index_key, message, hashlib.sha256).hexdigest()


# --- model field ------------------------------------------------------------------------------


class _EncryptedExact(Exact):
    """``field=""`` and ``field=None`` work; equality with a value cannot (the nonce is random)."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                "Encrypted fields cannot be searched by value; filter on their blind-index column instead."
            )
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Text stored encrypted (AES-256-GCM); Python code sees plaintext.

    ``None`` stays ``None`` and ``""`` stays ``""`` (so blank is still visible as blank). Only
    ``isnull`` and equality with ``""``/``None`` are allowed as lookups: for search, keep a
    ``blind_index`` column beside the field.
    """

    description = "加密文本"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _EncryptedExact
        if lookup_name == "isnull":
            return IsNull
        return None


class BlindIndexField(models.CharField):
    """The blind-index column of an encrypted field: ``blind_index(<source>, purpose=<purpose>)``,
    or ``""`` when the source is blank.

    Declaring it (rather than a plain ``CharField``) lets ``rotate_data_key`` find and rebuild every
    index of every app; the system check ``gonghui.E010`` refuses a ``<field>_index`` column beside
    an encrypted ``<field>`` that is not declared so. Services still compute the value (with
    :meth:`value_for`) where they validate the source.
    """

    description = "盲索引"
    # source and purpose say how the value is made, not how the column is stored: changing them
    # (or turning a CharField into a BlindIndexField) alters no table.
    non_db_attrs = (*models.CharField.non_db_attrs, "source", "purpose")

    def __init__(self, *args: Any, source: str = "", purpose: str = "", **kwargs: Any) -> None:
        if not source or not purpose:
            raise ImproperlyConfigured("BlindIndexField needs source= (the encrypted field) and purpose=")
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def value_for(self, plaintext: str | None) -> str:
        """The index of ``plaintext`` under the current key (``""`` for a blank source)."""
        return blind_index(plaintext, purpose=self.purpose) if plaintext else ""

    def candidates_for(self, plaintext: str) -> list[str]:
        """What to search this column for: :func:`blind_index_candidates` of ``plaintext``."""
        return blind_index_candidates(plaintext, purpose=self.purpose)


# --- masking ----------------------------------------------------------------------------------


def mask_id_number(value: str | None) -> str:
    """``"110113199001011234"`` → ``"110113********1234"`` (first 6, last 4 shown)."""
    text = normalize_for_index(value or "")
    n = len(text)
    if n == 0:
        return ""
    if n >= 15:
        return text[:6] + "*" * (n - 10) + text[-4:]
    if n >= 8:
        return text[:2] + "*" * (n - 4) + text[-2:]
    return "*" * n


def mask_phone(value: str | None) -> str:
    """``"13812345678"`` → ``"138****5678"``; other numbers keep their first 3 and last 4 characters."""
    text = "".join((value or "").split())
    n = len(text)
    if n == 0:
        return ""
    if n >= 8:
        return text[:3] + "*" * (n - 7) + text[-4:]
    return "*" * n


def mask_landline(value: str | None) -> str:
    """A 联系电话 as ``validate_phone`` stores it: ``"010-69441234"`` → ``"010-****1234"``,
    ``"69441234-123"`` → ``"****1234-123"`` (area code, last 4 digits and extension shown). A mobile
    number, or anything not in that form, is masked by :func:`mask_phone`."""
    text = "".join((value or "").split())
    found = _LANDLINE_PARTS.match(text)
    if found is None:
        return mask_phone(text)
    area, local, ext = found.groups()
    masked = "*" * (len(local) - 4) + local[-4:]
    return "-".join(part for part in (area, masked, ext) if part)


_LANDLINE_PARTS = re.compile(r"^(?:(0\d{2,3})-)?([2-9]\d{6,7})(?:-(\d{1,6}))?$")


def mask_address(value: str | None) -> str:
    """First 6 characters and ``"****"``: ``"北京市顺义区仁和镇…"`` → ``"北京市顺义区****"``."""
    text = (value or "").strip()
    if not text:
        return ""
    return text[:6] + "****"


def mask_name(value: str | None) -> str:
    """Surname kept, the rest starred: ``"张三丰"`` → ``"张**"``; a one-character name is fully starred."""
    text = (value or "").strip()
    n = len(text)
    if n == 0:
        return ""
    if n == 1:
        return "*"
    return text[0] + "*" * (n - 1)


# Runs of 11 or more digits (full-width digits are folded by NFKC first): a mobile number (11), an
# ID number (15 or 18, perhaps ending in X) or a prefixed phone; separators inside a run (spaces,
# hyphens, plus signs) are part of it. Member numbers (union code + 6 digits) stay readable.
_PII_RUN = re.compile(r"\d(?:[\s+\-]*\d){10,}(?:[\s+\-]*[Xx])?")


def mask_pii_in_text(text: str | None) -> str:
    """Free text (a search box entry, a query string) with every ID-number- or phone-like run of
    digits masked, so it can be logged: ``"q=110113199001011234"`` → ``"q=110113********1234"``.

    A run of 15+ characters is masked as an ID number, a shorter one (11-14 digits) as a phone.
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text)

    def _mask(match: re.Match[str]) -> str:
        run = "".join(ch for ch in match.group(0) if ch.isalnum())
        return mask_id_number(run) if len(run) >= 15 else mask_phone(run)

    return _PII_RUN.sub(_mask, folded)
