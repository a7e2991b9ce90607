"""Writes the cross-language vectors in this folder from the Python side (tools/tenderctl.py and
bids/crypto). Run it only when the wire format changes on purpose:

    .venv/bin/python -m tests.bids.vectors.make_vectors

tests/bids/test_cross_language_vectors.py checks that Python still produces every file exactly,
and that the browser code (static/js/signing.js) produces the same bytes.
"""

import base64
import importlib.util
import json
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tests.bids.test_crypto_hpke_vectors import AES_256_GCM, reference_seal

# tools/tenderctl.py by path, as tests/bids/support.py loads it (without Django).
_spec = importlib.util.spec_from_file_location(
    "tenderctl_for_vectors", Path(__file__).resolve().parents[3] / "tools" / "tenderctl.py"
)
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

FOLDER = Path(__file__).resolve().parent
h = bytes.fromhex

# docs/bid-format.md section 10.
OPENING_PRIVATE = h("75b9febb63c491dd943afb9953eb7266892f04cb724b34c87b99f9b2acf7a3b2")
EPHEMERAL = h("302f8893e1a4132415ce7bd2c0c8c6d68cd83685d2cfb54ab1410add37be3c9a")
SHARE_1 = h("01a12c3feb1f06d4d097df3b2088db04866dcbf673e41dc4b9fe9dc1acab50244d")
TENDER, BIDDER, LOTS = "T-2026-000001", "060540001234", ["1", "2"]
MEMBER = "aigerim@agency.kz"
VERSION = "109edfea69892ed746c9a3edfc02c5a46ad7351ac7acc42b41ce62a5bc54dcb7"

