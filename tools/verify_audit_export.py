#!/usr/bin/env python3
"""Offline verifier for an exported audit log.

    python tools/verify_audit_export.py DIR --public-key KEYFILE [--origin ORIGIN]

Self-contained on purpose: it imports only the Python standard library and `cryptography`,
never the project's `audit` package. An auditor runs it to check our log without having to
trust (or install) our code, so the small amount of hashing, RFC 9162 Merkle-tree, C2SP
signed-note and RFC 8785 code it needs is duplicated here, short enough to read in full.

DIR holds:
  entries.jsonl      one object per line in seq order:
                     {"seq": N, "payload": base64, "leaf_hash": hex, "chain_hash": hex, ...}
                     (payload = the exact RFC 8785 bytes of an object whose "seq" is N)
  checkpoints.jsonl  one object per line, increasing size: {"size": N, "note": signed note}
  manifest.json      {"origin": ..., "entries": count, "checkpoints": count, "key": vkey}

Checks, in one streaming pass (memory does not grow with the log):
  entries      seq is 0, 1, 2, ... without gaps and equals the payload's "seq"; the payload
               is RFC 8785 canonical; leaf_hash = SHA-256(0x00 || payload); chain_hash =
               SHA-256(previous chain_hash || leaf_hash), from 32 zero bytes
  checkpoints  Ed25519 signature by the given key (C2SP signed-note), strict
               tlog-checkpoint text, origin, strictly increasing sizes, none beyond the log;
               root = RFC 9162 Merkle root of the first `size` entries; an RFC 9162
               consistency proof between consecutive checkpoints, built from the stream and
               verified with the algorithm of section 2.1.4.2
  manifest     its entry and checkpoint counts

The key comes only from --public-key (a PEM public key, or a vkey string, in a file); the
manifest's copy is compared and a difference is reported, never trusted. The signer name
looked for is the vkey's, else the manifest's when its key is this same key, else the
origin (tlog-checkpoint says the key name SHOULD be the origin).

Exit status: 0 verified (one "OK: ..." line), 1 the first failure ("FAIL: ..."), 2 usage.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HASH_SIZE = 32
ZERO_HASH = bytes(HASH_SIZE)  # the chain hash "before" entry 0
EMPTY_ROOT = hashlib.sha256(b"").digest()
ED25519 = b"\x01"  # signed-note signature type
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
MAX_SIGNATURES = 100
TREE_SIZE = re.compile(r"0|[1-9][0-9]*")  # ASCII digits, no leading zeros
HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")  # bytes.fromhex alone would allow spaces


class Failure(Exception):
    """The export does not verify; the message is the text after "FAIL: "."""


class UsageError(Exception):
    """Bad arguments or missing files (exit status 2)."""


# --- hashing and the RFC 9162 Merkle tree (duplicated from audit/merkle.py) -------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly below n (RFC 9162's k), n >= 2."""
    return 1 << ((n - 1).bit_length() - 1)


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """PROOF(first, D[second]) of RFC 9162 section 2.1.4.1 as leaf ranges, 0 < first < second."""
    siblings, lo, hi, whole = [], 0, second, True
    while first != hi:
        mid = lo + _split(hi - lo)
        if first <= mid:
            siblings.append((mid, hi))
            hi = mid
        else:
            siblings.append((lo, mid))
            lo, whole = mid, False
    siblings.reverse()
    return siblings if whole else [(lo, hi), *siblings]


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2, for 0 < first < second."""
    if not (0 < first < second) or not proof:
        return False
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


class Frontier:
    """MTH of a growing log in O(log n) memory: roots of the perfect subtrees tiling it.

    The root folds the tiles right to left: the largest tile is RFC 9162's left half when
    the size is not a power of two, and the remaining tiles are the right half's tiles.
    """

    def __init__(self) -> None:
        self.size = 0
        self._tiles: list[bytes] = []
        self._edge: list[bytes] = []  # _edge[j] = MTH of [size - 2^j, size)

    def append(self, leaf: bytes) -> None:
        node, edge, carry = leaf, [leaf], self.size
        while carry & 1:
            node = node_hash(self._tiles.pop(), node)
            edge.append(node)
            carry >>= 1
        self._tiles.append(node)
        self._edge = edge
        self.size += 1

    def root(self) -> bytes:
        return self._fold(self._tiles) if self._tiles else EMPTY_ROOT

    def tiles(self) -> dict[tuple[int, int], bytes]:
        out, start = {}, 0
        widths = [1 << i for i in reversed(range(self.size.bit_length())) if self.size >> i & 1]
        for width, h in zip(widths, self._tiles, strict=True):
            out[(start, start + width)] = h
            start += width
        return out

    def range_root(self, start: int) -> bytes:
        """MTH of [start, size) when that is a node of the tree of the current size."""
        width = self.size - start
        level = width.bit_length() - 1
        if width == 1 << level and level < len(self._edge):
            return self._edge[level]
        if width != self.size & ((1 << width.bit_length()) - 1):
            raise AssertionError(f"[{start}, {self.size}) is not a tree node")
        return self._fold(self._tiles[-width.bit_count() :])

    @staticmethod
    def _fold(tiles: list[bytes]) -> bytes:
        acc = tiles[-1]
        for h in reversed(tiles[:-1]):
            acc = node_hash(h, acc)
        return acc


class ProofCollector:
    """Builds the consistency proof between two checkpoints from the entry stream itself.

    Created when the stream stands at the older checkpoint. Proof ranges inside the old
    tree are exactly its frontier tiles (they tile [0, first) in decreasing sizes, which is
    the binary decomposition of first), so they are in hand already. Every other range
    [a, b) is a node of the tree of size b, captured when the stream reaches b.
    """

    def __init__(self, first: int, second: int, tree: Frontier) -> None:
        self.first, self.second = first, second
        ranges = consistency_ranges(first, second)
        tiles = tree.tiles()
        self.hashes: list[bytes | None] = [tiles.get(r) for r in ranges]
        self.waiting: dict[int, list[tuple[int, int]]] = {}
        for i, (a, b) in enumerate(ranges):
            if b > first:
                self.waiting.setdefault(b, []).append((i, a))
            elif self.hashes[i] is None:
                raise AssertionError(f"proof range [{a}, {b}) is not a tile of {first}")

    def capture(self, tree: Frontier) -> None:
        for i, start in self.waiting.pop(tree.size, ()):
            self.hashes[i] = tree.range_root(start)

    def proof(self) -> list[bytes]:
        proof = [h for h in self.hashes if h is not None]
        if self.waiting or len(proof) != len(self.hashes):
            raise AssertionError("consistency proof collected incompletely")
        return proof


# --- C2SP signed notes and checkpoints (duplicated from audit/notes.py) ------------------


def b64decode(text: str) -> bytes:
    """Standard base64 with padding; raises ValueError for anything else."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"not standard base64: {text[:80]!r}") from exc


