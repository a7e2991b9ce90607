"""Money: Decimal only, two places, half up. The one place amounts are rounded or spelled."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DEFAULT_CURRENCY = "KZT"


def round_money(value: Decimal | int) -> Decimal:
    """`value` to whole cents, halves away from zero (2.345 -> 2.35, -2.345 -> -2.35).

    Floats are refused: 0.1 + 0.2 is not 0.3 in binary, and money must not depend on it.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"round_money() takes Decimal or int, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"not an amount of money: {value}")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal, currency: str = "") -> str:
    """`1,250,000.00 KZT`: the spelling of amounts in messages and audit-friendly text."""
    text = f"{round_money(value):,.2f}"
    return f"{text} {currency}" if currency else text
