"""Submission receipts: the platform's Ed25519 signature over the canonical JSON of a body.

A receipt is {"receipt": body, "signature": base64(Ed25519(canonical(body))), "key_id": id}
where id is the first 8 hex digits of SHA-256 over the raw 32-byte public key. Anyone holding
the platform's public key can check it with nothing but an Ed25519 library and RFC 8785.
The body must already be JSON-native: instants as "...Z" strings, amounts as strings.
"""

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from bids.crypto.canonical import canonical
from bids.crypto.errors import CryptoRefused

SIGNATURE_SIZE = 64
DOCUMENT_KEYS = {"receipt", "signature", "key_id"}


def receipt_key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_key.public_bytes_raw()).hexdigest()[:8]


def sign_receipt(body: dict, private_key: Ed25519PrivateKey) -> dict:
    signature = private_key.sign(canonical(body))
    return {
        "receipt": body,
        "signature": base64.b64encode(signature).decode("ascii"),
        "key_id": receipt_key_id(private_key.public_key()),
    }


def verify_receipt(doc: dict, public_key: Ed25519PublicKey) -> dict:
    """The receipt body if `doc` carries a valid signature by `public_key`, else CryptoRefused."""
    if (
        not isinstance(doc, dict)
        or set(doc) != DOCUMENT_KEYS
        or not isinstance(doc["receipt"], dict)
    ):
        raise _invalid('It must be an object with exactly "receipt", "signature" and "key_id".')
    expected = receipt_key_id(public_key)
    if doc["key_id"] != expected:
        raise _invalid(f"It names signing key {doc['key_id']!r}; the key given is {expected!r}.")
    try:
        signature = base64.b64decode(doc["signature"], validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise _invalid("Its signature is not base64.") from None
    if len(signature) != SIGNATURE_SIZE:
        raise _invalid("Its signature is not 64 bytes.")
    try:
        public_key.verify(signature, canonical(doc["receipt"]))
    except (InvalidSignature, CryptoRefused):
        raise _invalid("The signature does not match its content: it was altered.") from None
    return doc["receipt"]


def _invalid(detail: str) -> CryptoRefused:
    return CryptoRefused("receipt_invalid", "This receipt does not verify. " + detail)