def valid_key_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() or c < " " for c in name)


def key_id(name: str, raw_public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + raw_public_key).digest()[:4]


def raw_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def parse_vkey(vkey: str) -> tuple[str, Ed25519PublicKey]:
    """name+hash+base64(0x01 || key), the golang.org/x/mod/sumdb/note verifier key."""
    name, _, rest = vkey.partition("+")
    id_hex, _, key_b64 = rest.partition("+")
    material = b64decode(key_b64)
    if not valid_key_name(name) or len(id_hex) != 8 or len(material) != 33:
        raise ValueError("malformed verifier key")
    if material[:1] != ED25519:
        raise ValueError("verifier key is not an Ed25519 key")
    if key_id(name, material[1:]).hex() != id_hex.lower():
        raise ValueError("verifier key hash does not match its name and key")
    return name, Ed25519PublicKey.from_public_bytes(material[1:])


def open_note(text: str, name: str, public_key: Ed25519PublicKey) -> str:
    """The note text, if signed by (name, key); signatures by other keys are ignored."""
    if any(c < " " and c != "\n" for c in text):
        raise ValueError("malformed note: control character")
    split = text.rfind("\n\n")
    block = text[split + 2 :]
    if split < 0 or not block.endswith("\n"):
        raise ValueError("malformed note: no signature block")
    body, lines = text[: split + 1], block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise ValueError("malformed note: too many signatures")
    want, found = key_id(name, raw_key(public_key)), None
    for line in lines:
        sig_name, _, sig_b64 = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
        try:
            blob = b64decode(sig_b64)
        except ValueError:
            blob = b""
        if not line.startswith(SIGNATURE_PREFIX) or not valid_key_name(sig_name) or len(blob) < 5:
            raise ValueError(f"malformed note: bad signature line {line[:80]!r}")
        if found is None and sig_name == name and blob[:4] == want:
            found = blob[4:]  # the first line from our key decides, as in Go's note.Open
    if found is None:
        raise ValueError(f"note has no signature by {name}")
    try:
        public_key.verify(found, body.encode("utf-8"))
    except (InvalidSignature, ValueError, UnicodeEncodeError) as exc:
        raise ValueError("signature does not verify") from exc
    return body


