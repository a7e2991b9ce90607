"""Reading fields of an OCDS compiled release the way Cardinal reads them.

Cardinal works on untyped JSON: a field counts only if it has the expected JSON type (a
number given as a string is no number, an ``id`` given as a number is no ``id``). These
helpers keep that behaviour: ``get`` is serde_json's ``Value::get`` (None unless an object
has the key), ``number`` is ``as_f64`` (None for anything but a JSON number).
"""

import math
import re
from datetime import date
from typing import Any

EMPTY: frozenset[str] = frozenset()
NOT_SUBMITTED = ("invited", "withdrawn")
_DAY_NS = 86_400 * 10**9
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))"
)


def get(value: Any, key: str) -> Any:
    """``value[key]`` if value is a JSON object that has the key, else None."""
    return value.get(key) if type(value) is dict else None


def number(value: Any) -> float | None:
    """A JSON number as a float (booleans are not numbers); None for anything else."""
    kind = type(value)
    if kind is float:
        return value
    if kind is int:
        try:
            return float(value)
        except OverflowError:  # Rust parses an out-of-range integer as ±infinity
            return math.copysign(math.inf, value)
    return None


def is_cancelled(release: dict) -> bool:
    """The whole contracting process was cancelled (``/tender/status``)."""
    return get(release.get("tender"), "status") == "cancelled"


def matches_procurement_method(tender: dict, methods: frozenset[str]) -> bool:
    """An empty set matches every process; otherwise ``/tender/procurementMethod`` must be in it."""
    if not methods:
        return True
    method = tender.get("procurementMethod")
    return type(method) is str and method in methods


def matches_procurement_method_details(
    release: dict, include: frozenset[str], exclude: frozenset[str]
) -> bool:
    """An allow list (include) if non-empty, else a deny list (exclude), on procurementMethodDetails.

    Without the field, a process matches only a deny list.
    """
    details = get(release.get("tender"), "procurementMethodDetails")
    if type(details) is str:
        return details in include if include else details not in exclude
    return not include


def submitted_bids(release: dict) -> list[dict]:
    """Bids whose status is set and is neither invited nor withdrawn (pending, valid, disqualified…)."""
    details = get(release.get("bids"), "details")
    if type(details) is not list:
        return []
    return [
        bid
        for bid in details
        if type(status := get(bid, "status")) is str and status not in NOT_SUBMITTED
    ]


def complete_awards_and_bids(release: dict) -> tuple[list[dict], list] | None:
    """The active awards and all bids, if no award is pending (or has an unknown status).

    Results must be stable, so a process with an award still pending is left out (None);
    cancelled and unsuccessful awards are earlier attempts and are ignored.
    """
    awards = release.get("awards")
    details = get(release.get("bids"), "details")
    if type(awards) is not list or type(details) is not list:
        return None
    complete = []
    for award in awards:
        status = get(award, "status")
        if type(status) is not str:
            continue
        if status == "active":
            complete.append(award)
        elif status not in ("cancelled", "unsuccessful"):
            return None
    return complete, details


def sole_supplier_id(award: dict) -> str | None:
    """The supplier's id if the award names exactly one supplier with a string id."""
    suppliers = award.get("suppliers")
    if type(suppliers) is list and len(suppliers) == 1:
        supplier_id = get(suppliers[0], "id")
        if type(supplier_id) is str:
            return supplier_id
    return None


def supplier_ids(award: Any) -> list[str]:
    """Every string ``id`` among the award's suppliers, in order."""
    suppliers = get(award, "suppliers")
    if type(suppliers) is not list:
        return []
    return [supplier_id for s in suppliers if type(supplier_id := get(s, "id")) is str]


def sole_tenderer_id(bid: Any) -> str | None:
    """The tenderer's id if the bid names exactly one tenderer with a string id."""
    tenderers = get(bid, "tenderers")
    if type(tenderers) is list and len(tenderers) == 1:
        tenderer_id = get(tenderers[0], "id")
        if type(tenderer_id) is str:
            return tenderer_id
    return None


def tenderer_ids(bid: Any) -> list[str]:
    """Every string ``id`` among the bid's tenderers, in order (repeats kept)."""
    tenderers = get(bid, "tenderers")
    if type(tenderers) is not list:
        return []
    return [tenderer_id for t in tenderers if type(tenderer_id := get(t, "id")) is str]


def valid_bid_prices(details: list) -> list[tuple[str, float, str]]:
    """(tenderer id, amount, currency) of each valid bid from a single tenderer with a price."""
    prices = []
    for bid in details:
        value = get(bid, "value")
        amount = number(get(value, "amount"))
        currency = get(value, "currency")
        if get(bid, "status") != "valid" or amount is None or type(currency) is not str:
            continue
        tenderer_id = sole_tenderer_id(bid)
        if tenderer_id is not None:
            prices.append((tenderer_id, amount, currency))
    return prices


def rfc3339_nanoseconds(value: str) -> int | None:
    """Nanoseconds since 0001-01-01 UTC of an RFC 3339 date-time (as chrono parses it), or None."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.group(1, 2, 3, 4, 5, 6))
    fraction, sign, offset_hours, offset_minutes = match.group(7, 8, 9, 10)
    if hour > 23 or minute > 59 or second > 60:  # 60: a leap second
        return None
    try:
        days = date(year, month, day).toordinal()
    except ValueError:
        return None
    offset = 0
    if sign:
        if int(offset_hours) > 23 or int(offset_minutes) > 59:
            return None
        offset = (int(offset_hours) * 3600 + int(offset_minutes) * 60) * (-1 if sign == "-" else 1)
    seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
    return seconds * 10**9 + int((fraction or "")[:9].ljust(9, "0"))


def whole_days(nanoseconds: int) -> int:
    """A duration in whole days, truncated toward zero (chrono's ``num_days``)."""
    days = abs(nanoseconds) // _DAY_NS
    return days if nanoseconds >= 0 else -days


def divide(numerator: float, denominator: float) -> float:
    """IEEE 754 division, as in Rust: x/0 is ±infinity and 0/0 is NaN, instead of an exception."""
    if denominator:
        return numerator / denominator
    if numerator == 0 or numerator != numerator:
        return math.nan
    return math.copysign(math.inf, numerator) * math.copysign(1.0, denominator)
