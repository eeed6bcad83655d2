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

__all__ = ["FEN", "MoneyField", "allocate", "format_yuan", "from_fen", "to_fen", "to_yuan"]

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


def to_fen(value: Decimal | int | str) -> int:
    """``to_yuan(value)`` as a whole number of fen: ``Decimal("12.34") -> 1234``."""
    return int(to_yuan(value).scaleb(2))


def from_fen(fen: int | Decimal) -> Decimal:
    """A whole number of fen as yuan: ``1234 -> Decimal("12.34")``."""
    return (Decimal(fen).scaleb(-2)).quantize(FEN)


class MoneyField(models.DecimalField):
    """An amount in yuan, stored exactly as a whole number of fen (a ``bigint`` column).

    In Python it is a ``DecimalField`` (``max_digits=14``, ``decimal_places=2``): values, lookups
    (``amount__gte=Decimal("100.00")``), forms, DRF serializers and exports see ``Decimal`` yuan.
    In the database it is an integer, so ``SUM``, ``debit - credit`` and every aggregate are exact
    to the fen on SQLite (where a decimal column is a float) and PostgreSQL alike; an aggregate or
    an F-expression whose output field is a ``MoneyField`` comes back as ``Decimal`` yuan.
    """

    description = "金额（元，按分存储）"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def get_internal_type(self) -> str:
        return "BigIntegerField"  # the column type; no decimal converters on SQLite

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float):  # SQLite's AVG(); never a stored value
            value = round(value)
        return from_fen(value)

    def get_prep_value(self, value: Any) -> Any:
        value = models.Field.get_prep_value(self, value)
        if value is None or hasattr(value, "resolve_expression"):
            return value
        if isinstance(value, float):
            value = Decimal(repr(value))  # a float from a lookup or default: its shortest form
        return to_fen(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if hasattr(value, "as_sql"):
            return value
        return connection.ops.adapt_integerfield_value(value, "BigIntegerField")


def money_columns_to_fen(app_label: str) -> Any:
    """A ``RunPython`` body converting an app's money columns stored as decimal yuan to integer fen.

    A database created before money was stored as fen has ``numeric``/``decimal`` columns holding
    yuan; one created since has ``bigint`` columns already (the initial migrations build the current
    field), and is left alone. On PostgreSQL the column becomes ``bigint`` (``round(c * 100)``); on
    SQLite, whose column types are affinities, the values become integers in place (a NUMERIC
    column keeps integers exact).
    """

    def run(apps: Any, schema_editor: Any) -> None:
        conn = schema_editor.connection
        qn = conn.ops.quote_name
        for model in apps.get_app_config(app_label).get_models():
            table = model._meta.db_table
            for field in model._meta.local_fields:
                if not isinstance(field, MoneyField):
                    continue
                column = field.column
                with conn.cursor() as cursor:
                    if conn.vendor == "postgresql":
                        cursor.execute(
                            "SELECT data_type FROM information_schema.columns "
                            "WHERE table_schema = current_schema() AND table_name = %s AND column_name = %s",
                            [table, column],
                        )
                        row = cursor.fetchone()
                        if row and row[0] == "numeric":
                            cursor.execute(
                                f"ALTER TABLE {qn(table)} ALTER COLUMN {qn(column)} TYPE bigint "
                                f"USING round({qn(column)} * 100)::bigint"
                            )
                    else:
                        cursor.execute(f"PRAGMA table_info({qn(table)})")
                        declared = {r[1]: (r[2] or "").lower() for r in cursor.fetchall()}
                        if declared.get(column, "").startswith("decimal"):
                            cursor.execute(
                                f"UPDATE {qn(table)} SET {qn(column)} = CAST(ROUND({qn(column)} * 100) AS INTEGER) "
                                f"WHERE {qn(column)} IS NOT NULL"
                            )

    return run


def _register_money_arithmetic() -> None:
    """``F("debit") - F("credit")`` (and ``+``) of two money fields is money, read back as yuan.

    Django would otherwise type it as a plain ``DecimalField`` and return the raw fen; our rule
    goes first because Django takes the first matching rule (MoneyField is a DecimalField).
    """
    from django.db.models.expressions import Combinable, _connector_combinators

    for connector in (Combinable.ADD, Combinable.SUB):
        rule = (MoneyField, MoneyField, MoneyField)
        if rule not in _connector_combinators[connector]:
            _connector_combinators[connector].insert(0, rule)


_register_money_arithmetic()
