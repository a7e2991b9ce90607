"""RFC 8785 canonical JSON: the single byte spelling of a statement that is signed and hashed.

A signature covers bytes, not meaning. If the server re-serialised what a supplier sent, two
spellings of one statement could carry different hashes, and a later reader could not tell
which bytes were signed. So the server accepts only bytes that already are their own
canonical form, and refuses floats, because a price must survive every parser unchanged.
"""

import json
from typing import Any

import rfc8785

from bids.crypto.errors import CryptoRefused

NOT_CANONICAL = "statement_not_canonical"
MALFORMED = "statement_malformed"

_FLOAT_MESSAGE = (
    "The statement contains a number with a fraction or exponent. Write amounts as decimal "
    'strings such as "1250000.00", never as JSON numbers.'
)
_RANGE_MESSAGE = (
    "The statement contains a whole number beyond ±2^53, which JSON cannot carry exactly. "
    "Write large values as decimal strings."
)


class _FloatFound(Exception):
    """Raised from inside json.loads; deliberately not a ValueError, which means 'bad JSON'."""


def canonical(obj: Any) -> bytes:
    """The RFC 8785 bytes of a JSON-native value (dict, list, str, int, bool, None)."""
    _refuse_floats(obj)
    try:
        return rfc8785.dumps(obj)
    except rfc8785.IntegerDomainError as exc:
        raise CryptoRefused(MALFORMED, _RANGE_MESSAGE) from exc
    except rfc8785.CanonicalizationError as exc:
        raise CryptoRefused(MALFORMED, f"The statement cannot be put in JSON: {exc}.") from exc


def parse_canonical(data: bytes) -> dict:
    """The object whose canonical bytes are exactly `data`; refuses any other spelling."""
    try:
        obj = json.loads(
            data.decode("utf-8"),
            parse_float=_float_found,
            parse_constant=_float_found,
            object_pairs_hook=_object_without_duplicates,
        )
    except _FloatFound:
        raise CryptoRefused(MALFORMED, _FLOAT_MESSAGE) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _not_canonical(f"It is not valid UTF-8 JSON ({exc}).") from None
    if not isinstance(obj, dict):
        raise _not_canonical("It must be a JSON object ({...}).")
    if canonical(obj) != data:
        raise _not_canonical(
            "Its bytes differ from the canonical spelling of the same content "
            "(key order, spaces, line breaks or escapes)."
        )
    return obj


def _not_canonical(detail: str) -> CryptoRefused:
    return CryptoRefused(
        NOT_CANONICAL,
        "The statement is not in canonical form. "
        + detail
        + " Send, and sign, the exact RFC 8785 (JSON Canonicalization Scheme) bytes: keys "
        "sorted, no spaces, no escapes other than the required ones, UTF-8.",
    )


def _float_found(_text: str):
    raise _FloatFound


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        # json.loads keeps the last value; the signer may have meant the first.
        raise ValueError("a key appears twice in one object")
    return obj


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise CryptoRefused(MALFORMED, _FLOAT_MESSAGE)
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)
