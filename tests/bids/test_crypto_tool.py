"""tools/tenderctl.py stands alone, yet must make exactly the bytes bids.crypto expects."""

import ast
import datetime as dt
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from bids.crypto import (
    canonical,
    member_keypair,
    open_sealed,
    opening_key_id,
    receipt_key_id,
    seal,
    seal_info,
    share_info,
    sign_receipt,
)

TOOL_PATH = Path(__file__).resolve().parents[2] / "tools" / "tenderctl.py"
BIDDER = "060540001234"


def load_tool():
    spec = importlib.util.spec_from_file_location("tenderctl", TOOL_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load_tool()


def make_signer(kind: str, bin_: str = BIDDER):
    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Test Supplier LLP"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{bin_}"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def openssl_verifies(signature: bytes, content: bytes, tmp_path: Path) -> bool:
    (tmp_path / "sig.der").write_bytes(signature)
    (tmp_path / "content").write_bytes(content)
    result = subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            tmp_path / "sig.der",
            "-content",
            tmp_path / "content",
            "-noverify",
            "-out",
            tmp_path / "out",
        ],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0 and (tmp_path / "out").read_bytes() == content


@pytest.mark.parametrize(
    "obj",
    [
        {"b": [1, True, None], "a": 'ТОО «Құрылыс» \u2028 \x01 "q"', "c": {"z": "", "y": -5}},
        {"prices": {"10": "1.00", "2": "2.50"}, "nonce": "n-1"},
        {},
    ],
)
def test_tool_and_server_write_the_same_canonical_bytes(obj):
    assert tool.canonical(obj) == canonical(obj)


def test_tool_and_server_use_the_same_info_and_key_ids():
    assert tool.seal_info("T-2026-000001", ["2", "10"], BIDDER) == seal_info(
        "T-2026-000001", ["2", "10"], BIDDER
    )
    assert tool.share_info("T-2026-000001", "a@b.kz") == share_info("T-2026-000001", "a@b.kz")
    public = member_keypair()[1]
    assert tool.opening_key_id(public) == opening_key_id(public)
    platform = Ed25519PrivateKey.generate().public_key()
    assert tool.receipt_key_id(platform) == receipt_key_id(platform)


def test_what_the_tool_seals_opens_with_bids_crypto():
    private, public = member_keypair()
    info = seal_info("T-2026-000001", ["1"], BIDDER)
    assert open_sealed(tool.seal(b"bid content", public, info), private, info) == b"bid content"


def test_what_bids_crypto_seals_opens_with_the_tool():
    private, public = member_keypair()
    info = share_info("T-2026-000001", "a@b.kz")
    key = tool.X25519PrivateKey.from_private_bytes(private)
    assert tool.open_sealed(seal(b"\x01" * 33, public, info), key, info) == b"\x01" * 33


def test_the_tool_verifies_platform_receipts_and_refuses_altered_ones():
    key = Ed25519PrivateKey.generate()
    doc = sign_receipt({"bid": "42", "log_index": 7}, key)
    assert tool.verify_receipt(doc, key.public_key()) == {"bid": "42", "log_index": 7}
    doc["receipt"]["log_index"] = 8
    with pytest.raises(tool.ToolError, match="does not match"):
        tool.verify_receipt(doc, key.public_key())


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_tool_cms_signature_verifies_with_openssl(kind, tmp_path):
    key, cert = make_signer(kind)
    statement = canonical({"type": "bid-submission/v1", "tender": "T-2026-000001"})
    signature = tool.sign_cms(statement, key, cert)
    assert openssl_verifies(signature, statement, tmp_path)
    assert not openssl_verifies(signature, statement.replace(b"000001", b"000002"), tmp_path)


def test_bin_comes_from_the_certificate_subject():
    _, cert = make_signer("ec", "990340005678")
    assert tool.bin_from_certificate(cert) == "990340005678"


@pytest.mark.parametrize(
    ("given", "expected"),
    [(["1=1250000"], {"1": "1250000.00"}), (["2=99.5", "10=0.01"], {"2": "99.50", "10": "0.01"})],
)
def test_prices_become_two_decimal_strings(given, expected):
    assert tool.parse_prices(given) == expected


@pytest.mark.parametrize("bad", ["1=1,250,000", "1=1e6", "1= 100", "1=100.005", "1=0", "=5", "1"])
def test_prices_the_tool_refuses(bad):
    with pytest.raises(tool.ToolError):
        tool.parse_prices([bad])


def test_the_tool_imports_only_the_standard_library_cryptography_and_rfc8785():
    tree = ast.parse(TOOL_PATH.read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    outside = {name.split(".")[0] for name in imported} - set(sys.stdlib_module_names)
    assert outside == {"cryptography", "rfc8785"}
    result = subprocess.run(
        [sys.executable, "-I", str(TOOL_PATH), "--help"], capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_p12_loads_and_a_wrong_password_is_refused(tmp_path):
    key, cert = make_signer("ec")
    p12 = pkcs12.serialize_key_and_certificates(
        b"supplier", key, cert, None, serialization.BestAvailableEncryption(b"pw")
    )
    (tmp_path / "s.p12").write_bytes(p12)
    loaded_key, loaded_cert, _ = tool.load_p12(str(tmp_path / "s.p12"), "pw")
    assert loaded_cert == cert
    assert loaded_key.public_key() == key.public_key()
    with pytest.raises(tool.ToolError, match="password"):
        tool.load_p12(str(tmp_path / "s.p12"), "wrong")
