"""Writes the cross-language vectors in this folder from the Python side (tools/tenderctl.py,
bids/crypto, and the platform's document builders for documents.json). Run it only when the
wire format changes on purpose:

    .venv/bin/python -m tests.bids.vectors.make_vectors

tests/bids/test_cross_language_vectors.py checks that Python still produces every file exactly,
and that the browser code (static/js/signing.js) produces the same bytes.
"""

import base64
import datetime as dt
import importlib.util
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from audit.canonical import canonical_bytes
from contracts.documents import contract_document
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


# Documents signed in the page (frontend/src/documents.js): a results protocol shaped as
# awards/results.py results_content writes it, and a contract built by contracts/documents.py.
AGENCY = ("City Hospital No. 7", "000240000016")
BIDDERS = {
    "B-a": ("Medservice Plus LLP", "000440000033", "qualified"),
    "B-b": ("Steppe Construction JSC", "000540000047", "qualified"),
    "B-c": ("Aral Pharm LLP", "000940000081", "disqualified"),
}


def _ranked(rank: int, bid: str, price: str) -> dict:
    return {
        "rank": rank,
        "bid": bid,
        "bidder": BIDDERS[bid][1],
        "price": Decimal(price),
        "compared_price": Decimal(price),
        "score": None,
    }


def _protocol_content() -> dict:
    lot_1 = [_ranked(1, "B-b", "2800000.00"), _ranked(2, "B-a", "2900000.00")]
    return {
        "type": "results-protocol/v1",
        "tender": TENDER,
        "tender_version": VERSION,
        "revision": 1,
        "opening_protocol_sha256": "ab" * 32,
        "procedure": "open_tender",
        "award_criterion": "lowest_price",
        "domestic_discount": Decimal("0"),
        "criteria": [],
        "bids": [
            {
                "bid": bid,
                "bidder": bin_,
                "bidder_name": name,
                "received_at": "2026-03-02T09:14:58.000000Z",
                "status": status,
                "domestic": False,
                "reasons": [
                    {"requirement": 1, "title": "Licence", "reason": "Лицензия истекла в 2024"}
                ]
                if status == "disqualified"
                else [],
                "correction": None,
            }
            for bid, (name, bin_, status) in BIDDERS.items()
        ],
        "lots": [
            {
                "lot": "1",
                "title": "Инсулин гларгин 100 ЕД/мл",
                "amount": Decimal("3000000.00"),
                "ranking": lot_1,
                "excluded": [],
                "winner": lot_1[0],
            },
            {
                "lot": "2",
                "title": "Syringes",
                "amount": Decimal("1000.00"),
                "ranking": [],
                "excluded": [
                    {
                        "bid": "B-a",
                        "bidder": BIDDERS["B-a"][1],
                        "price": Decimal("1200.00"),
                        "reason": "above the lot's amount",
                    }
                ],
                "winner": None,
            },
        ],
    }


def _contract_bytes() -> bytes:
    agency = SimpleNamespace(legal_name=AGENCY[0], bin=AGENCY[1])
    supplier = SimpleNamespace(legal_name=BIDDERS["B-b"][0], bin=BIDDERS["B-b"][1])
    return contract_document(
        number="C-2026-000001",
        tender=SimpleNamespace(
            number=TENDER,
            ocid="ocds-kz0001-T-2026-000001",
            version_hash=VERSION,
            agency=agency,
            currency="KZT",
        ),
        lot=SimpleNamespace(
            number=1, title="Инсулин гларгин 100 ЕД/мл", budget_line=SimpleNamespace(code="BL-1")
        ),
        award=SimpleNamespace(
            supplier=supplier,
            bid_id=1,
            bid=SimpleNamespace(public_id="B-b"),
            protocol_id=1,
            protocol=SimpleNamespace(sha256="cd" * 32),
        ),
        price=Decimal("2800000.00"),
        terms="Delivery to the hospital pharmacy within 30 days.",
        sign_deadline=dt.datetime(2026, 3, 13, 4, 0, tzinfo=dt.UTC),
    )


def document_vectors() -> dict:
    """The bytes to sign and what the page must say they decide."""
    return {
        "agency": {"name": AGENCY[0], "bin": AGENCY[1]},
        "protocol": canonical_bytes(_protocol_content()).decode(),
        "protocol_summary": {
            "kind": "protocol",
            "tender": TENDER,
            "revision": 1,
            "lots": [
                {
                    "lot": "1",
                    "title": "Инсулин гларгин 100 ЕД/мл",
                    "winner": {
                        "bid": "B-b",
                        "bin": BIDDERS["B-b"][1],
                        "name": BIDDERS["B-b"][0],
                        "price": "2800000.00",
                    },
                },
                {"lot": "2", "title": "Syringes", "winner": None},
            ],
            "bids": 3,
            "disqualified": 1,
        },
        "contract": _contract_bytes().decode(),
        "contract_summary": {
            "kind": "contract",
            "number": "C-2026-000001",
            "tender": TENDER,
            "lot": {"id": "1", "title": "Инсулин гларгин 100 ЕД/мл"},
            "buyer": {"bin": AGENCY[1], "name": AGENCY[0]},
            "supplier": {"bin": BIDDERS["B-b"][1], "name": BIDDERS["B-b"][0]},
            "price": "2800000.00",
            "currency": "KZT",
        },
    }


def vectors() -> dict[str, dict]:
    hpke = hpke_vectors()
    return {
        "canonical.json": canonical_vectors(),
        "hpke.json": hpke,
        "statements.json": statement_vectors(hpke),
        "documents.json": document_vectors(),
    }


if __name__ == "__main__":
    for name, content in vectors().items():
        write(name, content)
        print(f"wrote {FOLDER / name}")
