"""Encrypt + decrypt throughput: AES-256-GCM (as core.crypto uses it) against Fernet.

Run: .venv/bin/python bench/crypto_bench.py [count]   (default 100,000 strings of 18 characters)

Three rows:
- ``core.crypto``: the project's encrypt()/decrypt() (AESGCM + base64 token + settings lookup);
- ``AESGCM raw``: the primitive alone, bytes in and out;
- ``Fernet``: cryptography's Fernet (AES-128-CBC + HMAC-SHA256, base64 token), the alternative.
"""

from __future__ import annotations

import base64
import os
import random
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings


def measure(name: str, texts: list[str], run: Callable[[list[str]], int]) -> float:
    start = time.perf_counter()
    done = run(texts)
    elapsed = time.perf_counter() - start
    assert done == len(texts)
    rate = len(texts) / elapsed
    each = elapsed / len(texts) * 1e6
    print(f"{name:<14} {elapsed:8.3f} s   {rate:12,.0f} encrypt+decrypt/s   {each:6.2f} µs each")
    return rate


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    if not settings.configured:
        settings.configure(GONGHUI_DATA_KEY=base64.b64encode(os.urandom(32)).decode(), USE_TZ=True)
        django.setup()
    from core.crypto import decrypt, encrypt

    rng = random.Random(42)
    texts = ["".join(rng.choices(string.digits, k=17)) + rng.choice("0123456789X") for _ in range(count)]

    def project(items: list[str]) -> int:
        return sum(decrypt(encrypt(t)) == t for t in items)

    aes = AESGCM(os.urandom(32))

    def aesgcm_raw(items: list[str]) -> int:
        ok = 0
        for t in items:
            nonce = os.urandom(12)
            ok += aes.decrypt(nonce, aes.encrypt(nonce, t.encode(), None), None).decode() == t
        return ok

    fernet = Fernet(Fernet.generate_key())

    def fernet_run(items: list[str]) -> int:
        return sum(fernet.decrypt(fernet.encrypt(t.encode())).decode() == t for t in items)

    python = sys.version.split()[0]
    print(f"{count:,} strings of 18 characters, one encrypt and one decrypt each (Python {python})")
    core_rate = measure("core.crypto", texts, project)
    raw_rate = measure("AESGCM raw", texts, aesgcm_raw)
    fernet_rate = measure("Fernet", texts, fernet_run)
    print(f"core.crypto is {core_rate / fernet_rate:.1f}x Fernet; ", end="")
    print(f"raw AESGCM is {raw_rate / fernet_rate:.1f}x Fernet")
    sample = encrypt(texts[0])
    fernet_size = len(fernet.encrypt(b"x" * 18))
    print(f"token sizes for 18 chars: core.crypto {len(sample)} chars, Fernet {fernet_size} chars")


if __name__ == "__main__":
    main()
