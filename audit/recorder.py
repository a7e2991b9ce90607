"""The only writer of the audit log."""

import hashlib
import json
from typing import Any

import rfc8785
from django.db import connection, models
from django.utils import timezone

from audit import durability
from audit.actions import Action
from audit.canonical import canonical_bytes, iso_utc, to_canonical_value
from audit.models import Entry, LogHead

PAYLOAD_VERSION = 1
# Action.values builds a list of every choice on each access (tens of microseconds).
KNOWN_ACTIONS = frozenset(Action.values)


class AuditError(RuntimeError):
    """A programming error: record() called where no event can be written correctly."""


Subject = models.Model | tuple[str, str | int]


def subject_key(subject: Subject) -> tuple[str, str]:
    """`("suppliers.organisation", "12")` for a model instance or an explicit pair."""
    if isinstance(subject, models.Model):
        if subject.pk is None:
            raise AuditError("record() needs a saved subject: save it first, then record")
        return subject._meta.label_lower, str(subject.pk)
    kind, pk = subject
    return kind, str(pk)


def build_payload(*, seq, recorded_at, actor_id, action, subject_type, subject_id, data) -> dict:
    """Everything about an entry that its hash must protect."""
    return {
        "v": PAYLOAD_VERSION,
        "seq": seq,
        "recorded_at": iso_utc(recorded_at),
        "actor": actor_id,
        "action": action,
        "subject": {"type": subject_type, "id": subject_id},
        "data": data,
    }


def leaf_hash(payload: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + payload).digest()


def chain_hash(previous: bytes, leaf: bytes) -> bytes:
    return hashlib.sha256(previous + leaf).digest()


def record(action: Action, *, subject: Subject, actor=None, data: dict[str, Any] | None = None):
    """Append one event inside the caller's transaction and return the Entry.

    Event data is public (the log is served to anyone), so it holds identifiers, hashes
    and decisions, never sealed content or personal contact details.
    """
    return append_fields(event_fields(action, subject=subject, actor=actor, data=data))


def append_fields(fields: dict):
    """record(), for an event whose fields event_fields() made."""
    if not connection.in_atomic_block:
        raise AuditError("record() must run inside the transaction of the change it records")
    if connection.vendor == "postgresql":
        return _append_in_one_statement(**fields)
    return _append_in_steps(**fields)


def event_fields(action: Action, *, subject: Subject, actor=None, data=None) -> dict:
    """What an entry says besides its seq and time, checked and canonicalised."""
    if action not in KNOWN_ACTIONS:
        raise AuditError(f"unknown audit action {action!r}; add it to audit/actions.py")
    subject_type, subject_id = subject_key(subject)
    return {
        "actor_id": actor.pk if actor is not None and actor.is_authenticated else None,
        "action": str(action),
        "subject_type": subject_type,
        "subject_id": subject_id,
        "data": to_canonical_value(data or {}),
    }


def _append_in_steps(*, actor_id, action, subject_type, subject_id, data) -> Entry:
    """Lock the head, build the entry in Python, insert it and move the head (SQLite)."""
    # The lock is held until the caller commits: that is what keeps seq gap-free and the
    # chain unbroken when a caller rolls back.
    size, previous_chain = _lock_head()
    recorded_at = timezone.now()
    payload = canonical_bytes(
        build_payload(
            seq=size,
            recorded_at=recorded_at,
            actor_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            data=data,
        )
    )
    leaf = leaf_hash(payload)
    entry = Entry(
        seq=size,
        recorded_at=recorded_at,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        data=data,
        leaf_hash=leaf,
        chain_hash=chain_hash(previous_chain, leaf),
    )
    _append(entry)
    return entry


