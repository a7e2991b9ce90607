import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bids.crypto import CryptoRefused, receipt_key_id, sign_receipt, verify_receipt

BODY = {
    "type": "bid-receipt/v1",
    "bid": "42",
    "tender": "T-2026-000001",
    "lots": ["1", "2"],
    "bidder": "060540001234",
    "sealed_sha256": "ab" * 32,
    "statement_sha256": "cd" * 32,
    "received_at": "2026-03-02T09:15:00.123456Z",
    "log_index": 1077,
    "checkpoint": {"size": 1078, "root_hash": "ef" * 32},
}


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


def test_signed_receipt_verifies_and_gives_its_body_back(key):
    doc = sign_receipt(BODY, key)
    assert set(doc) == {"receipt", "signature", "key_id"}
    assert doc["key_id"] == receipt_key_id(key.public_key())
    assert len(doc["key_id"]) == 8
    assert verify_receipt(doc, key.public_key()) == BODY


def test_signature_survives_a_json_round_trip_with_other_key_order(key):
    import json

    doc = json.loads(json.dumps(sign_receipt(BODY, key), sort_keys=False, indent=2))
    doc["receipt"] = dict(reversed(list(doc["receipt"].items())))
    assert verify_receipt(doc, key.public_key()) == BODY


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["receipt"].update(log_index=1078),
        lambda d: d["receipt"]["checkpoint"].update(size=1077),
        lambda d: d["receipt"]["lots"].append("3"),
        lambda d: d["receipt"].update(extra="x"),
        lambda d: d.update(signature=d["signature"][:-4] + "AAA="),
        lambda d: d.update(signature="not base64!"),
        lambda d: d.update(key_id="00000000"),
        lambda d: d.pop("key_id"),
    ],
)
def test_any_change_is_refused(key, tamper):
    doc = copy.deepcopy(sign_receipt(BODY, key))
    tamper(doc)
    with pytest.raises(CryptoRefused, match="receipt_invalid"):
        verify_receipt(doc, key.public_key())


def test_another_platform_key_is_refused(key):
    with pytest.raises(CryptoRefused, match="receipt_invalid"):
        verify_receipt(sign_receipt(BODY, key), Ed25519PrivateKey.generate().public_key())
