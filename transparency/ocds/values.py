"""How the platform's values are written in OCDS: identifiers, amounts, instants."""

import datetime as dt
from decimal import Decimal

BIN_SCHEME = "KZ-BIN"


def party_id(organisation) -> str:
    return f"{BIN_SCHEME}-{organisation.bin}"


def amount(value: Decimal, currency: str) -> dict:
    # OCDS amounts are JSON numbers. Platform amounts have two decimals and stay below 10^13
    # tenge in practice, which a double holds exactly enough to print the same digits back.
    return {"amount": float(value), "currency": currency}


def instant(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def drop_empty(value):
    """OCDS leaves out what is unknown: no nulls, no empty lists or objects."""
    if isinstance(value, dict):
        cleaned = {k: drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, [], {}, "")}
    if isinstance(value, list):
        return [drop_empty(v) for v in value if v not in (None, [], {}, "")]
    return value