def parse_checkpoint(body: str) -> tuple[str, int, bytes]:
    """origin, tree size, root hash from a c2sp.org/tlog-checkpoint note text."""
    lines = body[:-1].split("\n")
    if not body.endswith("\n") or len(lines) < 3 or not lines[0] or not all(lines[3:]):
        raise ValueError("malformed checkpoint text")
    origin, size_text, root_text = lines[:3]
    if not TREE_SIZE.fullmatch(size_text) or len(size_text) > 20:
        raise ValueError(f"malformed checkpoint tree size {size_text!r}")
    root = b64decode(root_text)
    if len(root) != HASH_SIZE or base64.b64encode(root).decode() != root_text:
        raise ValueError(f"malformed checkpoint root hash {root_text!r}")
    return origin, int(size_text), root


# --- RFC 8785 canonical JSON, to confirm each payload is in its one canonical spelling ----


# json's own string encoder (as with ensure_ascii=False) escapes exactly what RFC 8785 does:
# quote, backslash, \b \f \n \r \t, other controls as lowercase \u00xx; nothing else.
json_string = json.encoder.encode_basestring
SAFE_INTEGER = 2**53 - 1  # beyond it an integer is not exactly an IEEE double


def _utf16_order(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")  # RFC 8785 sorts by UTF-16 code units


def canonical_json(value: object) -> str:
    """RFC 8785 serialization of a value parsed by json.loads (dispatch on exact types)."""
    kind = type(value)
    if kind is str:
        return json_string(value)
    if kind is dict:
        keys = sorted(value, key=_utf16_order)
        return "{" + ",".join(json_string(k) + ":" + canonical_json(value[k]) for k in keys) + "}"
    if kind is list:
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if kind is int and -SAFE_INTEGER <= value <= SAFE_INTEGER:
        return str(value)
    if kind is int or kind is float:
        return es6_number(float(value))  # JSON numbers are IEEE doubles in RFC 8785
    if kind is bool or value is None:
        return json.dumps(value)
    raise TypeError(f"not a JSON value: {kind.__name__}")


def es6_number(x: float) -> str:
    """ECMAScript Number::toString, which RFC 8785 prescribes for numbers."""
    if not math.isfinite(x):
        raise ValueError("NaN and infinities are not JSON")
    if x == 0:
        return "0"
    if x < 0:
        return "-" + es6_number(-x)
    mantissa, _, exponent = repr(x).partition("e")  # repr has the shortest round-trip digits
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    n = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(digits))
    digits = digits.rstrip("0")  # x = 0.digits * 10^n
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    mant = digits[0] + (f".{digits[1:]}" if k > 1 else "")
    return f"{mant}e{'+' if n > 0 else '-'}{abs(n - 1)}"


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def loads_strict(text: str) -> object:
    return json.loads(text, parse_constant=_reject_constant)


# --- reading the export ----------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    size: int
    root: bytes


