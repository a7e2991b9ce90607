"""Sealing to a public key: RFC 9180 HPKE, base mode, single shot.

Suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM (ids 0x0020, 0x0001, 0x0002),
empty `aad`. The sealed bytes are `enc || ciphertext`: the 32-byte ephemeral public key, then
the AES-GCM output with its 16-byte tag at the end, which is what cryptography's
`hpke.Suite.encrypt` returns and what any RFC 9180 library produces from `Seal()`.

`info` binds a ciphertext to where it belongs: a bid sealed for one tender, lot set and bidder
does not open as another's, and a share sealed for one member does not open as another's.
"""

from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from bids.crypto.canonical import canonical
from bids.crypto.errors import CryptoRefused

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
KEY_SIZE = 32  # X25519 public and private keys, and `enc`
TAG_SIZE = 16
BID_SEAL = "bid-seal/v1"
OPENING_SHARE = "opening-share/v1"


def seal(plaintext: bytes, public_key: bytes, info: bytes) -> bytes:
    """HPKE-seal `plaintext` to a raw 32-byte X25519 public key; returns enc || ciphertext."""
    return SUITE.encrypt(plaintext, _public_key(public_key), info=info)


def open_sealed(sealed: bytes, private_key: bytes, info: bytes) -> bytes:
    """The plaintext of `seal()` output, or CryptoRefused('sealed_undecryptable')."""
    key = _private_key(private_key)
    if len(sealed) < KEY_SIZE + TAG_SIZE:
        raise _undecryptable("It is shorter than the smallest possible sealed payload.")
    try:
        return SUITE.decrypt(sealed, key, info=info)
    except (InvalidTag, ValueError):
        # One message for every cause: telling a wrong key from a tampered byte helps no one
        # but an attacker probing the opening key.
        raise _undecryptable(
            "It was changed after sealing, or sealed to another key or for another "
            "tender, lot set or bidder."
        ) from None


def seal_info(tender: str, lots: Iterable[str], bidder: str) -> bytes:
    """The HPKE `info` of a bid: canonical JSON naming tender, lots (sorted) and bidder."""
    return canonical(
        {"purpose": BID_SEAL, "tender": tender, "lots": sorted_lots(lots), "bidder": bidder}
    )


def share_info(tender: str, member: str) -> bytes:
    """The HPKE `info` of one commission member's opening share (member = their email)."""
    return canonical({"purpose": OPENING_SHARE, "tender": tender, "member": member})


def sorted_lots(lots: Iterable[str]) -> list[str]:
    """Lot ids as strings in code-point order ("10" before "2"), each once."""
    items = list(lots)
    if not all(isinstance(lot, str) for lot in items):
        raise TypeError("lot ids are strings")
    if len(set(items)) != len(items):
        raise ValueError("a lot is listed twice")
    return sorted(items)


def public_key_of(private_key: bytes) -> bytes:
    """The raw X25519 public key that belongs to a raw private key."""
    return _private_key(private_key).public_key().public_bytes_raw()


def _public_key(raw: bytes) -> X25519PublicKey:
    if not isinstance(raw, bytes | bytearray) or len(raw) != KEY_SIZE:
        raise CryptoRefused("key_malformed", "An X25519 public key is exactly 32 bytes.")
    return X25519PublicKey.from_public_bytes(bytes(raw))


def _private_key(raw: bytes) -> X25519PrivateKey:
    if not isinstance(raw, bytes | bytearray) or len(raw) != KEY_SIZE:
        raise CryptoRefused("key_malformed", "An X25519 private key is exactly 32 bytes.")
    return X25519PrivateKey.from_private_bytes(bytes(raw))


def _undecryptable(detail: str) -> CryptoRefused:
    return CryptoRefused("sealed_undecryptable", "The sealed content cannot be opened. " + detail)