def _lock_head() -> tuple[int, bytes]:
    """Lock the head row and read it: one round trip on the hot path."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT size, chain_hash FROM audit_loghead WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    if row is None:  # a fresh database whose head row was flushed away
        LogHead.objects.get_or_create(pk=1)
        return _lock_head()
    return row[0], bytes(row[1])


INSERT_COLUMNS = "seq, recorded_at, actor_id, action, subject_type, subject_id, payload, data, leaf_hash, chain_hash"


def _append(entry: Entry) -> None:
    """Insert the entry and move the head, in one statement where the database allows it.

    Raw SQL because this runs for every change on the platform while the log is locked:
    every round trip saved here is throughput for all writers.
    """
    params = [
        entry.seq,
        connection.ops.adapt_datetimefield_value(entry.recorded_at),
        entry.actor_id,
        entry.action,
        entry.subject_type,
        entry.subject_id,
        entry.payload,
        json.dumps(entry.data, ensure_ascii=False, separators=(",", ":")),
        entry.leaf_hash,
        entry.chain_hash,
    ]
    head = [entry.seq + 1, entry.chain_hash]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH appended AS (INSERT INTO audit_entry ({INSERT_COLUMNS}) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s)) "
                "UPDATE audit_loghead SET size = %s, chain_hash = %s WHERE id = 1",
                params + head,
            )
        else:
            cursor.execute(
                f"INSERT INTO audit_entry ({INSERT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
                params,
            )
            cursor.execute("UPDATE audit_loghead SET size = %s, chain_hash = %s WHERE id = 1", head)
    entry._state.adding = False
    entry._state.db = connection.alias


# One round trip under the lock: PostgreSQL takes the head row, stamps the time from its own
# clock, splices seq and time into the canonical bytes Python prepared, hashes, inserts and
# moves the head. Everything else (canonicalising the event) happens before the lock, so
# writers hold it for one statement and their commit.
PG_APPEND = """
WITH head AS (
    SELECT size, chain_hash AS previous, clock_timestamp() AS at
    FROM audit_loghead WHERE id = 1 FOR UPDATE
), built AS (
    SELECT size, previous, at,
        %(prefix)s || convert_to(
            to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '","seq":' || size::text,
            'UTF8') || %(suffix)s AS payload
    FROM head
), hashed AS (
    SELECT size, previous, at, payload, sha256('\\x00'::bytea || payload) AS leaf FROM built
), appended AS (
    INSERT INTO audit_entry (seq, recorded_at, actor_id, action, subject_type, subject_id, payload, data,
                             leaf_hash, chain_hash)
    SELECT size, at, %(actor_id)s, %(action)s, %(subject_type)s, %(subject_id)s, payload, %(data)s::jsonb,
           leaf, sha256(previous || leaf)
    FROM hashed
    RETURNING seq, recorded_at, payload, leaf_hash, chain_hash
)
UPDATE audit_loghead SET size = appended.seq + 1, chain_hash = appended.chain_hash
FROM appended WHERE audit_loghead.id = 1
RETURNING appended.seq, appended.recorded_at, appended.payload, appended.leaf_hash, appended.chain_hash
"""


# The same append, also letting its transaction commit without waiting for the WAL flush, so
# the head is handed on before it; the backend's commit then waits for the flush with a
# barrier before anyone hears of the commit (audit/durability.py).
PG_APPEND_RELEASING_EARLY = PG_APPEND.replace(
    "clock_timestamp() AS at\n", f"clock_timestamp() AS at, {durability.RELAX_COMMIT} AS relaxed\n"
)
assert PG_APPEND_RELEASING_EARLY != PG_APPEND, "PG_APPEND changed shape: update the variant"


def append_statement(base: str = PG_APPEND, early: str = PG_APPEND_RELEASING_EARLY) -> str:
    """The append to run: releasing the head before the flush unless settings say not to."""
    return early if durability.enabled() else base


def _payload_frame(*, actor_id, action, subject_type, subject_id, data) -> tuple[bytes, bytes, str]:
    """The canonical payload bytes before and after `<recorded_at>","seq":<seq>`, and the data
    as JSON text for the query column.

    The same bytes as `canonical_bytes(build_payload(...))`, written out key by key (RFC 8785
    sorts them: action, actor, data, recorded_at, seq, subject, v) because this runs for every
    event and the generic encoder costs twice as much. `data` is already canonical values;
    the data column gets the very bytes that are hashed, so the two cannot disagree.
    """
    dumps = rfc8785.dumps
    encoded_data = dumps(data)
    prefix = b"".join(
        (
            b'{"action":',
            dumps(action),
            b',"actor":',
            dumps(actor_id),
            b',"data":',
            encoded_data,
            b',"recorded_at":"',
        )
    )
    suffix = b"".join(
        (
            b',"subject":{"id":',
            dumps(subject_id),
            b',"type":',
            dumps(subject_type),
            b'},"v":',
            dumps(PAYLOAD_VERSION),
            b"}",
        )
    )
    return prefix, suffix, encoded_data.decode()


def statement_params(*, actor_id, action, subject_type, subject_id, data) -> dict:
    """PG_APPEND's parameters for an event (canonicalised here, before the lock)."""
    prefix, suffix, data_json = _payload_frame(
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data,
    )
    return {
        "prefix": prefix,
        "suffix": suffix,
        "actor_id": actor_id,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "data": data_json,
    }


def _append_in_one_statement(**fields) -> Entry:
    params = statement_params(**fields)
    connection.ensure_connection()
    # Server-side binding, and a prepared statement where the connection allows them: Django's
    # cursors bind on the client, so PostgreSQL would parse and plan this CTE (about as long
    # as running it) for every event. Django turns preparing off unless OPTIONS sets
    # prepare_threshold (a transaction-pooling PgBouncer before 1.21 cannot keep prepared
    # statements), and psycopg then ignores prepare=True: that choice stays the operator's.
    # Same connection, so the same transaction as the caller's change.
    statement = append_statement()
    with connection.Database.Cursor(connection.connection) as cursor:
        cursor.execute(statement, params, prepare=True)
        row = cursor.fetchone()
        if row is None:  # a fresh database whose head row was flushed away
            LogHead.objects.get_or_create(pk=1)
            cursor.execute(statement, params, prepare=True)
            row = cursor.fetchone()
    if statement is not PG_APPEND:
        connection.commit_needs_barrier = True  # the backend's commit waits for the flush
    return entry_from_row(row, **fields)


def entry_from_row(row, *, actor_id, action, subject_type, subject_id, data) -> Entry:
    """The Entry PG_APPEND wrote, from the row it returned."""
    seq, recorded_at, payload, leaf, chain = row
    entry = Entry(
        seq=seq,
        recorded_at=recorded_at,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        data=data,
        leaf_hash=leaf,
        chain_hash=chain,
    )
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry
