"""Issuing signed checkpoints (C2SP tlog-checkpoint) over the audit log."""

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit import keys, notes
from audit.models import Checkpoint, TreeState
from audit.tree import BATCH, LEAVES_BEYOND_TREE, extend_tree
from config import prepared

logger = logging.getLogger(__name__)


def checkpoint_file(size: int) -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / f"{size:012d}.checkpoint"


def _write_copy(checkpoint: Checkpoint) -> None:
    """The off-database copy, written only once the checkpoint is committed."""
    path = checkpoint_file(checkpoint.tree_size)
    temporary = path.with_suffix(".tmp")
    try:
        temporary.write_text(checkpoint.note, encoding="utf-8")
    except FileNotFoundError:  # the first copy in a new folder
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(checkpoint.note, encoding="utf-8")
    temporary.replace(path)


# The tree's row is locked in a statement of its own, and what the issuer decides on is read in
# the next: a statement's subqueries see the snapshot taken before it waited for the lock, so
# read together they could miss the checkpoint the previous holder just committed and sign
# the same size again. The second statement reads, under the lock, the log's size, the newest
# checkpoint's size and the first checkpoint covering entry `covering`; the third, the leaves
# beyond the tree. The three (and the transaction's BEGIN) go in one round trip, and the
# checkpoint's writes and its COMMIT in one more: under load a receipt signs a checkpoint for
# nearly every bid, and round trips were most of its cost.
LOCK_STATE = "SELECT id, size, frontier FROM audit_treestate WHERE id = 1"
SIZES = """
SELECT (SELECT size FROM audit_loghead WHERE id = 1),
    (SELECT max(tree_size) FROM audit_checkpoint),
    first.id, first.tree_size, first.root_hash, first.issued_at, first.reason
FROM (SELECT 1) AS one LEFT JOIN (
    SELECT id, tree_size, root_hash, issued_at, reason FROM audit_checkpoint
    WHERE tree_size > %(covering)s ORDER BY tree_size LIMIT 1
) AS first ON true
"""
FIRST_FIELDS = ["id", "tree_size", "root_hash", "issued_at", "reason"]  # the model's order


@dataclass(frozen=True)
class _Locked:
    state: TreeState
    size: int  # the log's
    latest_size: int | None  # the newest checkpoint's
    first: Checkpoint | None  # the first covering `covering` (without its note)
    leaves: list[tuple]  # (seq, leaf hash) from the tree's size on, up to a batch


def _locked_state(covering: int | None) -> _Locked:
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    # Without `covering`, a size no log reaches keeps that subquery empty.
    locked, sizes, leaves = prepared.together(
        [
            (LOCK_STATE + lock, {}),
            (SIZES, {"covering": 2**62 if covering is None else covering}),
            (LEAVES_BEYOND_TREE, {"batch": BATCH}),
        ]
    )
    if not locked:  # a fresh database: the row is made once, then locked like any other time
        TreeState.objects.get_or_create(pk=1)
        return _locked_state(covering)
    state = prepared.instance(TreeState, ["id", "size", "frontier"], locked[0])
    size, latest_size, *row = sizes[0]
    first = prepared.instance(Checkpoint, FIRST_FIELDS, row) if row[0] is not None else None
    return _Locked(state, size or 0, latest_size, first, leaves)


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
        locked = _locked_state(covering)
        if locked.first is not None:
            return locked.first
        if locked.latest_size is not None and locked.latest_size >= locked.size:
            return Checkpoint.objects.get(tree_size=locked.latest_size)
        if locked.size == 0:
            return None
        size, writes = locked.size, []
        builder = extend_tree(
            locked.state,
            size,
            leaves=locked.leaves,
            run=lambda sql, params: writes.append((sql, params)),
        )
        root = builder.root()
        body = notes.checkpoint_body(settings.AUDIT_LOG_ORIGIN, size, root)
        note = notes.sign_note(body, keys.key_name(), keys.signing_key())
        checkpoint = Checkpoint(
            tree_size=size,
            root_hash=root,
            note=note,
            issued_at=timezone.now(),
            reason=reason[:80],
        )
        answers = prepared.together(
            [*writes, prepared.insert_statement(checkpoint)], commit=prepared.can_commit_here()
        )
        prepared.inserted(checkpoint, answers[-1])
        transaction.on_commit(lambda: _write_copy(checkpoint))
    # Receipts sign one for nearly every bid: a line each would be most of the log.
    level = logging.DEBUG if reason == "receipt" else logging.INFO
    logger.log(level, "audit checkpoint size=%d reason=%s", size, reason)
    return checkpoint
