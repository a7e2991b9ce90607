"""The only writer of the audit log."""

import hashlib
import json
from typing import Any

from django.db import connection, models
from django.utils import timezone

from audit.actions import Action
from audit.canonical import canonical_bytes, iso_utc, to_canonical_value
from audit.models import Entry, LogHead

PAYLOAD_VERSION = 1


class AuditError(RuntimeError):
    pass


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
    if not connection.in_atomic_block:
        raise AuditError("record() must run inside the transaction of the change it records")
    if action not in Action.values:
        raise AuditError(f"unknown audit action {action!r}; add it to audit/actions.py")
    subject_type, subject_id = subject_key(subject)
    clean_data = to_canonical_value(data or {})
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None

    # The lock is held until the caller commits: that is what keeps seq gap-free and the
    # chain unbroken when a caller rolls back.
    size, previous_chain = _lock_head()
    recorded_at = timezone.now()
    payload = canonical_bytes(
        build_payload(
            seq=size,
            recorded_at=recorded_at,
            actor_id=actor_id,
            action=str(action),
            subject_type=subject_type,
            subject_id=subject_id,
            data=clean_data,
        )
    )
    leaf = leaf_hash(payload)
    entry = Entry(
        seq=size,
        recorded_at=recorded_at,
        actor_id=actor_id,
        action=str(action),
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        data=clean_data,
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
