"""Reading the signed statements (docs/bid-format.md, sections 3, 6 and 7).

Everything here is checked without opening anything and without the database: shape, field
types, canonical bytes. What the fields must equal (the tender's version, its lots, the
opening key) is the submission service's to check against the locked tender.
"""

import datetime as dt
import re

from django.utils.translation import gettext as _

from bids.crypto import CryptoRefused, parse_canonical
from bids.errors import BidRefused

HEX64 = re.compile(r"^[0-9a-f]{64}$")
BIN = re.compile(r"^[0-9]{12}$")
PRICE = re.compile(r"^(0|[1-9][0-9]{0,15})\.[0-9]{2}$")
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")

SUBMISSION = "bid-submission/v1"
WITHDRAWAL = "bid-withdrawal/v1"
CONTENT = "bid-content/v1"

SUBMISSION_FIELDS = {
    "type",
    "platform",
    "tender",
    "tender_version",
    "lots",
    "bidder",
    "sealed_sha256",
    "opening_key_id",
    "nonce",
    "signed_at",
    "supersedes",
}
WITHDRAWAL_FIELDS = {"type", "platform", "tender", "bid", "bidder", "nonce", "signed_at"}
CONTENT_FIELDS = {
    "type",
    "tender",
    "tender_version",
    "lots",
    "bidder",
    "nonce",
    "prices",
    "currency",
    "documents",
    "answers",
}


def malformed(detail: str) -> BidRefused:
    return BidRefused("statement_malformed", _("The statement is malformed: %(d)s") % {"d": detail})


def parse(data: bytes, kind: str) -> dict:
    """The statement as a dict, if `data` is exactly canonical JSON of the expected shape."""
    try:
        statement = parse_canonical(data)
    except CryptoRefused as exc:
        raise BidRefused(exc.code, exc.message) from None
    fields = {SUBMISSION: SUBMISSION_FIELDS, WITHDRAWAL: WITHDRAWAL_FIELDS}[kind]
    if statement.get("type") != kind:
        raise malformed(_('its "type" must be "%(t)s".') % {"t": kind})
    if set(statement) != fields:
        missing, extra = sorted(fields - set(statement)), sorted(set(statement) - fields)
        raise malformed(
            _("missing fields: %(m)s; unknown fields: %(e)s.")
            % {"m": ", ".join(missing) or "-", "e": ", ".join(extra) or "-"}
        )
    for name in ("platform", "tender", "bidder", "nonce", "signed_at"):
        if not isinstance(statement[name], str):
            raise malformed(_('"%(f)s" must be a string.') % {"f": name})
    if not BIN.match(statement["bidder"]):
        raise malformed(_('"bidder" must be a 12-digit BIN.'))
    if not INSTANT.match(statement["signed_at"]):
        raise malformed(_('"signed_at" must be a UTC instant ending in Z.'))
    if kind == SUBMISSION:
        _check_submission(statement)
    elif not isinstance(statement["bid"], str):
        raise malformed(_('"bid" must be a string.'))
    return statement


def _check_submission(statement: dict) -> None:
    lots = statement["lots"]
    if not isinstance(lots, list) or not lots or not all(isinstance(x, str) for x in lots):
        raise malformed(_('"lots" must be a non-empty list of lot ids (strings).'))
    if lots != sorted(set(lots)):
        raise malformed(_('"lots" must be sorted, without repeats.'))
    for name in ("tender_version", "sealed_sha256"):
        if not isinstance(statement[name], str) or not HEX64.match(statement[name]):
            raise malformed(_('"%(f)s" must be 64 lowercase hex digits.') % {"f": name})
    if not isinstance(statement["opening_key_id"], str):
        raise malformed(_('"opening_key_id" must be a string.'))
    if statement["supersedes"] is not None and not isinstance(statement["supersedes"], str):
        raise malformed(_('"supersedes" must be null or a bid id.'))


def signed_at(statement: dict) -> dt.datetime:
    text = statement["signed_at"].replace("Z", "+00:00")
    return dt.datetime.fromisoformat(text)


def content_problem(inner: dict, outer: dict, currency: str) -> str:
    """Why the opened inner statement does not stand with the outer one ("" when it does)."""
    if not isinstance(inner, dict) or set(inner) != CONTENT_FIELDS or inner["type"] != CONTENT:
        return _("the sealed content is not a bid-content/v1 statement")
    for name in ("tender", "tender_version", "lots", "bidder", "nonce"):
        if inner[name] != outer[name]:
            return _('the sealed content names another "%(f)s" than the signed statement') % {
                "f": name
            }
    prices = inner["prices"]
    if not isinstance(prices, dict) or sorted(prices) != outer["lots"]:
        return _("the prices do not name exactly the lots bid on")
    for lot, price in prices.items():
        if not isinstance(price, str) or not PRICE.match(price):
            return _("the price for lot %(lot)s is not a decimal amount with two decimals") % {
                "lot": lot
            }
        if price == "0.00":
            return _("the price for lot %(lot)s is zero") % {"lot": lot}
    if inner["currency"] != currency:
        return _("the prices are in %(c)s, the tender in %(t)s") % {
            "c": inner["currency"],
            "t": currency,
        }
    if not isinstance(inner["documents"], list) or not isinstance(inner["answers"], dict):
        return _("documents or answers are malformed")
    return ""
