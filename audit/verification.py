"""Full verification of the audit log, streaming: memory stays flat for millions of entries.

Recomputes every leaf from the stored payload bytes, the hash chain, the Merkle root at every
checkpoint (database rows and the off-database file copies), each checkpoint's signature,
consistency proofs between consecutive checkpoints, and that the query columns agree with
the payload. Stops at the first thing that does not match and names it.
"""

import collections
import datetime as dt
import hashlib
import itertools
import json
import operator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import DatabaseError, connection, transaction

from audit import log_chunks, merkle, notes
from audit.canonical import iso_utc
from audit.models import Checkpoint

CHUNK = 10_000
ZERO = bytes(32)
# seq, payload, leaf, chain: one C-level pass per column turns a chunk of rows into columns
# (zip(*rows) is several times slower on 10,000 rows).
COLUMN_GETTERS = [operator.itemgetter(i) for i in range(4)]


class Mismatch(Exception):
    def __init__(
        self, where: str, what: str, *, seq: int | None = None, checkpoint: int | None = None
    ):
        super().__init__(f"{where}: {what}")
        self.seq = seq
        self.checkpoint = checkpoint


@dataclass
class Result:
    ok: bool
    entries: int = 0
    checkpoints: int = 0
    root: bytes = b""
    message: str = ""
    seq: int | None = None
    checkpoint: int | None = None


@dataclass
class _Signed:
    size: int
    root: bytes
    db_root: bytes | None = None
    captures: list = field(default_factory=list)


def _open_checkpoint(text: str, size: int, origin: str, name: str, key: Ed25519PublicKey) -> bytes:
    where = f"checkpoint size={size}"
    try:
        body = notes.open_note(text, name, key)
        note_origin, note_size, root = notes.parse_checkpoint(body)
    except notes.NoteError as exc:
        raise Mismatch(
            where, f"signature or format does not verify ({exc})", checkpoint=size
        ) from exc
    if note_origin != origin:
        raise Mismatch(where, f"origin is {note_origin!r}, expected {origin!r}", checkpoint=size)
    if note_size != size:
        raise Mismatch(where, f"the signed note says size {note_size}", checkpoint=size)
    return root


def _load_checkpoints(origin, name, key, checkpoint_dir: Path | None) -> dict[int, _Signed]:
    signed: dict[int, _Signed] = {}
    for size, root, text in Checkpoint.objects.order_by("tree_size").values_list(
        "tree_size", "root_hash", "note"
    ):
        note_root = _open_checkpoint(text, size, origin, name, key)
        if bytes(root) != note_root:
            raise Mismatch(
                f"checkpoint size={size}",
                "the root column differs from the signed note",
                checkpoint=size,
            )
        signed[size] = _Signed(size, note_root, db_root=bytes(root))
    for path in (
        sorted(checkpoint_dir.glob("*.checkpoint"))
        if checkpoint_dir and checkpoint_dir.is_dir()
        else []
    ):
        size = int(path.stem)
        file_root = _open_checkpoint(path.read_text(encoding="utf-8"), size, origin, name, key)
        if size not in signed:
            raise Mismatch(
                f"checkpoint size={size}",
                f"the file copy {path.name} has no database row (deleted?)",
                checkpoint=size,
            )
        if signed[size].root != file_root:
            raise Mismatch(
                f"checkpoint size={size}",
                "the database row differs from its file copy",
                checkpoint=size,
            )
    return signed


def _plan_consistency(signed: dict[int, _Signed]) -> dict[int, list]:
    """For consecutive checkpoints (m, n), the proof nodes to capture while streaming."""
    captures: dict[int, list] = {}
    sizes = sorted(signed)
    for first, second in itertools.pairwise(sizes):
        ranges = merkle.consistency_proof_ranges(first, second)
        proof: list[bytes | None] = [None] * len(ranges)
        signed[second].captures.append((first, signed[first].root, proof))
        for position, (start, end) in enumerate(ranges):
            captures.setdefault(end, []).append((start, proof, position))
    return captures


def _column_mismatch(seq: int, payload, row) -> str | None:
    """What column disagrees with the payload, or None."""
    _, recorded_at, actor_id, action, subject_type, subject_id, data = row
    if not isinstance(payload, dict) or payload.get("seq") != seq:
        return f"payload names seq {payload.get('seq') if isinstance(payload, dict) else None}"
    try:
        if isinstance(recorded_at, str):
            recorded_at = dt.datetime.fromisoformat(recorded_at)
        if recorded_at.tzinfo is None:  # SQLite stores UTC without a zone; a bare cursor keeps it
            recorded_at = recorded_at.replace(tzinfo=dt.UTC)
        data = json.loads(data) if isinstance(data, str) else data
    except (TypeError, ValueError, AttributeError):
        return f"column recorded_at or data cannot be read ({recorded_at!r}, {data!r})"
    columns = {
        "recorded_at": iso_utc(recorded_at),
        "actor": actor_id,
        "action": action,
        "subject": {"type": subject_type, "id": subject_id},
        "data": data,
    }
    for name, value in columns.items():
        if payload.get(name) != value:
            return f"column {name} is {value!r} but the payload says {payload.get(name)!r}"
    return None


