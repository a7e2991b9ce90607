"""round_money(): two places, halves away from zero, Decimal in and out, floats refused."""

from decimal import Decimal

import pytest

from procurement.money import format_money, round_money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2.345"), Decimal("2.35")),
        (Decimal("2.344"), Decimal("2.34")),
        (Decimal("2.3449999"), Decimal("2.34")),
        (Decimal("0.005"), Decimal("0.01")),
        (Decimal("0.004"), Decimal("0.00")),
        (Decimal("-2.345"), Decimal("-2.35")),
        (Decimal("1250000"), Decimal("1250000.00")),
        (Decimal("1.1"), Decimal("1.10")),
        (7, Decimal("7.00")),
        (Decimal("9999999999999999.994"), Decimal("9999999999999999.99")),
        (Decimal("9999999999999999.995"), Decimal("10000000000000000.00")),
    ],
)
def test_rounds_half_up_to_two_places(value, expected):
    result = round_money(value)

    assert result == expected
    assert isinstance(result, Decimal)
    assert result.as_tuple().exponent == -2


def test_rounding_half_up_is_not_bankers_rounding():
    # Python's round() and Decimal's default round half to even: 2.345 -> 2.34, 2.355 -> 2.36.
    assert round_money(Decimal("2.345")) == Decimal("2.35")
    assert round_money(Decimal("2.355")) == Decimal("2.36")


@pytest.mark.parametrize("value", [0.1, 2.345, 1e6, float("nan")])
def test_refuses_floats(value):
    with pytest.raises(TypeError, match="float"):
        round_money(value)


@pytest.mark.parametrize("value", ["2.34", True, None, [Decimal("1")]])
def test_refuses_anything_else_that_is_not_a_number_of_money(value):
    with pytest.raises(TypeError, match="Decimal or int"):
        round_money(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_refuses_decimals_that_are_not_amounts(value):
    with pytest.raises(ValueError, match="not an amount"):
        round_money(value)


def test_formats_amounts_with_thousands_and_currency():
    assert format_money(Decimal("1250000")) == "1,250,000.00"
    assert format_money(Decimal("4250000.005"), "KZT") == "4,250,000.01 KZT"
    assert format_money(Decimal("0"), "KZT") == "0.00 KZT"