CANONICAL_CASES = [
    (
        "rfc8785 key order (UTF-16 code units)",
        '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    ),
    (
        "escapes: only the required ones",
        '{"s": "quote \\" backslash \\\\ slash / tab \\t nl \\n nul \\u0000 unit \\u001f del \\u007f ls \\u2028 ps \\u2029"}',
    ),
    (
        "Kazakh and Russian text stays UTF-8",
        '{"answers": {"R-1": "Жеткізу 30 күн ішінде", "R-2": "Поставка в течение 30 дней"}}',
    ),
    (
        "integers at the edge of exactness",
        '{"max": 9007199254740991, "min": -9007199254740991, "zero": 0, "minus": -1}',
    ),
    (
        "literals, empty containers, nesting",
        '{"t": true, "f": false, "n": null, "a": [], "o": {}, "deep": [[{"b": 2, "a": [1, {"d": 4, "c": 3}]}]]}',
    ),
    (
        "whitespace and key order of a statement",
        '{ "type" : "bid-withdrawal/v1", "platform": "https://tenders.example.kz",\n "tender": "T-2026-000001", "bid": "B-1", "bidder": "060540001234", "nonce": "p8Hc2LwN4rZy0Ea5", "signed_at": "2026-03-03T16:40:12Z" }',
    ),
]
REFUSED_CASES = [
    ("a float", '{"price": 1.5}'),
    ("an exponent", '{"n": 1e300}'),
    ("beyond 2^53", '{"n": 9007199254740992}'),
]
PRICES = [("1250000", "1250000.00"), ("98400.5", "98400.50"), ("0.01", "0.01"), ("7.00", "7.00")]
BAD_PRICES = ["0", "0.00", "-1", "01", "1.005", "1e3", "1,5.0", "abc", ""]


def write(name: str, content: dict) -> None:
    text = json.dumps(content, indent=2, ensure_ascii=False) + "\n"
    (FOLDER / name).write_text(text, encoding="utf-8")


def canonical_vectors() -> dict:
    cases = [
        {
            "name": name,
            "json": text,
            "canonical": tool.canonical(json.loads(text)).decode(),
            "canonical_hex": tool.canonical(json.loads(text)).hex(),
        }
        for name, text in CANONICAL_CASES
    ]
    return {"cases": cases, "refused": [{"name": n, "json": t} for n, t in REFUSED_CASES]}


def hpke_vectors() -> dict:
    public = X25519PrivateKey.from_private_bytes(OPENING_PRIVATE).public_key().public_bytes_raw()
    ephemeral_public = (
        X25519PrivateKey.from_private_bytes(EPHEMERAL).public_key().public_bytes_raw()
    )
    cases = []
    for name, info, plaintext in (
        (
            "bid",
            tool.seal_info(TENDER, LOTS, BIDDER),
            b'{"inner":{"type":"bid-content/v1"},"signature":"MA=="}',
        ),
        ("share", tool.share_info(TENDER, MEMBER), SHARE_1),
    ):
        sealed = reference_seal(AES_256_GCM, EPHEMERAL, public, info, plaintext)
        cases.append(
            {
                "name": name,
                "info": info.decode(),
                "plaintext_hex": plaintext.hex(),
                "sealed_hex": sealed.hex(),
            }
        )
    return {
        "recipient_private_hex": OPENING_PRIVATE.hex(),
        "recipient_public_hex": public.hex(),
        "ephemeral_private_hex": EPHEMERAL.hex(),
        "ephemeral_public_hex": ephemeral_public.hex(),
        "cases": cases,
    }


def statement_vectors(hpke: dict) -> dict:
    opening_key = h(hpke["recipient_public_hex"])
    sealed = h(hpke["cases"][0]["sealed_hex"])
    document = b"Steel pipes, 57 mm, GOST 10704-91\n"
    inputs = {
        "platform": "https://tenders.example.kz",
        "tender": TENDER,
        "tender_version": VERSION,
        "bidder": BIDDER,
        "nonce": "Jq3v9m2KxQ7bT1sW",
        "prices": {"2": "98400.50", "1": "1250000.00"},
        "documents": [{"name": "spec.txt", "content_base64": base64.b64encode(document).decode()}],
        "answers": {"R-1": "Delivery within 30 days"},
        "inner_signature_base64": "MA==",
        "opening_public_key_hex": opening_key.hex(),
        "sealed_hex": sealed.hex(),
        "signed_at": "2026-03-02T09:14:58Z",
        "supersedes": "B-0123456789abcdef0123",
        "withdraw_bid": "1042",
        "withdraw_nonce": "p8Hc2LwN4rZy0Ea5",
        "withdraw_signed_at": "2026-03-03T16:40:12Z",
    }
    documents = [
        _document(d["name"], base64.b64decode(d["content_base64"])) for d in inputs["documents"]
    ]
    inner = tool.inner_statement(
        tender=TENDER,
        tender_version=VERSION,
        bidder=BIDDER,
        nonce=inputs["nonce"],
        prices=inputs["prices"],
        documents=documents,
        answers=inputs["answers"],
    )
    outer = tool.outer_statement(
        platform=inputs["platform"],
        inner=inner,
        sealed=sealed,
        opening_key=opening_key,
        signed_at=inputs["signed_at"],
        supersedes=inputs["supersedes"],
    )
    withdrawal = tool.withdrawal_statement(
        platform=inputs["platform"],
        tender=TENDER,
        bid=inputs["withdraw_bid"],
        bidder=BIDDER,
        nonce=inputs["withdraw_nonce"],
        signed_at=inputs["withdraw_signed_at"],
    )
    return {
        "inputs": inputs,
        "inner": tool.canonical(inner).decode(),
        "plaintext": tool.sealed_plaintext(inner, base64.b64decode("MA==")).decode(),
        "outer": tool.canonical(outer).decode(),
        "withdrawal": tool.canonical(withdrawal).decode(),
        "seal_info": tool.seal_info(TENDER, LOTS, BIDDER).decode(),
        "share_info": tool.share_info(TENDER, MEMBER).decode(),
        "opening_key_id": tool.opening_key_id(opening_key),
        "prices": [{"typed": t, "price": tool.parse_prices([f"1={t}"])["1"]} for t, _ in PRICES],
        "bad_prices": BAD_PRICES,
    }


def _document(name: str, content: bytes) -> dict:
    """tenderctl.py's document_entry, which reads the file from disk."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        return tool.document_entry(path)


def vectors() -> dict[str, dict]:
    hpke = hpke_vectors()
    return {
        "canonical.json": canonical_vectors(),
        "hpke.json": hpke,
        "statements.json": statement_vectors(hpke),
    }


if __name__ == "__main__":
    for name, content in vectors().items():
        write(name, content)
        print(f"wrote {FOLDER / name}")
