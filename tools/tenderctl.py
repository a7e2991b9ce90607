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
    tenderctl.py sign DOCUMENT --p12 FILE [--password PW] [--out SIGNATURE.der]
    tenderctl.py evidence --server URL --receipt RECEIPT.json --out EVIDENCE.json
    tenderctl.py verify-receipt RECEIPT.json --public-key PEM [--evidence EVIDENCE.json]
                 [--checkpoint-key CHECKPOINT_KEY]

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


# ---- a receipt's evidence from the audit log (docs/bid-format.md section 8) ----

# The audit-log action that records what each kind of receipt acknowledges, and the receipt
# fields the entry's "data" must repeat exactly.
RECEIPT_ENTRIES = {
    "bid-receipt/v1": (
        "bids.bid.submitted",
        ("bid", "tender", "lots", "bidder", "statement_sha256", "sealed_sha256", "received_at"),
    ),
    "bid-withdrawal-receipt/v1": ("bids.bid.withdrawn", ("bid", "tender", "bidder")),
}
EVIDENCE_TYPE = "receipt-evidence/v1"
AUDIT_API = "/api/v1/audit"
HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")  # bytes.fromhex alone would allow spaces
NOTE_SIGNATURE_PREFIX = "\u2014 "  # C2SP signed-note: em dash, space
NOTE_ED25519 = b"\x01"  # signed-note signature type of Ed25519
NOTE_TREE_SIZE = re.compile(r"0|[1-9][0-9]*")


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2: does `proof` bind leaf `index` of a tree of `size` to `root`?"""
    if not 0 <= index < size:  # step 1
        return False
    fn, sn, r = index, size - 1, leaf  # steps 2-3
    for p in proof:  # step 4
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:  # only when fn was even (fn == sn): skip left edges
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root  # step 5


def note_key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """C2SP signed-note key ID: SHA-256(name || 0x0A || 0x01 || raw key)[:4]."""
    return hashlib.sha256(
        name.encode("utf-8") + b"\n" + NOTE_ED25519 + public_key.public_bytes_raw()
    ).digest()[:4]


def _note_b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ToolError(f"the checkpoint note has bad base64: {text[:80]!r}") from None


def open_note(text: str, name: str | None, public_key: Ed25519PublicKey) -> tuple[str, str]:
    """(body, signer name) of a C2SP signed note carrying a valid signature by `public_key`.

    Lines by other keys (witnesses, a rotated key) are ignored. Without a name (a bare PEM
    key) a line counts as ours when its key ID is that of its own name with our key; the
    first such line decides, as in golang.org/x/mod/sumdb/note.
    """
    if not isinstance(text, str) or any(c < " " and c != "\n" for c in text):
        raise ToolError("the checkpoint note is malformed (not text, or control characters)")
    split = text.rfind("\n\n")
    block = text[split + 2 :]
    if split < 0 or not block.endswith("\n"):
        raise ToolError("the checkpoint note is malformed: no signature lines")
    body = text[: split + 1]
    for line in block[:-1].split("\n"):
        if not line.startswith(NOTE_SIGNATURE_PREFIX):
            raise ToolError(f"the checkpoint note has a bad signature line {line[:80]!r}")
        sig_name, _, sig_b64 = line[len(NOTE_SIGNATURE_PREFIX) :].partition(" ")
        blob = _note_b64decode(sig_b64)
        if not sig_name or len(blob) < 5 or (name is not None and sig_name != name):
            continue
        if blob[:4] != note_key_id(sig_name, public_key):
            continue
        try:
            public_key.verify(blob[4:], body.encode("utf-8"))
        except InvalidSignature:
            raise ToolError("the checkpoint note's signature does not verify") from None
        return body, sig_name
    raise ToolError(
        "the checkpoint note carries no signature by the checkpoint key given "
        "(wrong key, or the note was not signed by this log)"
    )


def parse_checkpoint(body: str) -> tuple[str, int, bytes]:
    """(origin, tree size, root hash) from c2sp.org/tlog-checkpoint text."""
    lines = body[:-1].split("\n")
    if not body.endswith("\n") or len(lines) < 3 or not lines[0] or not all(lines[3:]):
        raise ToolError("the checkpoint note's text is not a tlog checkpoint")
    origin, size_text, root_text = lines[:3]
    if not NOTE_TREE_SIZE.fullmatch(size_text) or len(size_text) > 20:
        raise ToolError(f"the checkpoint note has a bad tree size {size_text!r}")
    root = _note_b64decode(root_text)
    if len(root) != 32 or b64(root) != root_text:
        raise ToolError(f"the checkpoint note has a bad root hash {root_text!r}")
    return origin, int(size_text), root


def load_checkpoint_key(path: str) -> tuple[str | None, Ed25519PublicKey]:
    """(key name or None, key) from a PEM public key file or a file holding a note vkey
    (`name+keyid+base64`, as GET /api/v1/audit/key gives it in `verifier_key`)."""
    data = Path(path).read_bytes()
    if b"-----BEGIN" in data:
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError:
            raise ToolError(f"{path}: not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ToolError(f"{path}: not an Ed25519 public key")
        return None, key
    vkey = data.decode("utf-8", "replace").strip()
    name, _, rest = vkey.partition("+")
    id_hex, _, key_b64 = rest.partition("+")
    try:
        material = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError):
        material = b""
    if not name or len(material) != 33 or material[:1] != NOTE_ED25519:
        raise ToolError(f"{path}: neither a PEM public key nor an Ed25519 note verifier key")
    key = Ed25519PublicKey.from_public_bytes(material[1:])
    if note_key_id(name, key).hex() != id_hex.lower():
        raise ToolError(f"{path}: the verifier key's hash does not match its name and key")
    return name, key


def _count(value, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ToolError(f"{what} is not a non-negative integer")
    return value


def _hash(value, what: str) -> bytes:
    if not isinstance(value, str) or not HEX_HASH.fullmatch(value):
        raise ToolError(f"{what} is not 64 hex digits")
    return bytes.fromhex(value)


def receipt_position(body: dict) -> tuple[int, int, bytes]:
    """(log_index, checkpoint size, checkpoint root) as the receipt states them."""
    index = _count(body.get("log_index"), "the receipt's log_index")
    checkpoint = body.get("checkpoint")
    if not isinstance(checkpoint, dict):
        raise ToolError("the receipt names no checkpoint")
    size = _count(checkpoint.get("size"), "the receipt's checkpoint size")
    root = _hash(checkpoint.get("root_hash"), "the receipt's checkpoint root_hash")
    if index >= size:
        raise ToolError(f"the receipt's checkpoint (size {size}) does not cover entry {index}")
    return index, size, root


def collect_evidence(get, body: dict, server: str) -> dict:
    """The audit log's own records behind a receipt, as the public audit API serves them.

    `get(path)` returns the decoded JSON of a GET on the server (no token needed)."""
    index, size, _ = receipt_position(body)
    return {
        "type": EVIDENCE_TYPE,
        "server": server,
        "fetched_at": utc_now(),
        "log_index": index,
        "tree_size": size,
        "entry": get(f"{AUDIT_API}/entries/{index}"),
        "inclusion_proof": get(f"{AUDIT_API}/proofs/inclusion?index={index}&size={size}"),
        "checkpoint": get(f"{AUDIT_API}/checkpoints/{size}"),
    }


def _reject_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def _part(evidence: dict, name: str) -> dict:
    part = evidence.get(name)
    if not isinstance(part, dict):
        raise ToolError(f'the evidence has no "{name}" object')
    return part


def verify_evidence(body: dict, evidence: dict, checkpoint_key=None, say=print) -> None:
    """Check that the receipt's entry is in the log as the receipt says; ToolError at the
    first thing that does not hold, one `say("OK: ...")` per check that does.

    `checkpoint_key` is (name or None, Ed25519PublicKey) of the log's checkpoint key."""
    index, size, root = receipt_position(body)
    kind = body.get("type")
    if kind not in RECEIPT_ENTRIES:
        raise ToolError(f"no evidence check for receipts of type {kind!r}")
    action, fields = RECEIPT_ENTRIES[kind]
    if not isinstance(evidence, dict) or evidence.get("type") != EVIDENCE_TYPE:
        raise ToolError(f'the evidence is not a "{EVIDENCE_TYPE}" object')
    entry = _part(evidence, "entry")
    proof_doc = _part(evidence, "inclusion_proof")
    checkpoint = _part(evidence, "checkpoint")

    # 1. The leaf hash, from the payload bytes themselves.
    if entry.get("withheld"):
        raise ToolError(
            "the server withheld the entry's content (" + str(entry["withheld"]) + "); "
            "fetch the evidence again with your token (evidence --token), or after the opening"
        )
    if not isinstance(entry.get("payload"), str):
        raise ToolError("the evidence's entry has no payload")
    try:
        payload = base64.b64decode(entry["payload"], validate=True)
    except (binascii.Error, ValueError):
        raise ToolError("the evidence's entry payload is not base64") from None
    leaf = leaf_hash(payload)
    for where, doc in (("entry", entry), ("inclusion proof", proof_doc)):
        if "leaf_hash" in doc and _hash(doc["leaf_hash"], f"the {where}'s leaf_hash") != leaf:
            raise ToolError(
                f"the entry's payload does not hash to the leaf_hash of the {where}: "
                "the payload was changed, or belongs to another entry"
            )
    say(f"OK: leaf hash {leaf.hex()} recomputed from the entry's payload")

    # 2. That leaf sits at log_index under the receipt's signed root.
    if proof_doc.get("index") != index or proof_doc.get("size") != size:
        raise ToolError(
            f"the inclusion proof is for entry {proof_doc.get('index')!r} in a tree of size "
            f"{proof_doc.get('size')!r}, not for entry {index} in size {size} as the receipt says"
        )
    path = proof_doc.get("proof")
    if not isinstance(path, list):
        raise ToolError("the inclusion proof has no list of hashes")
    path = [_hash(p, "an inclusion proof hash") for p in path]
    if not verify_inclusion(leaf, index, size, path, root):
        raise ToolError(
            f"the inclusion proof does not lead from entry {index} to the receipt's root "
            f"{root.hex()} of size {size}: the entry or the proof is not the log's"
        )
    say(
        f"OK: entry {index} is in the log of size {size} with root {root.hex()} "
        f"(RFC 9162 inclusion proof, {len(path)} hashes)"
    )

    # 3. The entry records what the receipt acknowledges.
    try:
        record = json.loads(payload.decode("utf-8"), object_pairs_hook=_reject_duplicates)
        is_canonical = rfc8785.dumps(record) == payload
    except (ValueError, TypeError, rfc8785.CanonicalizationError, RecursionError):
        raise ToolError("the entry's payload is not JSON") from None
    if not isinstance(record, dict) or not is_canonical:
        raise ToolError("the entry's payload is not a canonical (RFC 8785) JSON object")
    if record.get("seq") != index:
        raise ToolError(f"the entry's seq is {record.get('seq')!r}, not the receipt's {index}")
    say(f"OK: the entry's seq is the receipt's log_index {index}")
    if record.get("action") != action:
        raise ToolError(
            f"the entry records {record.get('action')!r}, not {action!r} as a {kind} requires"
        )
    say(f"OK: the entry records {action}")
    data = record.get("data")
    if not isinstance(data, dict):
        raise ToolError("the entry has no data")
    for field in fields:
        if field not in body:
            raise ToolError(f"the receipt has no {field}")
        if data.get(field) != body[field]:
            raise ToolError(
                f"the entry's {field} is {data.get(field)!r}, the receipt's {body[field]!r}: "
                "the evidence is for another entry"
            )
    say(f"OK: the entry's {', '.join(fields)} are the receipt's")

    # 4. The checkpoint: the server's record of it, then (with the key) its signed note.
    if checkpoint.get("tree_size") != size:
        raise ToolError(f"the evidence's checkpoint has size {checkpoint.get('tree_size')!r}")
    for where, doc in (("checkpoint", checkpoint), ("inclusion proof", proof_doc)):
        if doc.get("root_hash") is not None and _hash(doc["root_hash"], where) != root:
            raise ToolError(
                f"the {where}'s root hash {doc['root_hash']} is not the receipt's "
                f"{root.hex()}: the log signed another tree of this size"
            )
    say(f"OK: the log's checkpoint of size {size} has the receipt's root")
    if checkpoint_key is None:
        say("NOTE: checkpoint signature not checked (give --checkpoint-key)")
        return
    note_body, signer = open_note(checkpoint.get("note"), *checkpoint_key)
    log_origin, note_size, note_root = parse_checkpoint(note_body)
    if note_size != size or note_root != root:
        raise ToolError(
            f"the signed checkpoint is for size {note_size} with root {note_root.hex()}, "
            f"not the receipt's size {size} with root {root.hex()}"
        )
    say(
        f"OK: checkpoint note of {log_origin} for size {size} with the receipt's root, "
        f"signed by {signer} (key id {note_key_id(signer, checkpoint_key[1]).hex()})"
    )


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