def _columns_agree(seq: int, payload: bytes, columns) -> bool:
    try:
        payload_object = json.loads(payload)
    except ValueError:
        return False
    return _column_mismatch(seq, payload_object, (seq, *columns)) is None


COLUMNS = "recorded_at, actor_id, action, subject_type, subject_id, data"
PLAIN_SQL = f"SELECT seq, payload, leaf_hash, chain_hash, {COLUMNS} FROM audit_entry ORDER BY seq"  # noqa: S608
ROW_SQL = f"SELECT seq, {COLUMNS} FROM audit_entry WHERE seq = %s"  # noqa: S608


def _chunks(fast: bool, snapshot: str | None = None):
    """(rows, columns_ok) in seq order, CHUNK rows at a time; each row starts with
    seq, payload, leaf, chain."""
    if fast:
        ok = operator.itemgetter(4)
        for rows in log_chunks.fetched(CHUNK, snapshot):
            yield rows, list(map(ok, rows))
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(PLAIN_SQL)
        while rows := cursor.fetchmany(CHUNK):
            hashed = [
                (seq, bytes(payload), bytes(leaf), bytes(chain))
                for seq, payload, leaf, chain, *_ in rows
            ]
            agree = [
                _columns_agree(seq, payload, row[4:])
                for (seq, payload, _, _), row in zip(hashed, rows, strict=True)
            ]
            yield hashed, agree


def _check_row_columns(seq: int, payload: bytes) -> None:
    try:
        payload_object = json.loads(payload)
    except ValueError as exc:
        raise Mismatch(f"entry seq={seq}", "payload is not JSON", seq=seq) from exc
    with connection.cursor() as cursor:
        cursor.execute(ROW_SQL, [seq])
        problem = _column_mismatch(seq, payload_object, cursor.fetchone())
    if problem:
        raise Mismatch(f"entry seq={seq}", problem, seq=seq)


def verify_log(
    *,
    origin: str,
    key_name: str,
    public_key: Ed25519PublicKey,
    checkpoint_dir: Path | None = None,
    fast: bool | None = None,
) -> Result:
    fast = connection.vendor == "postgresql" if fast is None else fast
    # Another session can share the snapshot only of a transaction that starts here: one
    # that began earlier may hold rows of its own, which an imported snapshot cannot see.
    shared = fast and not connection.in_atomic_block
    try:
        # One transaction: one snapshot for checkpoints and entries, and a savepoint to
        # return to if the fast query fails.
        with transaction.atomic():
            snapshot = log_chunks.export_snapshot() if shared else None
            return _verify(origin, key_name, public_key, checkpoint_dir, fast, snapshot)
    except (DatabaseError, connection.Database.Error):
        if not fast:
            raise
        # A payload PostgreSQL cannot parse stops the fast query; the slow path names it.
        return verify_log(
            origin=origin,
            key_name=key_name,
            public_key=public_key,
            checkpoint_dir=checkpoint_dir,
            fast=False,
        )


def _verify(origin, key_name, public_key, checkpoint_dir, fast: bool, snapshot=None) -> Result:
    result = Result(ok=True)
    try:
        signed = _load_checkpoints(origin, key_name, public_key, checkpoint_dir)
        result.checkpoints = len(signed)
        captures = _plan_consistency(signed)
        builder = _stream(signed, captures, result, fast, snapshot)
        result.root = builder.root()
        beyond = [size for size in signed if size > builder.size]
        if beyond:
            size = min(beyond)
            raise Mismatch(
                f"checkpoint size={size}",
                f"signs {size} entries but the log has {builder.size}",
                checkpoint=size,
            )
    except Mismatch as exc:
        return Result(
            False,
            result.entries,
            result.checkpoints,
            message=str(exc),
            seq=exc.seq,
            checkpoint=exc.checkpoint,
        )
    latest = max(signed) if signed else 0
    result.message = (
        f"OK: {result.entries} entries, {result.checkpoints} checkpoints, latest checkpoint size {latest}, "
        f"root {result.root.hex()}"
    )
    return result


def _stream(
    signed: dict[int, _Signed], captures: dict[int, list], result: Result, fast: bool, snapshot
) -> merkle.TreeBuilder:
    builder = merkle.TreeBuilder()
    chunks = _chunks(fast, snapshot)
    suspect = None
    try:
        suspect = _consume(chunks, builder, signed, captures, result)
    finally:
        chunks.close()  # stops the fetcher before any other query runs on this connection
    if suspect is not None:
        seq, payload = suspect
        _check_row_columns(seq, payload)
        raise Mismatch(f"entry seq={seq}", "the query columns disagree with the payload", seq=seq)
    return builder


