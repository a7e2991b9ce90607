"""Full verification of the audit log, streaming: memory stays flat for millions of entries.

Recomputes every leaf from the stored payload bytes, the hash chain, the Merkle root at every
checkpoint (database rows and the off-database file copies), each checkpoint's signature,
consistency proofs between consecutive checkpoints, and that the query columns agree with
the payload. Stops at the first thing that does not match and names it.
"""

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import DatabaseError, connection, transaction

from audit import merkle, notes
from audit.canonical import iso_utc
from audit.models import Checkpoint

CHUNK = 10_000
ZERO = bytes(32)


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
    if isinstance(recorded_at, str):
        recorded_at = dt.datetime.fromisoformat(recorded_at)
    if recorded_at.tzinfo is None:  # SQLite stores UTC without a zone; a bare cursor keeps it so
        recorded_at = recorded_at.replace(tzinfo=dt.UTC)
    columns = {
        "recorded_at": iso_utc(recorded_at),
        "actor": actor_id,
        "action": action,
        "subject": {"type": subject_type, "id": subject_id},
        "data": json.loads(data) if isinstance(data, str) else data,
    }
    for name, value in columns.items():
        if payload.get(name) != value:
            return f"column {name} is {value!r} but the payload says {payload.get(name)!r}"
    return None


# PostgreSQL compares the query columns with the payload on its own core while Python hashes
# (the next chunk is fetched in a thread). RFC 8785 sorts keys, so every payload is
#   {"action":A,"actor":N,"data":D,"recorded_at":"T","seq":S,"subject":{"id":I,"type":Y},"v":1}
# and the columns must rebuild its bytes around D exactly; D itself is compared as JSON with
# the data column. OFFSET 0 keeps the rebuilt pieces from being computed once per use. A row
# that fails is re-checked in Python, which names the column.
PG_FAST_SQL = """
SELECT e.seq, e.payload, e.leaf_hash, e.chain_hash,
  COALESCE(
    substring(e.payload FROM 1 FOR octet_length(pre)) = pre
    AND substring(e.payload FROM octet_length(e.payload) - octet_length(suf) + 1) = suf
    AND e.data = convert_from(substring(e.payload FROM octet_length(pre) + 1
                   FOR octet_length(e.payload) - octet_length(pre) - octet_length(suf)), 'UTF8')::jsonb,
    false)
FROM audit_entry e CROSS JOIN LATERAL (
  SELECT convert_to('{"action":' || to_json(e.action)::text || ',"actor":'
                    || COALESCE(e.actor_id::text, 'null') || ',"data":', 'UTF8') AS pre,
         convert_to(',"recorded_at":"' || to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                    || '","seq":' || e.seq::text || ',"subject":{"id":' || to_json(e.subject_id)::text
                    || ',"type":' || to_json(e.subject_type)::text || '},"v":1}', 'UTF8') AS suf
  OFFSET 0) j
ORDER BY e.seq
"""
PLAIN_SQL = "SELECT seq, payload, leaf_hash, chain_hash, NULL FROM audit_entry ORDER BY seq"
ROW_SQL = "SELECT seq, recorded_at, actor_id, action, subject_type, subject_id, data FROM audit_entry WHERE seq = %s"


def _rows(fast: bool):
    """(seq, payload, leaf, chain, columns_ok or None) in seq order, fetched in chunks."""
    if fast:
        yield from _prefetched_rows()
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(PLAIN_SQL)
        while rows := cursor.fetchmany(CHUNK):
            for seq, payload, leaf, chain, columns_ok in rows:
                yield seq, bytes(payload), bytes(leaf), bytes(chain), columns_ok


