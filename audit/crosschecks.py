"""Cross-checks of state rows against the audit events that created them.

The log's own verification (audit/verification.py) proves the events were not changed; it
says nothing about a bid row or a ledger entry that a database superuser edited afterwards.
Each app that keeps evidence in its own tables registers a checker in AppConfig.ready, so the
audit app imports none of them: `register(name, checker)` where `checker(batch_size)` yields
one sentence per mismatch, naming the table, the row, the field, what the row says and what
event seq N recorded. Checkers stream their tables in batches of `batch_size` rows, so memory
stays flat however large the tables grow.

`log_sweep` is the log's own row-by-row pass, run only when the log verification failed: that
verification stops at the first mismatch, and a drill (or an incident) needs every one named.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Func

from audit import keys, merkle, notes
from audit.models import Checkpoint

BATCH = 2_000

Checker = Callable[[int], Iterable[str]]
_checkers: dict[str, Checker] = {}


def register(name: str, checker: Checker) -> None:
    _checkers[name] = checker


def run(batch_size: int = BATCH) -> Iterator[str]:
    """Every mismatch every registered checker finds, checker by checker."""
    for name, checker in _checkers.items():
        # A tampered row may break a checker: say so, and go on from its savepoint.
        try:
            with transaction.atomic():
                yield from checker(batch_size)
        except Exception as exc:
            yield f"{name}: the cross-check stopped on {type(exc).__name__}: {exc}"


def event_data(payload) -> dict | None:
    """The data of an event as its hashed payload bytes hold it (not the query copy), or None
    when the payload no longer parses (the log verification names that entry)."""
    try:
        data = json.loads(bytes(payload))["data"]
    except (ValueError, KeyError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def differs(table: str, pk, field: str, row_value, seq: int, event_value) -> str:
    return f"{table} id={pk}: {field} is {row_value!r} but event seq {seq} recorded {event_value!r}"


def _sqlite_sha256(value) -> str | None:
    return None if value is None else hashlib.sha256(bytes(value)).hexdigest()


class SHA256Hex(Func):
    """The hex SHA-256 of a binary column, computed by the database: a sealed bid may be
    30 MB, and checking 200k of them must not carry them all to Python."""

    output_field = CharField()

    def as_postgresql(self, compiler, conn, **extra):
        return super().as_sql(compiler, conn, template="encode(sha256(%(expressions)s), 'hex')")

    def as_sqlite(self, compiler, conn, **extra):
        conn.ensure_connection()
        conn.connection.create_function("crosscheck_sha256", 1, _sqlite_sha256, deterministic=True)
        return super().as_sql(compiler, conn, function="crosscheck_sha256")


def log_sweep(batch_size: int = BATCH) -> Iterator[tuple[tuple[str, int], str]]:
    """((kind, number), sentence) for every entry and checkpoint that is wrong on its own.

    Roots are rebuilt from the stored leaf hashes, so a changed payload is named once, at its
    entry, and a rewritten history (leaves and chain recomputed) at every checkpoint it spoils.
    """
    signed = yield from _sweep_checkpoints()
    builder, previous, expected = merkle.TreeBuilder(), bytes(32), 0
    with connection.chunked_cursor() as cursor:
        cursor.execute("SELECT seq, payload, leaf_hash, chain_hash FROM audit_entry ORDER BY seq")
        while rows := cursor.fetchmany(batch_size):
            for seq, payload, leaf, chain in rows:
                leaf, chain = bytes(leaf), bytes(chain)
                if seq != expected:
                    yield ("seq", expected), f"audit_entry seq={expected}: missing (next is {seq})"
                    expected = seq
                if hashlib.sha256(b"\x00" + bytes(payload)).digest() != leaf:
                    yield ("seq", seq), f"audit_entry seq={seq}: leaf hash does not match payload"
                if hashlib.sha256(previous + leaf).digest() != chain:
                    yield ("seq", seq), f"audit_entry seq={seq}: chain hash does not follow"
                previous, expected = chain, expected + 1
                builder.append(leaf)
                root = signed.pop(builder.size, None)
                if root is not None and root != builder.root():
                    yield (
                        ("checkpoint", builder.size),
                        f"audit_checkpoint tree_size={builder.size}: root does not match the "
                        "entries' leaf hashes",
                    )
    for size in sorted(signed):
        yield ("checkpoint", size), f"audit_checkpoint tree_size={size}: beyond the log's end"


def _sweep_checkpoints():
    """Yields what is wrong with each checkpoint row and file; returns {size: signed root}."""
    origin, name, key = settings.AUDIT_LOG_ORIGIN, keys.key_name(), keys.verifying_key()
    signed: dict[int, bytes] = {}
    rows = Checkpoint.objects.order_by("tree_size").values_list("tree_size", "root_hash", "note")
    for size, root, text in rows.iterator(chunk_size=BATCH):
        where = f"audit_checkpoint tree_size={size}"
        problem, note_root = _open(text, size, origin, name, key)
        if problem:
            yield ("checkpoint", size), f"{where}: {problem}"
            continue
        if bytes(root) != note_root:
            yield ("checkpoint", size), f"{where}: root_hash column differs from the signed note"
        signed[size] = note_root
    directory = Path(settings.AUDIT_CHECKPOINT_DIR)
    for path in sorted(directory.glob("*.checkpoint")) if directory.is_dir() else []:
        size = int(path.stem)
        where = f"checkpoint file {path.name}"
        problem, file_root = _open(path.read_text(encoding="utf-8"), size, origin, name, key)
        if problem:
            yield ("checkpoint", size), f"{where}: {problem}"
        elif not Checkpoint.objects.filter(tree_size=size).exists():
            yield ("checkpoint", size), f"{where}: has no database row (deleted?)"
        elif size in signed and signed[size] != file_root:
            yield ("checkpoint", size), f"{where}: differs from the database row"
    return signed


def _open(text: str, size: int, origin: str, name: str, key) -> tuple[str | None, bytes]:
    try:
        note_origin, note_size, root = notes.parse_checkpoint(notes.open_note(text, name, key))
    except notes.NoteError as exc:
        return f"signature or format does not verify ({exc})", b""
    if note_origin != origin or note_size != size:
        return f"the signed note is for {note_origin!r} size {note_size}", b""
    return None, root
