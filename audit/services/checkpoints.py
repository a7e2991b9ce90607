"""Issuing signed checkpoints (C2SP tlog-checkpoint) over the audit log."""

import logging
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit import keys, notes
from audit.models import Checkpoint, TreeState
from audit.tree import extend_tree
from config import prepared

logger = logging.getLogger(__name__)


def checkpoint_file(size: int) -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / f"{size:012d}.checkpoint"


def _write_copy(checkpoint: Checkpoint) -> None:
    """The off-database copy, written only once the checkpoint is committed."""
    path = checkpoint_file(checkpoint.tree_size)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(checkpoint.note, encoding="utf-8")
    temporary.replace(path)


# The tree's row is locked in a statement of its own, and what the issuer decides on is read in
# the next: a statement's subqueries see the snapshot taken before it waited for the lock, so
# read together they could miss the checkpoint the previous holder just committed and sign
# the same size again. The second statement reads, under the lock, the log's size, the newest
# checkpoint's size and the first checkpoint covering entry `covering`, in one round trip.
LOCK_STATE = "SELECT id, size, frontier FROM audit_treestate WHERE id = 1"
SIZES = """
SELECT (SELECT size FROM audit_loghead WHERE id = 1),
    (SELECT max(tree_size) FROM audit_checkpoint),
    (SELECT id FROM audit_checkpoint WHERE tree_size > %(covering)s ORDER BY tree_size LIMIT 1)
"""


def _locked_state(covering: int | None) -> tuple[TreeState, int, int | None, int | None]:
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rows = prepared.fetch(LOCK_STATE + lock, {})
    if not rows:  # a fresh database: the row is made once, then locked like any other time
        TreeState.objects.get_or_create(pk=1)
        return _locked_state(covering)
    state = prepared.instance(TreeState, ["id", "size", "frontier"], rows[0])
    # Without `covering`, a size no log reaches keeps that subquery empty.
    sizes = prepared.fetch(SIZES, {"covering": 2**62 if covering is None else covering})
    size, latest_size, first = sizes[0]
    return state, size or 0, latest_size, first


def issue_checkpoint(
    *, reason: str = "scheduled", covering: int | None = None
) -> Checkpoint | None:
    """Sign the log as it stands; returns the newest checkpoint, or None for an empty log.

    When the log has not grown since the last checkpoint, that checkpoint is returned:
    it already covers every entry, and a tree size is signed once. With `covering`, a caller
    that only needs entry `covering` inside a checkpoint (a receipt) takes the first one that
    includes it, which another process may have signed while this one waited for the lock, so
    concurrent receipts share checkpoints instead of signing one each. The first, not the
    newest: a receipt names the first covering checkpoint, and asking again must give the same.

    Call it outside any transaction that records an event (on its own, or from
    `transaction.on_commit`, as every caller does): such a transaction commits before its WAL
    flush (audit/durability.py), and a signed tree head must never be readable before it is
    durable. On its own, with no event, this transaction commits synchronously.
    """
    with transaction.atomic():
        state, size, latest_size, first = _locked_state(covering)
        if first is not None:
            return Checkpoint.objects.get(pk=first)
        if latest_size is not None and latest_size >= size:
            return Checkpoint.objects.get(tree_size=latest_size)
        if size == 0:
            return None
        builder = extend_tree(state, size)
        root = builder.root()
        body = notes.checkpoint_body(settings.AUDIT_LOG_ORIGIN, size, root)
        note = notes.sign_note(body, keys.key_name(), keys.signing_key())
        checkpoint = prepared.insert(
            Checkpoint(
                tree_size=size,
                root_hash=root,
                note=note,
                issued_at=timezone.now(),
                reason=reason[:80],
            )
        )
        transaction.on_commit(lambda: _write_copy(checkpoint))
    logger.info("audit checkpoint size=%d reason=%s", size, reason)
    return checkpoint
