"""C2SP signed notes (c2sp.org/signed-note) carrying tlog checkpoints (c2sp.org/tlog-checkpoint).

Ed25519 only, wire-compatible with golang.org/x/mod/sumdb/note: the same key IDs, verifier
key strings and signature lines, so Go tooling and witnesses can check our checkpoints.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = b"\x01"  # signature type byte of Ed25519 in signed-note
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
MAX_SIGNATURES = 100  # the spec requires >= 16; Go's note package stops at 100
ROOT_SIZE = 32
_TREE_SIZE = re.compile(r"0|[1-9][0-9]*")  # [0-9], not \d: \d also matches non-ASCII digits


class NoteError(ValueError):
    """A note or checkpoint that must not be trusted; the message says why."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str) -> bytes:
    """Standard base64 with padding; anything else (spaces, URL alphabet) is an error."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise NoteError(f"not standard base64: {text!r}") from exc


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _check_name(name: str) -> None:
    """Key names: non-empty, no Unicode spaces, no '+' (it separates vkey fields)."""
    if not isinstance(name, str) or not name or "+" in name:
        raise NoteError(f"invalid key name {name!r}")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in name):
        raise NoteError(f"invalid key name {name!r}")


def _check_text(text: str) -> None:
    """Notes are valid UTF-8 with no ASCII control characters other than newline."""
    if not isinstance(text, str):
        raise NoteError("malformed note: not a string")
    try:
        text.encode("utf-8")  # lone surrogates cannot be encoded
    except UnicodeEncodeError as exc:
        raise NoteError("malformed note: not valid UTF-8") from exc
    if any(ord(ch) < 0x20 and ch != "\n" for ch in text):
        raise NoteError("malformed note: control character")


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    """The three mandatory checkpoint lines: origin, decimal tree size, base64 root hash."""
    if not isinstance(origin, str) or not origin or "\n" in origin:
        raise ValueError(f"invalid origin {origin!r}")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"invalid tree size {size!r}")
    if not isinstance(root, bytes) or len(root) != ROOT_SIZE:
        raise ValueError("root hash must be 32 bytes")
    return f"{origin}\n{size}\n{_b64(root)}\n"


def parse_checkpoint(body: str) -> tuple[str, int, bytes]:
    """(origin, size, root) from a checkpoint note text; NoteError unless strictly valid.

    Extension lines after the root are allowed but must be non-empty; they are not returned.
    """
    if not isinstance(body, str) or not body.endswith("\n"):
        raise NoteError("malformed checkpoint: text must end with a newline")
    _check_text(body)
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("malformed checkpoint: need origin, tree size and root hash lines")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise NoteError("malformed checkpoint: empty origin")
    if not _TREE_SIZE.fullmatch(size_text) or len(size_text) > 20 or int(size_text) >= 2**64:
        raise NoteError(f"malformed checkpoint: bad tree size {size_text!r}")
    root = _b64decode(root_text)
    if len(root) != ROOT_SIZE or _b64(root) != root_text:
        raise NoteError(f"malformed checkpoint: bad root hash {root_text!r}")
    if any(not line for line in extensions):
        raise NoteError("malformed checkpoint: empty extension line")
    return origin, int(size_text), root


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """SHA-256(name || 0x0A || 0x01 || raw public key)[:4], as signed-note recommends."""
    _check_name(name)
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + _raw(public_key)).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The `name+hash+base64` verifier key string of golang.org/x/mod/sumdb/note."""
    return f"{name}+{key_id(name, public_key).hex()}+{_b64(ED25519 + _raw(public_key))}"


def parse_verifier_key(vkey: str) -> tuple[str, Ed25519PublicKey]:
    """Inverse of verifier_key; NoteError if malformed, not Ed25519, or the hash disagrees."""
    if not isinstance(vkey, str):
        raise NoteError("verifier key must be a string")
    name, _, rest = vkey.partition("+")
    id_hex, _, key_b64 = rest.partition("+")  # the base64 part may itself contain '+'
    if len(id_hex) != 8 or not re.fullmatch(r"[0-9a-fA-F]{8}", id_hex):
        raise NoteError(f"malformed verifier key {vkey!r}")
    _check_name(name)
    material = _b64decode(key_b64)
    if len(material) != 33 or material[:1] != ED25519:
        raise NoteError("verifier key is not a 32-byte Ed25519 key")
    public_key = Ed25519PublicKey.from_public_bytes(material[1:])
    if key_id(name, public_key) != bytes.fromhex(id_hex):
        raise NoteError("verifier key hash does not match its name and key")
    return name, public_key


def sign_note(body: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """body, a blank line, and one signature line: em dash, name, base64(key ID || sig)."""
    _check_text(body)
    _check_name(name)
    if not body.endswith("\n"):
        raise NoteError("note text must end with a newline")
    signature = private_key.sign(body.encode("utf-8"))
    kid = key_id(name, private_key.public_key())
    return f"{body}\n{SIGNATURE_PREFIX}{name} {_b64(kid + signature)}\n"


def _signature_lines(block: str) -> list[tuple[str, bytes]]:
    """(key name, key ID || signature) for each line; NoteError if any line is malformed."""
    if not block.endswith("\n"):
        raise NoteError("malformed note: signature lines must end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("malformed note: too many signatures")
    parsed = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"malformed note: not a signature line: {line!r}")
        name, _, sig_b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            _check_name(name)
            blob = _b64decode(sig_b64)
        except NoteError as exc:
            raise NoteError(f"malformed note: bad signature line {line!r}") from exc
        if len(blob) < 5:
            raise NoteError("malformed note: signature too short")
        parsed.append((name, blob))
    return parsed


def open_note(text: str, name: str, public_key: Ed25519PublicKey) -> str:
    """The note's text if it carries a valid signature by (name, public_key).

    Signature lines from other keys are ignored, as the spec requires (they may be
    witnesses' cosignatures or a rotated key). Only the first line matching our name and
    key ID counts, like Go's note.Open; if it fails to verify, the whole note is rejected.
    """
    _check_text(text)
    split = text.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    body, block = text[: split + 1], text[split + 2 :]
    want = key_id(name, public_key)
    for sig_name, blob in _signature_lines(block):
        if sig_name == name and blob[:4] == want:
            try:
                public_key.verify(blob[4:], body.encode("utf-8"))
            except (InvalidSignature, ValueError) as exc:
                raise NoteError("signature does not verify") from exc
            return body
    raise NoteError(f"note has no signature by {name}")


def load_private_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """An unencrypted PKCS#8 PEM Ed25519 private key."""
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except TypeError as exc:  # cryptography's way of saying "encrypted"
        raise ValueError(f"{path}: encrypted private keys are not supported") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM of a key (or of a private key's public half)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(path_or_text: str | bytes | os.PathLike[str]) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM or vkey text, or from a file holding either.

    A str is read as a file path if such a file exists, otherwise as the key text itself.
    """
    if isinstance(path_or_text, bytes):
        text = path_or_text.decode("utf-8")
    elif isinstance(path_or_text, str) and not os.path.isfile(path_or_text):
        text = path_or_text
    else:
        text = Path(path_or_text).read_text(encoding="utf-8")
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    return parse_verifier_key(text)[1]
