"""Single-use nonces for signed statements, issued without a database row.

A nonce is `n1.<tender>.<bidder BIN>.<expiry, unix seconds>.<random>.<HMAC>`: the HMAC (keyed
from SECRET_KEY) makes it "known", the expiry makes it short-lived, and a UsedNonce row,
written in the same transaction as the bid or withdrawal that spends it, makes it single-use.
Issuing one costs no write, so asking for nonces cannot fill the database or the audit log.
"""

import secrets
import time

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from bids.errors import BidRefused

SALT = "bids.nonce/v1"
PREFIX = "n1"


def _mac(body: str) -> str:
    return salted_hmac(SALT, body, algorithm="sha256").hexdigest()[:32]


def issue_nonce(*, tender: str, bidder: str, now: float | None = None) -> tuple[str, int]:
    """A nonce for `bidder` to sign statements about `tender`, and its expiry (unix time)."""
    expires = int((now or time.time()) + settings.BID_NONCE_TTL_SECONDS)
    body = f"{PREFIX}.{tender}.{bidder}.{expires}.{secrets.token_hex(16)}"
    return f"{body}.{_mac(body)}", expires


def check_nonce(value, *, tender: str, bidder: str, now: float) -> None:
    """Refuse a nonce this platform did not issue for this tender and bidder, or one that has
    expired. Whether it was used already is decided by the UsedNonce insert."""
    if not isinstance(value, str) or value.count(".") != 5:
        raise BidRefused("nonce_invalid", _("The nonce is not one this platform issued."))
    body, mac = value.rsplit(".", 1)
    prefix, for_tender, for_bidder, expires, _random = body.split(".")
    if prefix != PREFIX or not constant_time_compare(mac, _mac(body)):
        raise BidRefused("nonce_invalid", _("The nonce is not one this platform issued."))
    if for_tender != tender or for_bidder != bidder:
        raise BidRefused(
            "nonce_invalid",
            _("The nonce was issued for another tender or bidder; fetch a new one."),
        )
    if not expires.isdigit() or now >= int(expires):
        raise BidRefused(
            "nonce_expired",
            _("The nonce expired (they last %(n)s minutes); fetch a new one and sign again.")
            % {"n": settings.BID_NONCE_TTL_SECONDS // 60},
        )
