"""Kazakhstan's business and individual identification numbers (BIN / IIN).

12 digits; the 12th is a check digit computed mod 11 with weights 1..11, and when that gives
10, again with weights 3..11, 1, 2; a number whose check still comes to 10 is never issued.
For a BIN, digits 3-4 are the month of registration and digit 5 the type of legal entity
(4 resident, 5 non-resident, 6 individual entrepreneur on a joint venture basis).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
BIN_TYPE_DIGITS = "456"


def check_digit(first_eleven: str) -> int | None:
    """The check digit for 11 digits, or None when no valid number can end them."""
    digits = [int(c) for c in first_eleven]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def bin_errors(value: str) -> list[str]:
    """Every reason `value` is not a valid BIN, in words a person understands (empty if valid)."""
    value = value.strip() if isinstance(value, str) else ""
    if len(value) != 12 or not value.isdigit():
        return [
            _("A BIN has exactly 12 digits (you entered %(n)d characters).") % {"n": len(value)}
        ]
    errors = []
    month = int(value[2:4])
    if not 1 <= month <= 12:
        errors.append(
            _("Digits 3–4 of a BIN are the month of registration (01–12), not %(mm)s.")
            % {"mm": value[2:4]}
        )
    if value[4] not in BIN_TYPE_DIGITS:
        errors.append(
            _("Digit 5 of a BIN is the entity type (4, 5 or 6), not %(d)s.") % {"d": value[4]}
        )
    expected = check_digit(value[:11])
    if expected is None:
        errors.append(
            _("No valid BIN begins with %(p)s: its check digit cannot be computed.")
            % {"p": value[:11]}
        )
    elif expected != int(value[11]):
        errors.append(
            _(
                "The check digit (the last digit) should be %(exp)d, not %(got)s: please check the number for a typo."
            )
            % {"exp": expected, "got": value[11]}
        )
    return errors


def is_valid_bin(value: str) -> bool:
    return not bin_errors(value)


def validate_bin(value: str) -> None:
    errors = bin_errors(value)
    if errors:
        raise ValidationError(errors, code="invalid_bin")


def iin_errors(value: str) -> list[str]:
    """Every reason `value` is not a valid IIN (a person's number, used by sole traders)."""
    value = value.strip() if isinstance(value, str) else ""
    if len(value) != 12 or not value.isdigit():
        return [
            _("An IIN has exactly 12 digits (you entered %(n)d characters).") % {"n": len(value)}
        ]
    errors = []
    month, day = int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        errors.append(
            _("Digits 1–6 of an IIN are the date of birth (YYMMDD); %(d)s is not a date.")
            % {"d": value[:6]}
        )
    if value[6] not in "123456":
        errors.append(
            _("Digit 7 of an IIN is the century and sex (1–6), not %(d)s.") % {"d": value[6]}
        )
    expected = check_digit(value[:11])
    if expected is None:
        errors.append(
            _("No valid IIN begins with %(p)s: its check digit cannot be computed.")
            % {"p": value[:11]}
        )
    elif expected != int(value[11]):
        errors.append(
            _(
                "The check digit (the last digit) should be %(exp)d, not %(got)s: please check the number for a typo."
            )
            % {"exp": expected, "got": value[11]}
        )
    return errors


def identifier_errors(value: str, *, sole_trader: bool) -> list[str]:
    return iin_errors(value) if sole_trader else bin_errors(value)
