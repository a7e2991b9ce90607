"""Turning event data into the exact bytes that are hashed (RFC 8785)."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import rfc8785


def iso_utc(value: dt.datetime) -> str:
    """An aware datetime as RFC 3339 in UTC with microseconds and `Z`: one spelling per instant."""
    if value.tzinfo is None:
        raise ValueError("naive datetime in audit data; use django.utils.timezone.now()")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_canonical_value(value: Any) -> Any:
    """Plain JSON values only: money as decimal strings (never floats), instants in UTC."""
    if isinstance(value, dict):
        return {str(k): to_canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_canonical_value(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float):
        raise TypeError("floats are not allowed in audit data; use Decimal or int")
    raise TypeError(f"cannot put {type(value).__name__} into audit data")


def canonical_bytes(value: Any) -> bytes:
    return rfc8785.dumps(to_canonical_value(value))
