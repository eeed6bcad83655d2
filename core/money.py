"""Money: yuan as ``Decimal`` with two places (fen). Never float.

``to_yuan`` is the one door by which an amount enters the system; ``allocate`` splits an amount
into parts that add up to the fen; ``MoneyField`` is the model field for every amount.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

__all__ = ["FEN", "MoneyField", "allocate", "format_yuan", "to_yuan"]

FEN = Decimal("0.01")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_CURRENCY_MARKS = ("¥", "元", "RMB", "CNY")


def to_yuan(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as yuan: a ``Decimal`` quantised to 0.01 with ROUND_HALF_UP.

    Accepts ``Decimal``, ``int`` and strings such as ``"4200"``, ``" 4,200.005 "``, ``"￥12.5"`` or
    full-width ``"１２.５"``. Refuses ``float`` (and ``bool``) with ``TypeError``: a float has already
    lost the fen, so the caller must convert from the original text. Anything that is not a finite
    number raises ``ValidationError`` with a Chinese message.
    """
    if isinstance(value, bool | float):
        raise TypeError(f"money must not be a {type(value).__name__}; pass a Decimal, int or str")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        amount = _parse_amount(value)
    else:
        raise TypeError(f"money must be a Decimal, int or str, not {type(value).__name__}")
    if not amount.is_finite():
        raise ValidationError("金额无效：“%(value)s”不是数字", code="invalid", params={"value": value})
    try:
        result = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValidationError("金额过大：“%(value)s”", code="too_large", params={"value": value}) from None
    return result.copy_abs() if result.is_zero() else result  # no "-0.00"


def _parse_amount(raw: str) -> Decimal:
    text = "".join(unicodedata.normalize("NFKC", raw).split())
    for mark in _CURRENCY_MARKS:
        text = text.removeprefix(mark).removesuffix(mark)
    if _GROUPED_RE.match(text):
        text = text.replace(",", "")
    if not text:
        raise ValidationError("金额不能为空", code="required")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValidationError("金额无效：“%(value)s”不是数字", code="invalid", params={"value": raw}) from None


def format_yuan(value: Decimal | int | str) -> str:
    """Format an amount with thousands separators and two places: ``Decimal("4200") -> "4,200.00"``."""
    return f"{to_yuan(value):,.2f}"


def allocate(total: Decimal | int | str, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` so that the parts add up exactly to ``total``.

    Largest remainder method over fen: each part first gets the floor of its exact share, then the
    fen left over go one each to the parts with the largest remainders (ties: the earlier part).
    Weights must be non-negative and not all zero; a zero weight always gets zero. A negative total
    is split like its absolute value and every part negated.
    """
    amount = to_yuan(total)
    if not weights:
        raise ValueError("weights must not be empty")
    exact_weights: list[Fraction] = []
    for w in weights:
        if isinstance(w, bool) or not isinstance(w, Decimal | int):
            raise TypeError(f"weights must be Decimal or int, not {type(w).__name__}")
        if isinstance(w, Decimal) and not w.is_finite():
            raise ValueError("weights must be finite")
        if w < 0:
            raise ValueError("weights must not be negative")
        exact_weights.append(Fraction(w))
    weight_sum = sum(exact_weights, Fraction(0))
    if weight_sum == 0:
        raise ValueError("at least one weight must be positive")

    sign = -1 if amount < 0 else 1
    fen_total = int(abs(amount) / FEN)
    shares = [fen_total * w / weight_sum for w in exact_weights]
    parts = [int(s) for s in shares]  # floor: shares are non-negative
    leftover = fen_total - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return [(Decimal(sign * p) * FEN).quantize(FEN) for p in parts]


class MoneyField(models.DecimalField):
    """An amount in yuan: ``DecimalField`` with ``max_digits=14`` and ``decimal_places=2`` by default."""

    description = "金额（元）"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)