def _consume(chunks, builder, signed, captures, result) -> tuple[int, bytes] | None:
    """Check each chunk; returns (seq, payload) of a row whose columns need a closer look.

    The hot loop of verification. Each check runs over the whole chunk at once (list
    comprehensions and list comparisons instead of per-row branches); only when one fails
    is the first failing row looked for, and the outcome is the same as checking row by row:
    the tree takes every row before it, so a checkpoint it passes is still checked first.
    Entry i's chain hash is computed from entry i-1's *stored* chain hash, which needs no
    sequential loop: once every stored chain hash of the chunk matches, each follows from
    its predecessor, which is the chain.
    """
    sha256 = hashlib.sha256
    previous_chain = ZERO
    # Sizes where a proof node or a root is read, in order; size 0 is never reached.
    marks = collections.deque(sorted(size for size in set(captures) | set(signed) if size))
    try:
        for rows, columns_ok in chunks:
            if not rows:
                continue
            start = builder.size
            seqs, payloads, stored_leaves, stored_chains = (
                list(map(column, rows)) for column in COLUMN_GETTERS
            )
            leaves = [sha256(b"\x00" + payload).digest() for payload in payloads]
            previous = [previous_chain, *stored_chains[:-1]]
            chains = [sha256(p + leaf).digest() for p, leaf in zip(previous, leaves, strict=True)]
            bad = _first_bad(start, seqs, leaves, stored_leaves, chains, stored_chains, columns_ok)
            _grow(builder, leaves, bad, marks, signed, captures)
            if bad < len(rows):
                _raise_row_problem(start + bad, rows[bad][:4], leaves[bad], chains[bad])
                return seqs[bad], payloads[bad]  # only the columns are left to blame
            previous_chain = stored_chains[-1]
    finally:
        result.entries = builder.size
    return None


def _first_bad(start, seqs, leaves, stored_leaves, chains, stored_chains, columns_ok) -> int:
    """Index of the first row in the chunk that fails any check, or the chunk's length."""
    checks = (
        (seqs, list(range(start, start + len(seqs)))),
        (leaves, stored_leaves),
        (chains, stored_chains),
        (columns_ok, [True] * len(seqs)),
    )
    bad = len(seqs)
    for found, expected in checks:
        if found != expected:
            first = next(
                i for i, pair in enumerate(zip(found, expected, strict=True)) if pair[0] != pair[1]
            )
            bad = min(bad, first)
    return bad


def _raise_row_problem(expected_seq: int, row, leaf: bytes, chain: bytes) -> None:
    """The first problem of one row, in the order seq, leaf, chain; returns if only the
    columns are wrong."""
    seq, _, stored_leaf, stored_chain = row
    if seq != expected_seq:
        what = f"is missing (the log jumps to {seq})" if seq > expected_seq else "appears twice"
        raise Mismatch(f"entry seq={expected_seq}", what, seq=expected_seq)
    if leaf != stored_leaf:
        raise Mismatch(
            f"entry seq={seq}",
            f"leaf hash does not match the payload bytes (stored {stored_leaf.hex()}, computed {leaf.hex()})",
            seq=seq,
        )
    if chain != stored_chain:
        raise Mismatch(
            f"entry seq={seq}",
            f"chain hash does not follow from the previous entry (stored {stored_chain.hex()}, computed {chain.hex()})",
            seq=seq,
        )


def _grow(builder, leaves, count, marks, signed, captures) -> None:
    """Add leaves[:count] to the tree, stopping at each marked size to read proof nodes and
    check a signed root; the leaf that reaches a mark goes in with a full append, which keeps
    the subtrees ending there for `range_root`."""
    base, done = builder.size, 0
    while marks and marks[0] <= base + count:
        size = marks.popleft()
        builder.extend_plain(leaves[done : size - base - 1])
        builder.append(leaves[size - base - 1])
        for start, proof, position in captures.get(size, ()):
            proof[position] = builder.range_root(start)
        if size in signed:
            _check_signed(signed[size], builder)
        done = size - base
    builder.extend_plain(leaves[done:count])


def _check_signed(checkpoint: _Signed, builder: merkle.TreeBuilder) -> None:
    size = checkpoint.size
    root = builder.root()
    if root != checkpoint.root:
        raise Mismatch(
            f"checkpoint size={size}",
            f"signed root {checkpoint.root.hex()} does not match the entries (computed {root.hex()})",
            checkpoint=size,
        )
    for first, first_root, proof in checkpoint.captures:
        # The earlier checkpoint's own root was checked when the stream passed it.
        if not merkle.verify_consistency(first, size, first_root, root, proof):
            raise Mismatch(
                f"checkpoint size={size}",
                f"is not consistent with checkpoint size={first}",
                checkpoint=size,
            )