def _prefetched_rows():
    """Rows from a server-side cursor, the next chunk fetched in a thread while this one is
    hashed: PostgreSQL compares columns (one core) while Python hashes (the other)."""
    connection.ensure_connection()
    chunks: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()
    with connection.connection.cursor(name="audit_verify", binary=True) as cursor:

        def fetch():
            try:
                cursor.execute(PG_FAST_SQL)
                while not stop.is_set() and (rows := cursor.fetchmany(CHUNK)):
                    chunks.put(rows)
                chunks.put(None)
            except Exception as exc:  # handed to the consuming thread
                chunks.put(exc)

        worker = threading.Thread(target=fetch, name="audit-verify-fetch", daemon=True)
        worker.start()
        try:
            while (rows := chunks.get()) is not None:
                if isinstance(rows, Exception):
                    raise rows
                yield from rows
        finally:
            # Whether done or stopped early, the fetcher must be gone before anyone else
            # uses this connection.
            stop.set()
            while worker.is_alive():
                with contextlib.suppress(queue.Empty):
                    chunks.get(timeout=0.1)
            worker.join()


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
    try:
        # One transaction: one snapshot for checkpoints and entries, and a savepoint to
        # return to if the fast query fails.
        with transaction.atomic():
            return _verify(origin, key_name, public_key, checkpoint_dir, fast)
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


def _verify(origin, key_name, public_key, checkpoint_dir, fast: bool) -> Result:
    result = Result(ok=True)
    try:
        signed = _load_checkpoints(origin, key_name, public_key, checkpoint_dir)
        result.checkpoints = len(signed)
        captures = _plan_consistency(signed)
        builder = _stream(signed, captures, result, fast)
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
    signed: dict[int, _Signed], captures: dict[int, list], result: Result, fast: bool
) -> merkle.TreeBuilder:
    builder = merkle.TreeBuilder()
    rows = _rows(fast)
    suspect = None
    try:
        suspect = _consume(rows, builder, signed, captures, result)
    finally:
        rows.close()  # stops the fetcher before any other query runs on this connection
    if suspect is not None:
        seq, payload = suspect
        _check_row_columns(seq, payload)
        raise Mismatch(f"entry seq={seq}", "the query columns disagree with the payload", seq=seq)
    return builder


def _consume(rows, builder, signed, captures, result) -> tuple[int, bytes] | None:
    """Check each row; returns (seq, payload) of a row whose columns need a closer look.

    The hot loop of verification: it keeps per-entry work to the three hashes (leaf, chain,
    Merkle) and only does the bookkeeping of proofs and checkpoints at the sizes that need it.
    """
    previous_chain = ZERO
    sha256 = hashlib.sha256
    special = set(captures) | set(signed)  # sizes where a proof node or a root is read
    append, append_plain = builder.append, builder.append_plain
    size = builder.size
    try:
        for expected_seq, (seq, payload, leaf, chain, columns_ok) in enumerate(rows):
            if seq != expected_seq:
                what = (
                    f"is missing (the log jumps to {seq})"
                    if seq > expected_seq
                    else "appears twice"
                )
                raise Mismatch(f"entry seq={expected_seq}", what, seq=expected_seq)
            computed = sha256(b"\x00" + payload).digest()
            if computed != leaf:
                raise Mismatch(
                    f"entry seq={seq}",
                    f"leaf hash does not match the payload bytes (stored {leaf.hex()}, computed {computed.hex()})",
                    seq=seq,
                )
            computed_chain = sha256(previous_chain + leaf).digest()
            if computed_chain != chain:
                raise Mismatch(
                    f"entry seq={seq}",
                    f"chain hash does not follow from the previous entry (stored {chain.hex()}, computed {computed_chain.hex()})",
                    seq=seq,
                )
            if columns_ok is False:  # PostgreSQL saw a difference: name it once fetching stopped
                return seq, payload
            if columns_ok is None:  # the plain path: compare in Python now
                _check_row_columns(seq, payload)
            size += 1
            if size in special:
                append(leaf)
                for start, proof, position in captures.get(size, ()):
                    proof[position] = builder.range_root(start)
                if size in signed:
                    _check_signed(signed[size], builder)
            else:
                append_plain(leaf)
            previous_chain = chain
    finally:
        result.entries = builder.size
    return None


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