def is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) per non-blank line, one line in memory at a time."""
    with path.open("rb") as lines:
        for lineno, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                obj = loads_strict(raw.decode("utf-8"))
            except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
                raise Failure(f"{path.name} line {lineno}: not valid JSON ({exc})") from exc
            if not isinstance(obj, dict):
                raise Failure(f"{path.name} line {lineno}: not a JSON object")
            yield lineno, obj


def read_hash(obj: dict, field: str, where: str) -> bytes:
    value = obj.get(field)
    if not isinstance(value, str) or not HEX_HASH.fullmatch(value):
        raise Failure(f"{where}: {field} is not 64 hex digits")
    return bytes.fromhex(value)


def check_payload(payload: bytes, seq: int, where: str) -> None:
    try:
        text = payload.decode("utf-8")
        obj = loads_strict(text)
        canonical = canonical_json(obj) == text and text.encode("utf-8") == payload
    except (ValueError, TypeError, OverflowError, RecursionError):
        raise Failure(f"{where}: payload is not JSON") from None
    if not isinstance(obj, dict):
        raise Failure(f"{where}: payload is not a JSON object")
    if not canonical:
        raise Failure(f"{where}: payload is not RFC 8785 canonical JSON")
    if not (is_count(obj.get("seq")) and obj["seq"] == seq):
        raise Failure(f"{where}: payload says seq={obj.get('seq')!r}")


def read_entries(path: Path) -> Iterator[bytes]:
    """Leaf hashes of the entries, after checking each entry's own fields and hash chain."""
    chain = ZERO_HASH
    for expected, (lineno, obj) in enumerate(read_jsonl(path)):
        seq = obj.get("seq")
        where = f"entry seq={expected}"
        if not is_count(seq) or seq != expected:
            raise Failure(f"{where}: missing or out of order (line {lineno} has seq={seq!r})")
        try:
            payload = b64decode(obj["payload"]) if isinstance(obj.get("payload"), str) else None
        except ValueError:
            payload = None
        if payload is None:
            raise Failure(f"{where}: payload is not standard base64")
        stored_leaf = read_hash(obj, "leaf_hash", where)
        stored_chain = read_hash(obj, "chain_hash", where)
        leaf = leaf_hash(payload)
        if leaf != stored_leaf:
            raise Failure(
                f"{where}: leaf hash does not match payload "
                f"(stored {stored_leaf.hex()}, computed {leaf.hex()})"
            )
        chain = hashlib.sha256(chain + leaf).digest()
        if chain != stored_chain:
            raise Failure(
                f"{where}: chain hash does not match "
                f"(stored {stored_chain.hex()}, computed {chain.hex()})"
            )
        check_payload(payload, seq, where)
        yield leaf


def read_checkpoints(
    path: Path, name: str, public_key: Ed25519PublicKey, origin: str
) -> Iterator[Checkpoint]:
    """Checkpoints whose signature, format, origin and order are valid, in file order."""
    previous = -1
    for lineno, obj in read_jsonl(path):
        size, note = obj.get("size"), obj.get("note")
        if not is_count(size):
            raise Failure(f"{path.name} line {lineno}: size is not a non-negative integer")
        where = f"checkpoint size={size}"
        if not isinstance(note, str):
            raise Failure(f"{where}: note is missing")
        try:
            note_origin, note_size, root = parse_checkpoint(open_note(note, name, public_key))
        except ValueError as exc:
            raise Failure(f"{where}: {exc}") from None
        if note_size != size:
            raise Failure(f"{where}: the signed note says size {note_size}")
        if note_origin != origin:
            raise Failure(f"{where}: origin {note_origin!r} is not {origin!r}")
        if size <= previous:
            raise Failure(f"{where}: does not come after checkpoint size={previous}")
        previous = size
        yield Checkpoint(size, root)


# --- the verification pass -------------------------------------------------------------


class ExportVerifier:
    """One streaming pass over the entries, settling each checkpoint when the stream
    reaches its size: root equality, then consistency with the checkpoint before it."""

    def __init__(self, checkpoints: Iterator[Checkpoint]) -> None:
        self.tree = Frontier()
        self.checkpoints = checkpoints
        self.previous: Checkpoint | None = None
        self.next: Checkpoint | None = next(checkpoints, None)
        self.collector: ProofCollector | None = None
        self.settled = 0

    def run(self, leaves: Iterator[bytes]) -> None:
        self._settle_due()  # a checkpoint of the empty log
        for leaf in leaves:
            self.tree.append(leaf)
            if self.collector is not None:
                self.collector.capture(self.tree)
            self._settle_due()
        if self.next is not None:
            raise Failure(
                f"checkpoint size={self.next.size}: larger than the log "
                f"({self.tree.size} entries exported)"
            )
        if self.previous is None:
            raise Failure("checkpoints.jsonl: no checkpoints, so nothing in the export is signed")

    def _settle_due(self) -> None:
        while self.next is not None and self.next.size == self.tree.size:
            self._settle(self.next)
            self.previous, self.settled = self.next, self.settled + 1
            self.next = next(self.checkpoints, None)
            self.collector = None
            if self.next is not None and self.previous.size > 0:
                self.collector = ProofCollector(self.previous.size, self.next.size, self.tree)

    def _settle(self, checkpoint: Checkpoint) -> None:
        where = f"checkpoint size={checkpoint.size}"
        computed = self.tree.root()
        if checkpoint.root != computed:
            raise Failure(
                f"{where}: root hash does not match the first {checkpoint.size} entries "
                f"(signed {checkpoint.root.hex()}, computed {computed.hex()})"
            )
        before = self.previous
        if self.collector is not None and before is not None:
            proof = self.collector.proof()
            if not verify_consistency(before.size, checkpoint.size, before.root, computed, proof):
                raise Failure(f"{where}: not consistent with checkpoint size={before.size}")


