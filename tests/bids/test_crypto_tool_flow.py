"""tenderctl against a stand-in API on 127.0.0.1: what arrives is what the server can check.

The stand-in only records requests and answers with the documented shapes; every check is
made here with bids.crypto and the openssl CLI, as the real submission service will.
"""

import base64
import hashlib
import json
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12

from bids.crypto import (
    canonical,
    combine_shares,
    new_opening_key,
    open_sealed,
    parse_canonical,
    seal_info,
    sign_receipt,
)
from tests.bids.test_crypto_tool import BIDDER, make_signer, openssl_verifies, tool

TENDER = "T-2026-000001"
VERSION = hashlib.sha256(b"tender version 3").hexdigest()
MEMBERS = ["aigerim@agency.kz", "bolat@agency.kz", "dana@agency.kz"]
PLATFORM_KEY = Ed25519PrivateKey.generate()


class StandIn(BaseHTTPRequestHandler):
    state: dict  # set per server

    def do_GET(self):
        if self.path == f"/api/v1/tenders/{TENDER}":
            bundle = self.state["bundle"]
            self._reply(
                200,
                {
                    "number": TENDER,
                    "version_hash": VERSION,
                    "opening_public_key": base64.b64encode(bundle.public_key).decode(),
                    "opening_key_id": self.state.get("key_id", bundle.key_id),
                    "lots": [{"id": "1"}, {"id": "2"}, {"id": "10"}],
                },
            )
        elif self.path == f"/api/v1/tenders/{TENDER}/opening/shares/mine":
            sealed = self.state["bundle"].sealed_shares[self._member()]
            self._reply(200, {"sealed_share": base64.b64encode(sealed).decode()})
        else:
            self._reply(404, {"detail": "not found"})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.state["posts"].append((self.path, self._member(), body))
        if self.path == f"/api/v1/tenders/{TENDER}/nonces":
            self.state["nonces"].append(f"nonce-{len(self.state['nonces']) + 1}")
            self._reply(201, {"nonce": self.state["nonces"][-1]})
        elif self.path == f"/api/v1/tenders/{TENDER}/bids":
            receipt = sign_receipt({"bid": "42", "tender": TENDER, "log_index": 9}, PLATFORM_KEY)
            self._reply(201, {"bid": "42", "receipt": receipt})
        elif self.path in ("/api/v1/bids/42/withdraw", f"/api/v1/tenders/{TENDER}/opening/shares"):
            self._reply(200, {"ok": True})
        else:
            self._reply(404, {"detail": "not found"})

    def _member(self) -> str:
        return self.headers["Authorization"].removeprefix("Bearer ")

    def _reply(self, status: int, body: dict):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        """Quiet: the test reads what arrived, not the server's access log."""


@pytest.fixture
def members(tmp_path, capsys):
    """Each member makes their key with `tenderctl keygen`; the platform sees only the public one."""
    publics = {}
    for member in MEMBERS:
        assert tool.main(["keygen", "--out", str(tmp_path / f"{member}.pem")]) == 0
        publics[member] = base64.b64decode(capsys.readouterr().out.strip().splitlines()[-1])
    return publics


