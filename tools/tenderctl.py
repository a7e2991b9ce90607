#!/usr/bin/env python3
"""The supplier's and commission member's client: sign, seal and submit bids; open shares.

    tenderctl.py keygen --out KEY [--password PW]
    tenderctl.py bid --server URL --token TOKEN --tender ID --p12 FILE [--password PW]
                 --lot LOT=PRICE [--lot ...] [--document FILE ...] [--answer REQ=TEXT ...]
                 [--supersedes BID] [--bin BIN] [--platform ORIGIN] [--save DIR]
    tenderctl.py withdraw --server URL --token TOKEN --tender ID --bid BID --p12 FILE
                 [--password PW] [--bin BIN] [--platform ORIGIN]
    tenderctl.py open-share --server URL --token TOKEN --tender ID --key KEY --member EMAIL
                 [--key-password PW]
    tenderctl.py verify-receipt RECEIPT.json --public-key PEM

Stand-alone on purpose: it needs only the Python standard library, `cryptography` and
`rfc8785`, never the platform's code, so a supplier can read what signs and seals their bid
and run it where their certificate is. The few helpers it shares with the server (canonical
JSON, HPKE sealing, the `info` strings, key ids, receipt checks) are duplicated here; a test
proves both produce the same bytes. The wire format is in docs/bid-format.md.

The private key and the bid's content never leave this machine unsealed: prices, documents
and answers are HPKE-sealed to the tender's opening key before anything is sent. --token and
passwords may also come from TENDER_TOKEN / TENDER_PASSWORD; a missing password is asked for.

Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as dt
import getpass
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import rfc8785
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, hpke, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import NameOID

# RFC 9180 base mode, single shot, empty aad: sealed = enc (32 bytes) || ciphertext || tag.
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
SHARE_SIZE = 33  # index byte + two 16-byte Shamir shares
PRICE = re.compile(r"(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?")
BIN = re.compile(r"[0-9]{12}")
TIMEOUT = 60


class ToolError(Exception):
    """A refusal to report in plain words, without a traceback."""


# ---- helpers duplicated from bids/crypto (keep in step: tests/bids/test_crypto_tool.py) ----


def canonical(obj) -> bytes:
    """RFC 8785 bytes; floats refused because amounts travel as decimal strings."""
    if _has_float(obj):
        raise ToolError("floats are not allowed in statements; amounts are decimal strings")
    return rfc8785.dumps(obj)


def _has_float(value) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_float(v) for v in value)
    return False


def seal_info(tender: str, lots: list[str], bidder: str) -> bytes:
    return canonical(
        {"purpose": "bid-seal/v1", "tender": tender, "lots": sorted(lots), "bidder": bidder}
    )


def share_info(tender: str, member: str) -> bytes:
    return canonical({"purpose": "opening-share/v1", "tender": tender, "member": member})


def seal(plaintext: bytes, public_key: bytes, info: bytes) -> bytes:
    return SUITE.encrypt(plaintext, X25519PublicKey.from_public_bytes(public_key), info=info)


def open_sealed(sealed: bytes, private_key: X25519PrivateKey, info: bytes) -> bytes:
    try:
        return SUITE.decrypt(sealed, private_key, info=info)
    except (InvalidTag, ValueError):
        raise ToolError(
            "the sealed share does not open with this key: it is not yours, not for this "
            "tender, or was changed"
        ) from None


def opening_key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


def receipt_key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_key.public_bytes_raw()).hexdigest()[:8]


def verify_receipt(doc: dict, public_key: Ed25519PublicKey) -> dict:
    if not isinstance(doc, dict) or set(doc) != {"receipt", "signature", "key_id"}:
        raise ToolError('a receipt is an object with "receipt", "signature" and "key_id"')
    if doc["key_id"] != receipt_key_id(public_key):
        raise ToolError(f"the receipt names key {doc['key_id']!r}, not the key given")
    try:
        public_key.verify(b64decode(doc["signature"]), canonical(doc["receipt"]))
    except InvalidSignature:
        raise ToolError("the receipt's signature does not match its content") from None
    return doc["receipt"]


def sign_cms(data: bytes, key, cert, extra_certs=()) -> bytes:
    """Detached CMS SignedData (DER), SHA-256, signer certificate and its chain included."""
    builder = pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(cert, key, hashes.SHA256())
    for extra in extra_certs:
        builder = builder.add_certificate(extra)
    options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
    return builder.sign(serialization.Encoding.DER, options)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise ToolError("expected base64 from the server") from None


# ---- statements (docs/bid-format.md) ----


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_prices(pairs: list[str]) -> dict[str, str]:
    prices = {}
    for pair in pairs:
        lot, sep, price = pair.partition("=")
        if not sep or not lot or not PRICE.fullmatch(price):
            raise ToolError(
                f"--lot {pair!r}: write LOT=PRICE, e.g. 1=1250000.00 (no spaces or commas)"
            )
        if lot in prices:
            raise ToolError(f"lot {lot} is given twice")
        if Decimal(price) <= 0:
            raise ToolError(f"lot {lot}: a price must be more than zero")
        prices[lot] = str(Decimal(price).quantize(Decimal("0.01")))
    return prices


def document_entry(path: Path) -> dict:
    content = path.read_bytes()
    return {
        "name": path.name,
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "content_base64": b64(content),
    }


def inner_statement(*, tender, tender_version, bidder, nonce, prices, documents, answers) -> dict:
    return {
        "type": "bid-content/v1",
        "tender": tender,
        "tender_version": tender_version,
        "lots": sorted(prices),
        "bidder": bidder,
        "nonce": nonce,
        "prices": prices,
        "currency": "KZT",
        "documents": documents,
        "answers": answers,
    }


def sealed_plaintext(inner: dict, inner_signature: bytes) -> bytes:
    return canonical({"inner": inner, "signature": b64(inner_signature)})


def outer_statement(*, platform, inner, sealed, opening_key, signed_at, supersedes) -> dict:
    return {
        "type": "bid-submission/v1",
        "platform": platform,
        "tender": inner["tender"],
        "tender_version": inner["tender_version"],
        "lots": inner["lots"],
        "bidder": inner["bidder"],
        "sealed_sha256": hashlib.sha256(sealed).hexdigest(),
        "opening_key_id": opening_key_id(opening_key),
        "nonce": inner["nonce"],
        "signed_at": signed_at,
        "supersedes": supersedes,
    }


def withdrawal_statement(*, platform, tender, bid, bidder, nonce, signed_at) -> dict:
    return {
        "type": "bid-withdrawal/v1",
        "platform": platform,
        "tender": tender,
        "bid": bid,
        "bidder": bidder,
        "nonce": nonce,
        "signed_at": signed_at,
    }


# ---- keys and certificates ----


def load_p12(path: str, password: str | None):
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            Path(path).read_bytes(), password.encode() if password else None
        )
    except ValueError:
        raise ToolError(f"{path}: not a PKCS#12 file, or the password is wrong") from None
    if key is None or cert is None:
        raise ToolError(f"{path}: holds no private key with its certificate")
    return key, cert, extra


def bin_from_certificate(cert) -> str | None:
    """The BIN in the subject: OU "BIN<12 digits>" (NCA RK style) or serialNumber."""
    for oid, prefixes in (
        (NameOID.ORGANIZATIONAL_UNIT_NAME, ("BIN",)),
        (NameOID.SERIAL_NUMBER, ("BIN", "")),
    ):
        for attribute in cert.subject.get_attributes_for_oid(oid):
            for prefix in prefixes:
                value = str(attribute.value)
                if value.startswith(prefix) and BIN.fullmatch(value[len(prefix) :]):
                    return value[len(prefix) :]
    return None


def bidder_bin(cert, given: str | None) -> str:
    bin_ = given or bin_from_certificate(cert)
    if not bin_ or not BIN.fullmatch(bin_):
        raise ToolError("the certificate names no BIN; give it with --bin (12 digits)")
    return bin_


def load_x25519(path: str, password: str | None) -> X25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(
            Path(path).read_bytes(), password.encode() if password else None
        )
    except (ValueError, TypeError):
        raise ToolError(f"{path}: not a PEM private key, or the password is wrong") from None
    if not isinstance(key, X25519PrivateKey):
        raise ToolError(f"{path}: not an X25519 key (make one with `keygen`)")
    return key


# ---- the API ----


class Api:
    def __init__(self, server: str, token: str):
        self.server = server.rstrip("/")
        self.token = token

    def get(self, path: str) -> dict:
        return self._send(urllib.request.Request(self.server + path, method="GET"))

    def post(self, path: str, body: dict) -> dict:
        data = json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.server + path, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> dict:
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            raise ToolError(
                f"{request.method} {request.full_url}: HTTP {exc.code}: {detail}"
            ) from None
        except urllib.error.URLError as exc:
            raise ToolError(f"{request.full_url}: {exc.reason}") from None


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def tender_path(tender: str) -> str:
    return "/api/v1/tenders/" + urllib.parse.quote(tender, safe="")


def fetch_nonce(api: Api, tender: str) -> str:
    nonce = api.post(tender_path(tender) + "/nonces", {}).get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ToolError("the server gave no nonce")
    return nonce


def opening_key_of(tender: dict) -> bytes:
    key = b64decode(tender.get("opening_public_key") or "")
    if len(key) != 32:
        raise ToolError("the tender has no opening key yet: its commission has not been set up")
    # Catches a garbled or mixed-up key; the id is also signed into the outer statement.
    if opening_key_id(key) != tender.get("opening_key_id"):
        raise ToolError("the tender's opening key does not match its key id; do not bid, report it")
    return key


# ---- commands ----


def cmd_keygen(args) -> None:
    key = X25519PrivateKey.generate()
    encryption = (
        serialization.BestAvailableEncryption(args.password.encode())
        if args.password
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never overwrite a key
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    print(f"private key written to {args.out}; keep it, it opens your share")
    print("public key (base64, give it to the platform):")
    print(b64(key.public_key().public_bytes_raw()))


def cmd_bid(args) -> None:
    api = Api(args.server, _token(args))
    key, cert, extra = load_p12(args.p12, _password(args))
    bidder = bidder_bin(cert, args.bin)
    prices = parse_prices(args.lot)
    answers = _pairs(args.answer, "--answer", "REQ=TEXT")
    tender = api.get(tender_path(args.tender))
    known = {str(lot["id"]) for lot in tender.get("lots", [])}
    if unknown := sorted(set(prices) - known):
        raise ToolError(
            f"the tender has no lot {', '.join(unknown)} (lots: {', '.join(sorted(known))})"
        )
    opening_key = opening_key_of(tender)
    version = tender.get("version_hash")
    if not isinstance(version, str) or not re.fullmatch(r"[0-9a-f]{64}", version):
        raise ToolError("the tender has no published version to bid against")
    nonce = fetch_nonce(api, args.tender)
    inner = inner_statement(
        tender=args.tender,
        tender_version=version,
        bidder=bidder,
        nonce=nonce,
        prices=prices,
        documents=[document_entry(Path(p)) for p in args.document],
        answers=answers,
    )
    plaintext = sealed_plaintext(inner, sign_cms(canonical(inner), key, cert, extra))
    sealed = seal(plaintext, opening_key, seal_info(args.tender, inner["lots"], bidder))
    statement = canonical(
        outer_statement(
            platform=args.platform or origin(args.server),
            inner=inner,
            sealed=sealed,
            opening_key=opening_key,
            signed_at=utc_now(),
            supersedes=args.supersedes,
        )
    )
    signature = sign_cms(statement, key, cert, extra)
    if args.save:
        _save(Path(args.save), statement=statement, signature=signature, sealed=sealed)
    body = {
        "statement": statement.decode("utf-8"),
        "signature": b64(signature),
        "sealed": b64(sealed),
    }
    result = api.post(tender_path(args.tender) + "/bids", body)
    if args.save:
        (Path(args.save) / "receipt.json").write_text(json.dumps(result.get("receipt"), indent=2))
    print(json.dumps(result, indent=2, ensure_ascii=False))


def cmd_withdraw(args) -> None:
    api = Api(args.server, _token(args))
    key, cert, extra = load_p12(args.p12, _password(args))
    statement = canonical(
        withdrawal_statement(
            platform=args.platform or origin(args.server),
            tender=args.tender,
            bid=args.bid,
            bidder=bidder_bin(cert, args.bin),
            nonce=fetch_nonce(api, args.tender),
            signed_at=utc_now(),
        )
    )
    body = {
        "statement": statement.decode("utf-8"),
        "signature": b64(sign_cms(statement, key, cert, extra)),
    }
    path = "/api/v1/bids/" + urllib.parse.quote(args.bid, safe="") + "/withdraw"
    print(json.dumps(api.post(path, body), indent=2, ensure_ascii=False))


def cmd_open_share(args) -> None:
    api = Api(args.server, _token(args))
    key = load_x25519(args.key, args.key_password or os.environ.get("TENDER_KEY_PASSWORD"))
    sealed = b64decode(
        api.get(tender_path(args.tender) + "/opening/shares/mine").get("sealed_share") or ""
    )
    share = open_sealed(sealed, key, share_info(args.tender, args.member))
    if len(share) != SHARE_SIZE or share[0] == 0:
        raise ToolError("the opened share has the wrong shape; do not send it, report it")
    result = api.post(tender_path(args.tender) + "/opening/shares", {"share": b64(share)})
    print(json.dumps(result, indent=2, ensure_ascii=False))


def cmd_verify_receipt(args) -> None:
    try:
        public_key = serialization.load_pem_public_key(Path(args.public_key).read_bytes())
    except ValueError:
        raise ToolError(f"{args.public_key}: not a PEM public key") from None
    if not isinstance(public_key, Ed25519PublicKey):
        raise ToolError(f"{args.public_key}: not an Ed25519 public key")
    try:
        doc = json.loads(Path(args.receipt).read_text(encoding="utf-8"))
    except ValueError:
        raise ToolError(f"{args.receipt}: not JSON") from None
    if isinstance(doc, dict) and "receipt" in doc and "bid" in doc:
        doc = doc["receipt"]  # the whole submission response was saved
    body = verify_receipt(doc, public_key)
    print(f"OK: receipt for bid {body.get('bid')} signed by key {doc['key_id']}")
    print(json.dumps(body, indent=2, ensure_ascii=False))


def _token(args) -> str:
    token = args.token or os.environ.get("TENDER_TOKEN")
    if not token:
        raise ToolError("give an API token with --token or TENDER_TOKEN")
    return token


def _password(args) -> str:
    if args.password is not None:
        return args.password
    return os.environ.get("TENDER_PASSWORD") or getpass.getpass(f"password for {args.p12}: ")


def _pairs(items: list[str], option: str, form: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or name in pairs:
            raise ToolError(f"{option} {item!r}: write {form}, each name once")
        pairs[name] = value
    return pairs


def _save(folder: Path, *, statement: bytes, signature: bytes, sealed: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "statement.json").write_bytes(statement)
    (folder / "signature.der").write_bytes(signature)
    (folder / "sealed.bin").write_bytes(sealed)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tenderctl", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    keygen = sub.add_parser("keygen", help="make a commission member's X25519 key")
    keygen.add_argument("--out", required=True)
    keygen.add_argument("--password", help="encrypt the PEM file with this password")
    keygen.set_defaults(run=cmd_keygen)

    def server(cmd):
        cmd.add_argument("--server", required=True, help="e.g. https://tenders.example.kz")
        cmd.add_argument("--token", help="API token (or TENDER_TOKEN)")
        cmd.add_argument("--tender", required=True, help="e.g. T-2026-000001")

    def signer(cmd):
        cmd.add_argument("--p12", required=True, help="PKCS#12 file with key and certificate")
        cmd.add_argument("--password", help="its password (or TENDER_PASSWORD, else asked)")
        cmd.add_argument("--bin", help="the bidder's BIN, if the certificate does not name it")
        cmd.add_argument("--platform", help="platform origin, if not the --server origin")

    bid = sub.add_parser("bid", help="sign, seal and submit a bid")
    server(bid)
    signer(bid)
    bid.add_argument("--lot", action="append", required=True, metavar="LOT=PRICE")
    bid.add_argument("--document", action="append", default=[], metavar="FILE")
    bid.add_argument("--answer", action="append", default=[], metavar="REQ=TEXT")
    bid.add_argument("--supersedes", metavar="BID", help="the bid this one replaces")
    bid.add_argument(
        "--save", metavar="DIR", help="also keep statement, signature, sealed bytes, receipt"
    )
    bid.set_defaults(run=cmd_bid)

    withdraw = sub.add_parser("withdraw", help="withdraw a bid before the deadline")
    server(withdraw)
    signer(withdraw)
    withdraw.add_argument("--bid", required=True)
    withdraw.set_defaults(run=cmd_withdraw)

    share = sub.add_parser("open-share", help="open your opening share and hand it in")
    server(share)
    share.add_argument("--key", required=True, help="your X25519 PEM key from `keygen`")
    share.add_argument("--key-password", help="its password (or TENDER_KEY_PASSWORD)")
    share.add_argument("--member", required=True, help="your email, as the platform knows you")
    share.set_defaults(run=cmd_open_share)

    verify = sub.add_parser("verify-receipt", help="check a receipt's platform signature")
    verify.add_argument("receipt")
    verify.add_argument("--public-key", required=True, help="the platform's Ed25519 PEM public key")
    verify.set_defaults(run=cmd_verify_receipt)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except (ToolError, OSError) as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
