"""Deterministic fake personal data for demos, tests and benchmarks (valid check digits)."""

from __future__ import annotations

from datetime import date, timedelta

from core.validators import id_check_char

REGION = "110113"  # 北京市顺义区
BIRTH_DAYS = 16000  # births spread over about 44 years from 1962
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
    "158", "159", "166", "176", "177", "178", "180", "181", "182", "185", "186", "187", "188", "189", "199",
)  # fmt: skip


def id_number(n: int, *, region: str = REGION) -> str:
    """The n-th of a family of distinct valid ID numbers (distinct for n < 8,000,000).

    Birth date = 1962-01-01 + n mod 16000 days; the 3-digit order number is odd (male) for odd n.
    """
    birth = date(1962, 1, 1) + timedelta(days=n % BIRTH_DAYS)
    order = (2 * (n // BIRTH_DAYS) + n % 2) % 1000
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


def mobile(n: int) -> str:
    """A valid-looking mainland mobile number, distinct for n < 100,000,000."""
    prefix = MOBILE_PREFIXES[n % len(MOBILE_PREFIXES)]
    return f"{prefix}{(n * 7919) % 100_000_000:08d}"