# Sealed bids larger than this go as a multipart upload instead of base64 inside JSON.
INLINE_SEALED_MAX = 1024 * 1024


class Api:
    def __init__(self, server: str, token: str | None):
        self.server = server.rstrip("/")
        self.token = token

    def get(self, path: str) -> dict:
        return self._send(urllib.request.Request(self.server + path, method="GET"))

    def post(self, path: str, body: dict) -> dict:
        data = json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.server + path, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        return self._send(request)

    def post_multipart(self, path: str, fields: dict, file_field: str, data: bytes) -> dict:
        boundary = "tenderctl-" + hashlib.sha256(data).hexdigest()[:32]
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{file_field}.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.server + path, data=body, method="POST")
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> dict:
        if self.token:  # the audit log is public: `evidence` sends none
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
    path = tender_path(args.tender) + "/bids"
    if len(sealed) > INLINE_SEALED_MAX:
        # Servers refuse JSON bodies over a few MB; a large sealed bid goes as a file part.
        fields = {"statement": statement.decode("utf-8"), "signature": b64(signature)}
        result = api.post_multipart(path + "/upload", fields, "sealed", sealed)
    else:
        body = {
            "statement": statement.decode("utf-8"),
            "signature": b64(signature),
            "sealed": b64(sealed),
        }
        result = api.post(path, body)
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


