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
    head, _ = LogHead.objects.select_for_update().get_or_create(pk=1)
    recorded_at = timezone.now()
    payload = canonical_bytes(
        build_payload(
            seq=head.size,
            recorded_at=recorded_at,
            actor_id=actor_id,
            action=str(action),
            subject_type=subject_type,
            subject_id=subject_id,
            data=clean_data,
        )
    )
    leaf = leaf_hash(payload)
    chain = chain_hash(bytes(head.chain_hash), leaf)
    entry = Entry.objects.create(
        seq=head.size,
        recorded_at=recorded_at,
        actor_id=actor_id,
        action=str(action),
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        data=json.loads(payload)["data"],
        leaf_hash=leaf,
        chain_hash=chain,
    )
    LogHead.objects.filter(pk=1).update(size=head.size + 1, chain_hash=chain)
    return entry
