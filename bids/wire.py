"""Decoding what commission members send: raw keys and shares in base64, checked for size,
with the message a member can act on."""

import base64
import binascii

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bids.errors import BidRefused

KEY_SIZE = 32
SHARE_SIZE = 33


def decode_public_key(text: str) -> bytes:
    try:
        raw = base64.b64decode((text or "").strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_SIZE:
        raise ValidationError(
            {
                "public_key": [
                    _(
                        "Give the base64 of a raw 32-byte X25519 public key, as "
                        "`tenderctl.py keygen` prints it."
                    )
                ]
            }
        )
    return raw


def decode_share(text: str) -> bytes:
    try:
        share = base64.b64decode((text or "").strip(), validate=True)
    except (binascii.Error, ValueError):
        share = b""
    if len(share) != SHARE_SIZE:
        raise BidRefused(
            "share_malformed",
            _("A key share is the base64 of 33 bytes, as `tenderctl.py open-share` sends it."),
        )
    return share
