"""Money helpers: yuan as Decimal with two places."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.money import MoneyField, allocate, format_yuan, to_yuan


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("4200"), Decimal("4200.00")),
        (4200, Decimal("4200.00")),
        ("4200", Decimal("4200.00")),
        ("0.005", Decimal("0.01")),  # half up, not half even
        ("0.015", Decimal("0.02")),
        ("0.025", Decimal("0.03")),
        ("-0.005", Decimal("-0.01")),  # half away from zero
        ("12.344", Decimal("12.34")),
        (" 4,200.50 ", Decimal("4200.50")),
        ("1,234,567.891", Decimal("1234567.89")),
        ("￥12.5", Decimal("12.50")),
        ("12.5元", Decimal("12.50")),
        ("１２.５", Decimal("12.50")),
        (Decimal("1E+3"), Decimal("1000.00")),
    ],
)
def test_to_yuan(value: object, expected: Decimal) -> None:
    result = to_yuan(value)  # type: ignore[arg-type]
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [0.1, 1.0, True])
def test_to_yuan_refuses_float_and_bool(value: object) -> None:
    with pytest.raises(TypeError):
        to_yuan(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["abc", "1.2.3", "", "  ", "NaN", "Infinity", Decimal("NaN"), "12,34"])
def test_to_yuan_refuses_non_numbers_in_chinese(value: object) -> None:
    with pytest.raises(ValidationError) as exc_info:
        to_yuan(value)  # type: ignore[arg-type]
    assert "金额" in " ".join(exc_info.value.messages)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("4200"), "4,200.00"),
        (Decimal("0"), "0.00"),
        (Decimal("1234567.895"), "1,234,567.90"),
        (Decimal("-4200.5"), "-4,200.50"),
        (Decimal("999.994"), "999.99"),
        (7, "7.00"),
        (Decimal("-0.001"), "0.00"),  # no negative zero
    ],
)
def test_format_yuan(value: Decimal, expected: str) -> None:
    assert format_yuan(value) == expected
    assert to_yuan(format_yuan(value)) == to_yuan(value)


def test_allocate_examples() -> None:
    assert allocate(Decimal("100"), [Decimal(1)] * 3) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert allocate(Decimal("0.05"), [Decimal(1), Decimal(1)]) == [Decimal("0.03"), Decimal("0.02")]
    assert allocate(Decimal("10"), [Decimal(0), Decimal(1)]) == [Decimal("0.00"), Decimal("10.00")]
    assert allocate(Decimal("-100"), [1, 1, 1]) == [Decimal("-33.34"), Decimal("-33.33"), Decimal("-33.33")]
    # remainders decide: shares 1.666…, 3.333… fen → 2, 3
    assert allocate(Decimal("0.05"), [Decimal(1), Decimal(2)]) == [Decimal("0.02"), Decimal("0.03")]


@pytest.mark.parametrize(
    ("weights", "error"),
    [
        ([], ValueError),
        ([Decimal(0)], ValueError),
        ([Decimal(-1), Decimal(2)], ValueError),
        ([0.5], TypeError),
    ],
)
def test_allocate_refuses_bad_weights(weights: list[object], error: type[Exception]) -> None:
    with pytest.raises(error):
        allocate(Decimal("1"), weights)  # type: ignore[arg-type]


amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False)
weights = st.lists(
    st.decimals(min_value=Decimal(0), max_value=Decimal("1e6"), places=4, allow_nan=False),
    min_size=1,
    max_size=30,
).filter(lambda ws: sum(ws) > 0)


@given(amounts, weights)
def test_allocate_sums_exactly_and_stays_close(total: Decimal, ws: list[Decimal]) -> None:
    parts = allocate(total, ws)
    assert len(parts) == len(ws)
    assert sum(parts, Decimal(0)) == total
    assert all(p.as_tuple().exponent == -2 for p in parts)
    for part, w in zip(parts, ws, strict=True):
        exact = total * w / sum(ws)
        assert abs(part - exact) < Decimal("0.01")
        if total >= 0:
            assert part >= 0
        if w == 0:
            assert part == 0


@given(st.decimals(min_value=Decimal(0), max_value=Decimal("1e9"), places=2), weights)
def test_allocate_no_part_negative(total: Decimal, ws: list[Decimal]) -> None:
    assert min(allocate(total, ws)) >= 0


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=Decimal("-1e12"), max_value=Decimal("1e12")))
def test_to_yuan_is_idempotent_and_two_places(value: Decimal) -> None:
    once = to_yuan(value)
    assert to_yuan(once) == once
    assert abs(once - value) <= Decimal("0.005")
    assert to_yuan(str(value)) == once


def test_money_field_defaults() -> None:
    field = MoneyField("金额")
    assert (field.max_digits, field.decimal_places) == (14, 2)
    assert MoneyField(max_digits=18).max_digits == 18
    _, path, _, kwargs = field.deconstruct()
    assert path == "core.money.MoneyField"
    assert kwargs["max_digits"] == 14
    assert kwargs["decimal_places"] == 2
