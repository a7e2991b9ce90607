"""The pure cryptography of sealed bids: no models, no database, no Django.

canonical   RFC 8785 bytes, and a parser that accepts nothing else
seal        HPKE (X25519, HKDF-SHA256, AES-256-GCM) sealing and the `info` strings
opening_key the tender opening key, its t-of-n split, and its rebuilding
receipts    Ed25519-signed submission receipts
errors      CryptoRefused(code, message)

docs/bid-format.md describes the wire format built from these pieces.
"""

from bids.crypto.canonical import canonical, parse_canonical
from bids.crypto.errors import CryptoRefused
from bids.crypto.opening_key import (
    OpeningKeyBundle,
    combine_shares,
    member_keypair,
    new_opening_key,
    open_share,
    opening_key_id,
)
from bids.crypto.receipts import receipt_key_id, sign_receipt, verify_receipt
from bids.crypto.seal import open_sealed, public_key_of, seal, seal_info, share_info

__all__ = [
    "CryptoRefused",
    "OpeningKeyBundle",
    "canonical",
    "combine_shares",
    "member_keypair",
    "new_opening_key",
    "open_sealed",
    "open_share",
    "opening_key_id",
    "parse_canonical",
    "public_key_of",
    "receipt_key_id",
    "seal",
    "seal_info",
    "share_info",
    "sign_receipt",
    "verify_receipt",
]
