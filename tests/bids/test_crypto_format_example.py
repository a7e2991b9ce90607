"""The worked example in docs/bid-format.md is real: every value there is recomputed here."""

import base64
import hashlib
import json
import re
from itertools import combinations
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bids.crypto import (
    combine_shares,
    open_sealed,
    opening_key_id,
    parse_canonical,
    public_key_of,
    receipt_key_id,
    seal_info,
    share_info,
    verify_receipt,
)
from bids.crypto.opening_key import SEED_INFO
from tests.bids.test_crypto_hpke_vectors import AES_256_GCM, reference_seal

DOC = (Path(__file__).resolve().parents[2] / "docs" / "bid-format.md").read_text()
h = bytes.fromhex

SEED = h("c5454603fb0fdb5ca1bb9fbc531acbb55354bdcb82cf8d96409009222b5d69fb")
PRIVATE = h("75b9febb63c491dd943afb9953eb7266892f04cb724b34c87b99f9b2acf7a3b2")
PUBLIC = h("e60552f30912caec7880f6750636ea153f882c290a7da82ea830f3952e61ed5d")
SHARES = [
    h("01a12c3feb1f06d4d097df3b2088db04866dcbf673e41dc4b9fe9dc1acab50244d"),
    h("020d97b5d2331dc444cd72d685e49955d32e6a2abb4f6b1fc93c8b983f2b47f297"),
    h("0369fecc3ad714cbc8fb1672193f589ae010f5610329b956e6828650b1ab4abf21"),
]
EPHEMERAL = h("302f8893e1a4132415ce7bd2c0c8c6d68cd83685d2cfb54ab1410add37be3c9a")
PLAINTEXT = b'{"inner":{"type":"bid-content/v1"},"signature":"MA=="}'
SEALED = h(
    "d4e15193df32318e13bbe50cc98e0450242a46a097f3b92d8272ee06a6d8a1795b7686029bc9095c9d91570d"
    "bfa1087dcb64a9af8cf971d61eb8d9074e2a2f4d27e4229bc359907ec68399921f143851ff7d741ac59194f2"
    "0bfd4e5dac981f175824233c774d"
)
INFO = seal_info("T-2026-000001", ["1", "2"], "060540001234")


def shown(value: str) -> bool:
    return value in DOC


def canonical_lines(type_: str) -> list[bytes]:
    ending = f'"type":"{type_}"}}'
    return [
        line.encode() for line in DOC.splitlines() if line.startswith("{") and line.endswith(ending)
    ]


def test_opening_key_derivation_matches_the_doc():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = HKDF(hashes.SHA256(), 32, salt=None, info=SEED_INFO).derive(SEED)
    assert derived == PRIVATE
    assert public_key_of(PRIVATE) == PUBLIC
    for value in (SEED.hex(), PRIVATE.hex(), PUBLIC.hex(), opening_key_id(PUBLIC)):
        assert shown(value), value
    assert shown(base64.b64encode(PUBLIC).decode())


def test_any_two_example_shares_rebuild_the_example_key():
    for pair in combinations(SHARES, 2):
        assert combine_shares(list(pair), 2, PUBLIC) == PRIVATE
    assert all(shown(share.hex()) for share in SHARES)
    assert shown(base64.b64encode(SHARES[0]).decode())


def test_info_strings_are_the_docs():
    assert shown(INFO.decode())
    assert shown(share_info("T-2026-000001", "aigerim@agency.kz").decode())


def test_sealing_vector_is_reproducible_and_opens():
    assert reference_seal(AES_256_GCM, EPHEMERAL, PUBLIC, INFO, PLAINTEXT) == SEALED
    assert open_sealed(SEALED, PRIVATE, INFO) == PLAINTEXT
    for value in (EPHEMERAL.hex(), PLAINTEXT.decode(), SEALED.hex()):
        assert shown(value), value


@pytest.mark.parametrize(
    "type_", ["bid-content/v1", "bid-submission/v1", "bid-receipt/v1", "bid-withdrawal/v1"]
)
def test_example_statements_are_canonical(type_):
    (line,) = canonical_lines(type_)
    assert parse_canonical(line)["type"] == type_


def test_example_hashes_are_of_the_example_bytes():
    (inner,) = canonical_lines("bid-content/v1")
    (outer,) = canonical_lines("bid-submission/v1")
    assert shown(f"SHA-256 `{hashlib.sha256(inner).hexdigest()}`")
    assert shown(f"SHA-256 `{hashlib.sha256(outer).hexdigest()}`")
    statement = parse_canonical(outer)
    assert statement["opening_key_id"] == opening_key_id(PUBLIC)
    document = parse_canonical(inner)["documents"][0]
    content = base64.b64decode(document["content_base64"])
    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["size"] == len(content) == 34


def test_example_receipt_verifies_with_the_example_platform_key():
    key = Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"bid-format example platform key").digest()
    )
    assert shown(key.public_key().public_bytes_raw().hex())
    assert shown(f"key id `{receipt_key_id(key.public_key())}`")
    block = re.search(r'```json\n(\{\n  "receipt".*?)\n```', DOC, re.DOTALL).group(1)
    doc = json.loads(block)
    body = verify_receipt(doc, key.public_key())
    (outer,) = canonical_lines("bid-submission/v1")
    assert body["statement_sha256"] == hashlib.sha256(outer).hexdigest()
    assert body["sealed_sha256"] == parse_canonical(outer)["sealed_sha256"]
    (signed,) = canonical_lines("bid-receipt/v1")
    assert parse_canonical(signed) == body