# Documents the platform asks people to sign, besides bids: what `sign` shows before signing.
SIGNABLE = {"results-protocol/v1", "contract/v1"}


def describe_document(doc: dict) -> list[str]:
    """The lines a signer reads before signing: what the document commits them to."""
    if doc["type"] == "contract/v1":
        return [
            f"contract {doc['number']} under tender {doc['tender']}, lot {doc['lot']['id']}",
            f"buyer    {doc['buyer']['bin']} {doc['buyer']['name']}",
            f"supplier {doc['supplier']['bin']} {doc['supplier']['name']}",
            f"price    {doc['price']} {doc['currency']}",
        ]
    lines = [f"results protocol of {doc['tender']}, revision {doc['revision']}"]
    for lot in doc["lots"]:
        winner = lot["winner"]
        lines.append(
            f"lot {lot['lot']}: "
            + (f"winner {winner['bidder']} at {winner['price']}" if winner else "no qualified bid")
        )
    disqualified = [b for b in doc["bids"] if b["status"] == "disqualified"]
    lines.append(f"{len(doc['bids'])} bids reviewed, {len(disqualified)} disqualified")
    return lines


def cmd_sign(args) -> None:
    """Sign a results protocol or a contract, exactly as downloaded, with a detached CMS."""
    data = Path(args.document).read_bytes()
    try:
        doc = json.loads(data)
    except ValueError:
        raise ToolError(f"{args.document}: not a JSON document from the platform") from None
    if not isinstance(doc, dict) or doc.get("type") not in SIGNABLE:
        raise ToolError(f"{args.document}: not a results protocol or a contract")
    if canonical(doc) != data:
        raise ToolError(
            f"{args.document}: not byte for byte as the platform made it (re-download it; "
            "do not open and save it in an editor)"
        )
    key, cert, extra = load_p12(args.p12, _password(args))
    for line in describe_document(doc):
        print(line, file=sys.stderr)
    out = Path(args.out or f"{args.document}.p7s")
    out.write_bytes(sign_cms(data, key, cert, extra or ()))
    print(
        f"signature written to {out} (SHA-256 of the document {hashlib.sha256(data).hexdigest()})",
        file=sys.stderr,
    )


