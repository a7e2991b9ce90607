"""The tender opening key: one X25519 key pair per tender, its seed split t-of-n.

    seed (32 random bytes) --HKDF-SHA256(salt none, info "tender-opening-key/v1", L 32)-->
    X25519 private key --> public key (published; key id = first 16 hex of its SHA-256)

The seed is split with Shamir's scheme over GF(2^128) (pycryptodome, which shares 16-byte
secrets): the first and the second 16 bytes are split separately with the same indices
1..n, so member i holds `bytes([i]) + half1_share_i + half2_share_i` (33 bytes). Each share is
HPKE-sealed to that member's own X25519 key with `share_info(tender, member)`; only the
public key, its id and the sealed shares leave `new_opening_key`.

The seed and private key are never stored or returned. Python cannot promise that secret
bytes are erased (immutable `bytes` copies live until the garbage collector reuses their
memory, and the libraries keep their own copies), so we do what is possible: keep the seed in
a `bytearray` that is overwritten before returning, and drop every other reference at once.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from Crypto.Protocol.SecretSharing import Shamir
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bids.crypto.errors import CryptoRefused
from bids.crypto.seal import KEY_SIZE, open_sealed, public_key_of, seal, share_info

SEED_INFO = b"tender-opening-key/v1"
HALF = 16  # pycryptodome's Shamir shares 16-byte secrets
SHARE_SIZE = 1 + 2 * HALF
MAX_MEMBERS = 255  # the index is one byte, and index 0 would be the secret itself


@dataclass(frozen=True)
class OpeningKeyBundle:
    public_key: bytes  # raw X25519, 32 bytes
    key_id: str
    sealed_shares: dict[str, bytes]  # member id (email) -> HPKE-sealed 33-byte share
    # member id -> hex SHA-256 of the plain share: lets the platform refuse a wrong share the
    # moment it is posted. A share of a random seed is itself uniformly random, so its hash
    # gives nothing away.
    share_hashes: dict[str, str]


def opening_key_id(public_key: bytes) -> str:
    """First 16 hex digits of SHA-256 over the raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def member_keypair() -> tuple[bytes, bytes]:
    """A fresh raw X25519 (private, public) pair, as a commission member's tool makes one."""
    key = X25519PrivateKey.generate()
    return key.private_bytes_raw(), key.public_key().public_bytes_raw()


def new_opening_key(
    threshold: int, member_public_keys: dict[str, bytes], *, tender: str
) -> OpeningKeyBundle:
    """Make a tender's opening key and seal one share of its seed to each member."""
    members = sorted(member_public_keys)  # fixed order: share indices are reproducible
    _check_threshold(threshold, len(members))
    seed = bytearray(secrets.token_bytes(KEY_SIZE))
    try:
        public_key = public_key_of(_derive_private_key(seed))
        halves = [
            Shamir.split(threshold, len(members), bytes(seed[:HALF])),
            Shamir.split(threshold, len(members), bytes(seed[HALF:])),
        ]
    finally:
        seed[:] = bytes(KEY_SIZE)
    sealed, hashes = {}, {}
    for (index, first), (same_index, second), member in zip(*halves, members, strict=True):
        if index != same_index:  # pycryptodome numbers shares 1..n in both calls
            raise RuntimeError("Shamir share indices differ between the two halves")
        share = bytes([index]) + first + second
        sealed[member] = seal(share, member_public_keys[member], share_info(tender, member))
        hashes[member] = hashlib.sha256(share).hexdigest()
    del halves, share, first, second  # the seed's shares: drop them before returning
    return OpeningKeyBundle(public_key, opening_key_id(public_key), sealed, hashes)


def open_share(sealed_share: bytes, member_private_key: bytes, tender: str, member: str) -> bytes:
    """What a member does on their own machine: unseal their 33-byte share."""
    share = open_sealed(sealed_share, member_private_key, share_info(tender, member))
    _check_share(share)
    return share


def combine_shares(shares: list[bytes], threshold: int, expected_public_key: bytes) -> bytes:
    """Rebuild the opening private key from shares, refusing it unless it matches the public key.

    Only the first `threshold` shares are used (pycryptodome wants exactly that many); all
    are checked for shape and duplicate indices. The check against the published key happens
    here, so no caller can decrypt a bid with a key rebuilt from a wrong or forged share.
    """
    for share in shares:
        _check_share(share)
    indices = [share[0] for share in shares]
    if len(set(indices)) != len(indices):
        raise CryptoRefused(
            "share_duplicate",
            "The same share was given twice (two shares carry one index). Each member's "
            "share counts once.",
        )
    _check_threshold(threshold, MAX_MEMBERS)
    if len(shares) < threshold:
        raise CryptoRefused(
            "shares_insufficient",
            f"Opening needs {threshold} shares from the commission; {len(shares)} were given.",
        )
    chosen = shares[:threshold]
    seed = bytearray(KEY_SIZE)
    try:
        seed[:HALF] = Shamir.combine([(s[0], bytes(s[1 : 1 + HALF])) for s in chosen])
        seed[HALF:] = Shamir.combine([(s[0], bytes(s[1 + HALF :])) for s in chosen])
        private_key = _derive_private_key(seed)
    finally:
        seed[:] = bytes(KEY_SIZE)
    if not hmac.compare_digest(public_key_of(private_key), bytes(expected_public_key)):
        raise CryptoRefused(
            "opening_key_mismatch",
            "The shares do not rebuild the tender's published opening key: at least one share "
            "is wrong or belongs to another tender. Nothing was decrypted.",
        )
    return private_key


def _derive_private_key(seed: bytearray) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=SEED_INFO)
    return hkdf.derive(bytes(seed))


def _check_threshold(threshold: int, members: int) -> None:
    if not (isinstance(threshold, int) and 1 <= threshold <= members <= MAX_MEMBERS):
        raise CryptoRefused(
            "threshold_invalid",
            f"The number of members needed to open ({threshold}) must be between 1 and the "
            f"size of the commission ({members}), and a commission has at most {MAX_MEMBERS} "
            "members.",
        )


def _check_share(share: bytes) -> None:
    if not isinstance(share, bytes | bytearray) or len(share) != SHARE_SIZE or share[0] == 0:
        raise CryptoRefused(
            "share_malformed",
            f"An opening share is {SHARE_SIZE} bytes (an index from 1 to {MAX_MEMBERS}, then "
            "32 bytes); this one is not. Send the share exactly as your tool printed it.",
        )