# --- command line ----------------------------------------------------------------------


def load_public_key(path: Path) -> tuple[str | None, Ed25519PublicKey]:
    """(key name or None, key) from a PEM public key file or a file holding a vkey."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read public key {path}: {exc}") from exc
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode("ascii"))
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("not an Ed25519 public key")
            return None, key
        return parse_vkey(text)
    except ValueError as exc:
        raise UsageError(f"public key {path}: {exc}") from exc


def read_manifest(path: Path) -> dict:
    try:
        manifest = loads_strict(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Failure(f"manifest.json: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise Failure("manifest.json: not a JSON object")
    return manifest


def choose_key_name(
    key_name: str | None, key: Ed25519PublicKey, manifest: dict, origin: str
) -> str:
    """The signer name to look for; the key itself never comes from the manifest.

    A vkey names its key. For a bare PEM key, take the manifest's name when the manifest's
    key is this same key, else the origin (tlog-checkpoint: the name SHOULD be the origin).
    """
    manifest_key = manifest.get("key")
    try:
        m_name, m_key = parse_vkey(manifest_key) if isinstance(manifest_key, str) else (None, None)
    except ValueError:
        m_name, m_key = None, None
    same_key = m_key is not None and raw_key(m_key) == raw_key(key)
    if not same_key or (key_name is not None and m_name != key_name):
        warn(f"manifest.json key {manifest_key!r} differs from --public-key; using --public-key")
    if key_name is not None:
        return key_name
    return m_name if same_key and m_name else origin


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def verify_export(export_dir: Path, key_file: Path, origin: str | None) -> str:
    """The OK line, or raises Failure / UsageError."""
    paths = {name: export_dir / name for name in ("entries.jsonl", "checkpoints.jsonl")}
    paths["manifest.json"] = export_dir / "manifest.json"
    missing = [name for name, path in paths.items() if not path.is_file()]
    if missing:
        raise UsageError(f"{export_dir}: missing {', '.join(missing)}")
    key_name, key = load_public_key(key_file)
    manifest = read_manifest(paths["manifest.json"])
    origin = origin if origin is not None else manifest.get("origin")
    if not isinstance(origin, str) or not origin:
        raise UsageError("no origin: pass --origin or put it in manifest.json")
    name = choose_key_name(key_name, key, manifest, origin)
    checkpoints = read_checkpoints(paths["checkpoints.jsonl"], name, key, origin)
    verifier = ExportVerifier(checkpoints)
    verifier.run(read_entries(paths["entries.jsonl"]))
    entries, latest = verifier.tree.size, verifier.previous
    assert latest is not None
    for field, actual in (("entries", entries), ("checkpoints", verifier.settled)):
        if manifest.get(field) != actual:
            raise Failure(f"manifest.json: says {field}={manifest.get(field)!r}, found {actual}")
    if latest.size < entries:
        warn(f"the last {entries - latest.size} entries are not covered by a checkpoint yet")
    return (
        f"OK: {entries} entries, {verifier.settled} checkpoints, "
        f"latest size {latest.size} root {latest.root.hex()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify an exported audit log offline.")
    parser.add_argument("directory", type=Path, help="export directory")
    parser.add_argument("--public-key", type=Path, required=True, help="PEM or vkey file")
    parser.add_argument("--origin", help="expected checkpoint origin (default: manifest's)")
    args = parser.parse_args(argv)
    try:
        print(verify_export(args.directory, args.public_key, args.origin))
    except (UsageError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Failure as exc:
        print(f"FAIL: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