def read_json(path: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError:  # UnicodeDecodeError too
        raise ToolError(f"{path}: not JSON") from None


def read_receipt(path: str) -> dict:
    doc = read_json(path)
    if isinstance(doc, dict) and "receipt" in doc and "bid" in doc:
        doc = doc["receipt"]  # the whole submission or withdrawal response was saved
    return doc


def cmd_evidence(args) -> None:
    doc = read_receipt(args.receipt)
    body = doc.get("receipt") if isinstance(doc, dict) else None
    if not isinstance(body, dict):
        raise ToolError(f'{args.receipt}: not a receipt (no "receipt" object)')
    # The audit log is public, but a bid's own entry is withheld from others until the opening:
    # with the supplier's token (or TENDER_TOKEN) the bidder reads it before then too.
    token = args.token or os.environ.get("TENDER_TOKEN")
    evidence = collect_evidence(Api(args.server, token).get, body, args.server)
    Path(args.out).write_text(json.dumps(evidence, indent=2, ensure_ascii=False) + "\n")
    print(
        f"evidence for entry {evidence['log_index']} in the checkpoint of size "
        f"{evidence['tree_size']} written to {args.out}; check it with verify-receipt --evidence"
    )


def cmd_verify_receipt(args) -> None:
    try:
        public_key = serialization.load_pem_public_key(Path(args.public_key).read_bytes())
    except ValueError:
        raise ToolError(f"{args.public_key}: not a PEM public key") from None
    if not isinstance(public_key, Ed25519PublicKey):
        raise ToolError(f"{args.public_key}: not an Ed25519 public key")
    doc = read_receipt(args.receipt)
    if args.checkpoint_key and not args.evidence:
        raise ToolError("--checkpoint-key checks the checkpoint in --evidence; give both")
    checkpoint_key = load_checkpoint_key(args.checkpoint_key) if args.checkpoint_key else None
    evidence = read_json(args.evidence) if args.evidence else None
    body = verify_receipt(doc, public_key)
    print(f"OK: receipt for bid {body.get('bid')} signed by key {doc['key_id']}")
    if evidence is not None:
        verify_evidence(body, evidence, checkpoint_key)
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

    sign = sub.add_parser(
        "sign", help="sign a results protocol or a contract (writes a detached CMS, DER)"
    )
    sign.add_argument("document", help="the document exactly as downloaded from the platform")
    sign.add_argument("--p12", required=True, help="PKCS#12 file with key and certificate")
    sign.add_argument("--password", help="its password (or TENDER_PASSWORD, else asked)")
    sign.add_argument("--out", help="where to write the signature (default DOCUMENT.p7s)")
    sign.set_defaults(run=cmd_sign)

    evidence = sub.add_parser(
        "evidence", help="fetch a receipt's audit-log entry, inclusion proof and checkpoint"
    )
    evidence.add_argument("--server", required=True, help="e.g. https://tenders.example.kz")
    evidence.add_argument("--receipt", required=True, help="the receipt JSON file")
    evidence.add_argument("--out", required=True, help="the evidence JSON file to write")
    evidence.add_argument(
        "--token", help="your API token, to read your own bid's entry before the opening"
    )
    evidence.set_defaults(run=cmd_evidence)

    verify = sub.add_parser(
        "verify-receipt", help="check a receipt's signature, and offline its audit-log evidence"
    )
    verify.add_argument("receipt")
    verify.add_argument("--public-key", required=True, help="the platform's Ed25519 PEM public key")
    verify.add_argument("--evidence", help="a file from `evidence`: check the entry and its proof")
    verify.add_argument(
        "--checkpoint-key",
        help="the audit log's checkpoint key (PEM, or its note verifier key): check the note",
    )
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