@pytest.fixture
def server(members):
    state = {"bundle": new_opening_key(2, members, tender=TENDER), "posts": [], "nonces": []}
    handler = type("Handler", (StandIn,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{httpd.server_port}"
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def p12(tmp_path):
    key, cert = make_signer("ec")
    data = pkcs12.serialize_key_and_certificates(
        b"supplier", key, cert, None, serialization.BestAvailableEncryption(b"secret")
    )
    (tmp_path / "supplier.p12").write_bytes(data)
    return str(tmp_path / "supplier.p12")


def bid_args(server, p12, *extra):
    return [
        "bid",
        "--server",
        server["url"],
        "--token",
        "supplier-token",
        "--tender",
        TENDER,
        "--p12",
        p12,
        "--password",
        "secret",
        *extra,
    ]


def open_key(server, tmp_path, capsys):
    """The commission opens: two members run open-share, the platform combines."""
    for member in MEMBERS[:2]:
        args = [
            "open-share",
            "--server",
            server["url"],
            "--token",
            member,
            "--tender",
            TENDER,
            "--key",
            str(tmp_path / f"{member}.pem"),
            "--member",
            member,
        ]
        assert tool.main(args) == 0, capsys.readouterr().err
    shares = [
        base64.b64decode(body["share"])
        for path, _, body in server["posts"]
        if path.endswith("/opening/shares")
    ]
    return combine_shares(shares, 2, server["bundle"].public_key)


def test_a_bid_made_by_the_tool_passes_every_server_check(server, p12, tmp_path, capsys):
    (tmp_path / "offer.pdf").write_bytes(b"%PDF-1.7 offer")
    args = bid_args(
        server,
        p12,
        "--lot",
        "2=99.5",
        "--lot",
        "10=1250000",
        "--document",
        str(tmp_path / "offer.pdf"),
        "--answer",
        "R1=Yes, in stock",
        "--save",
        str(tmp_path / "saved"),
    )
    assert tool.main(args) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["bid"] == "42"

    path, token, body = server["posts"][-1]
    assert (path, token) == (f"/api/v1/tenders/{TENDER}/bids", "supplier-token")
    statement_bytes = body["statement"].encode()
    statement = parse_canonical(statement_bytes)
    sealed = base64.b64decode(body["sealed"], validate=True)
    assert statement == {
        "type": "bid-submission/v1",
        "platform": server["url"],
        "tender": TENDER,
        "tender_version": VERSION,
        "lots": ["10", "2"],
        "bidder": BIDDER,
        "sealed_sha256": hashlib.sha256(sealed).hexdigest(),
        "opening_key_id": server["bundle"].key_id,
        "nonce": server["nonces"][-1],
        "signed_at": statement["signed_at"],
        "supersedes": None,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", statement["signed_at"])
    assert openssl_verifies(base64.b64decode(body["signature"]), statement_bytes, tmp_path)

    private_key = open_key(server, tmp_path, capsys)
    plaintext = open_sealed(sealed, private_key, seal_info(TENDER, ["2", "10"], BIDDER))
    opened = parse_canonical(plaintext)
    inner = opened["inner"]
    assert inner == {
        "type": "bid-content/v1",
        "tender": TENDER,
        "tender_version": VERSION,
        "lots": ["10", "2"],
        "bidder": BIDDER,
        "nonce": statement["nonce"],
        "prices": {"2": "99.50", "10": "1250000.00"},
        "currency": "KZT",
        "documents": [
            {
                "name": "offer.pdf",
                "sha256": hashlib.sha256(b"%PDF-1.7 offer").hexdigest(),
                "size": 14,
                "content_base64": base64.b64encode(b"%PDF-1.7 offer").decode(),
            }
        ],
        "answers": {"R1": "Yes, in stock"},
    }
    assert openssl_verifies(base64.b64decode(opened["signature"]), canonical(inner), tmp_path)
    assert (tmp_path / "saved" / "statement.json").read_bytes() == statement_bytes
    assert (tmp_path / "saved" / "sealed.bin").read_bytes() == sealed


def test_a_replacement_bid_names_the_bid_it_supersedes(server, p12, capsys):
    assert tool.main(bid_args(server, p12, "--lot", "1=5", "--supersedes", "41")) == 0
    statement = parse_canonical(server["posts"][-1][2]["statement"].encode())
    assert statement["supersedes"] == "41"


def test_the_saved_receipt_verifies_with_the_platform_key(server, p12, tmp_path, capsys):
    assert tool.main(bid_args(server, p12, "--lot", "1=5", "--save", str(tmp_path / "s"))) == 0
    pem = PLATFORM_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "platform.pem").write_bytes(pem)
    capsys.readouterr()
    args = [
        "verify-receipt",
        str(tmp_path / "s" / "receipt.json"),
        "--public-key",
        str(tmp_path / "platform.pem"),
    ]
    assert tool.main(args) == 0
    assert capsys.readouterr().out.startswith("OK: receipt for bid 42")
    receipt = json.loads((tmp_path / "s" / "receipt.json").read_text())
    receipt["receipt"]["log_index"] = 10
    (tmp_path / "s" / "receipt.json").write_text(json.dumps(receipt))
    assert tool.main(args) == 1
    assert "FAIL" in capsys.readouterr().err


def test_a_withdrawal_is_a_signed_canonical_statement(server, p12, tmp_path, capsys):
    args = [
        "withdraw",
        "--server",
        server["url"],
        "--token",
        "supplier-token",
        "--tender",
        TENDER,
        "--bid",
        "42",
        "--p12",
        p12,
        "--password",
        "secret",
    ]
    assert tool.main(args) == 0, capsys.readouterr().err
    path, _, body = server["posts"][-1]
    assert path == "/api/v1/bids/42/withdraw"
    statement = parse_canonical(body["statement"].encode())
    assert statement == {
        "type": "bid-withdrawal/v1",
        "platform": server["url"],
        "tender": TENDER,
        "bid": "42",
        "bidder": BIDDER,
        "nonce": server["nonces"][-1],
        "signed_at": statement["signed_at"],
    }
    assert openssl_verifies(
        base64.b64decode(body["signature"]), body["statement"].encode(), tmp_path
    )


def test_refuses_a_lot_the_tender_does_not_have(server, p12, capsys):
    assert tool.main(bid_args(server, p12, "--lot", "3=100")) == 1
    assert "no lot 3" in capsys.readouterr().err
    assert server["posts"] == []


def test_refuses_an_opening_key_that_does_not_match_its_id(server, p12, capsys):
    server["key_id"] = "0000000000000000"
    assert tool.main(bid_args(server, p12, "--lot", "1=100")) == 1
    assert "does not match its key id" in capsys.readouterr().err
    assert server["posts"] == []


def test_open_share_refuses_a_share_sealed_for_someone_else(server, tmp_path, capsys):
    args = [
        "open-share",
        "--server",
        server["url"],
        "--token",
        MEMBERS[1],
        "--tender",
        TENDER,
        "--key",
        str(tmp_path / f"{MEMBERS[0]}.pem"),
        "--member",
        MEMBERS[0],
    ]
    assert tool.main(args) == 1
    assert "does not open" in capsys.readouterr().err
    assert server["posts"] == []


def test_openssl_reproduces_a_signature_the_server_accepts(tmp_path):
    """The openssl command in docs/bid-format.md makes a signature of the same kind."""
    key, cert = make_signer("rsa")
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    statement = canonical({"type": "bid-withdrawal/v1", "bid": "42"})
    (tmp_path / "statement.json").write_bytes(statement)
    subprocess.run(
        [
            "openssl",
            "cms",
            "-sign",
            "-binary",
            "-outform",
            "DER",
            "-md",
            "sha256",
            "-signer",
            tmp_path / "cert.pem",
            "-inkey",
            tmp_path / "key.pem",
            "-in",
            tmp_path / "statement.json",
            "-out",
            tmp_path / "made.der",
        ],
        check=True,
        capture_output=True,
    )
    assert openssl_verifies((tmp_path / "made.der").read_bytes(), statement, tmp_path)
