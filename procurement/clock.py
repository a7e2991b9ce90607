"""The clock: timed work done in passes, safe to run in several processes at once.

Today a pass signs an audit checkpoint when the last one is older than
AUDIT_CHECKPOINT_INTERVAL and the log has grown; tender deadlines join it with the tender
lifecycle. Each job is idempotent, so a pass that runs twice, or late, changes nothing more.
"""

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from audit.models import Checkpoint
from audit.services.checkpoints import issue_checkpoint

logger = logging.getLogger(__name__)


def checkpoint_due(now: dt.datetime) -> bool:
    latest = Checkpoint.objects.order_by("-tree_size").only("issued_at").first()
    return latest is None or now - latest.issued_at >= dt.timedelta(
        seconds=settings.AUDIT_CHECKPOINT_INTERVAL
    )


def tick(now: dt.datetime | None = None) -> dict:
    """One pass; returns what it did."""
    now = now or timezone.now()
    done = {"checkpoint": None}
    if checkpoint_due(now):
        checkpoint = issue_checkpoint(reason="scheduled")
        if checkpoint is not None and checkpoint.issued_at >= now:
            done["checkpoint"] = checkpoint.tree_size
    return done
