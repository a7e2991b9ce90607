"""Issuing signed checkpoints (C2SP tlog-checkpoint) over the audit log."""

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import keys, notes
from audit.models import Checkpoint, LogHead, TreeState
from audit.tree import extend_tree

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
    """
    with transaction.atomic():
        state, _ = TreeState.objects.select_for_update().get_or_create(pk=1)
        if covering is not None:
            first = Checkpoint.objects.filter(tree_size__gt=covering).order_by("tree_size").first()
            if first is not None:
                return first
        head = LogHead.objects.filter(pk=1).first()
        size = head.size if head else 0
        latest = Checkpoint.objects.order_by("-tree_size").first()
        if size == 0 or (latest is not None and latest.tree_size >= size):
            return latest
        builder = extend_tree(state, size)
        root = builder.root()
        body = notes.checkpoint_body(settings.AUDIT_LOG_ORIGIN, size, root)
        note = notes.sign_note(body, keys.key_name(), keys.signing_key())
        checkpoint = Checkpoint.objects.create(
            tree_size=size, root_hash=root, note=note, issued_at=timezone.now(), reason=reason[:80]
        )
        transaction.on_commit(lambda: _write_copy(checkpoint))
    logger.info("audit checkpoint size=%d reason=%s", size, reason)
    return checkpoint
