"""The clock: timed work done in passes, safe to run in several processes at once.

A pass applies the tenders' due events (procurement/services/deadlines.py), opens tenders
whose key shares are in (bids/clockwork.py), refreshes the revocation lists when they are due,
and signs an audit checkpoint at every deadline passed, and when the last checkpoint is older
than AUDIT_CHECKPOINT_INTERVAL and the log has grown. Each job is idempotent, so a pass that runs
twice, or late, changes nothing more.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from audit.actions import Action
from audit.models import Checkpoint, Entry
from audit.services.checkpoints import issue_checkpoint
from awards.services.reviews import close_correction_windows
from bids.clockwork import open_ready_tenders
from contracts.services.awarding import run_award_timers
from pki.services.crls import refresh_crls
from procurement.models import Tender
from procurement.services.deadlines import pass_submission_deadline, start_tendering

logger = logging.getLogger(__name__)

BATCH = 100
# A deadline passed, a standstill ended (awards active) or a signature lapsed: the log is
# signed at once, so the moment is fixed in a checkpoint and not only in the next scheduled one.
CHECKPOINT_AFTER = {"opening", "unsuccessful", "standstill", "contracting", "complete"}
# status -> the service that applies the event it waits for
EVENTS = {
    "enquiries": start_tendering,
    "tendering": pass_submission_deadline,
    "evaluation": close_correction_windows,
    "standstill": run_award_timers,
    "contracting": run_award_timers,
}


def checkpoint_due(now: dt.datetime) -> bool:
    latest = Checkpoint.objects.order_by("-tree_size").only("issued_at").first()
    return latest is None or now - latest.issued_at >= dt.timedelta(
        seconds=settings.AUDIT_CHECKPOINT_INTERVAL
    )


def _claim(pk: int, now: dt.datetime) -> Tender | None:
    """Lock the tender if it is still due and no other clock holds it (SKIP LOCKED); SQLite
    has one writer at a time and no row locks, so there a plain select does."""
    tenders = Tender.objects.due(now).filter(pk=pk)
    if connection.features.has_select_for_update_skip_locked:
        tenders = tenders.select_for_update(skip_locked=True)
    return tenders.first()


def process_tender(pk: int, now: dt.datetime) -> list[tuple[str, str]]:
    """Apply every due event of one tender, in order, in one transaction."""
    applied = []
    with transaction.atomic():
        tender = _claim(pk, now)
        while tender is not None and tender.next_check is not None and tender.next_check <= now:
            service = EVENTS.get(tender.status)
            result = service(tender=tender, now=now) if service else None
            if result is None:
                break
            applied.append((result.number, result.status))
            tender = result
    return applied


def process_due_tenders(now: dt.datetime) -> list[tuple[str, str]]:
    applied = []
    due = list(Tender.objects.due(now).order_by("next_check", "pk").values_list("pk", flat=True))
    for pk in due[:BATCH]:
        done = process_tender(pk, now)
        applied += done
        if any(status in CHECKPOINT_AFTER for _number, status in done):
            issue_checkpoint(reason="deadline")
    return applied


def crl_refresh_due(now: dt.datetime) -> bool:
    """Revocation lists are fetched again every PKI_CRL_REFRESH_SECONDS (0: never by the
    clock), well inside the age after which signatures are refused (PKI_CRL_MAX_AGE_SECONDS).
    The last attempt is read from the audit log, so all clocks share it and a source that is
    down is retried on the same rhythm, not on every pass."""
    if not settings.PKI_CRL_SOURCES or settings.PKI_CRL_REFRESH_SECONDS <= 0:
        return False
    last = Entry.objects.filter(action=Action.CRL_REFRESHED).order_by("-seq").only("recorded_at")
    last = last.first()
    return last is None or now - last.recorded_at >= dt.timedelta(
        seconds=settings.PKI_CRL_REFRESH_SECONDS
    )


def tick(now: dt.datetime | None = None) -> dict:
    """One pass; returns what it did."""
    now = now or timezone.now()
    done = {"tenders": process_due_tenders(now), "opened": open_ready_tenders(), "checkpoint": None}
    if crl_refresh_due(now):
        done["crls"] = len(refresh_crls())
    for job in settings.CLOCK_JOBS:
        done[job] = import_string(job)(now)
    if checkpoint_due(now):
        checkpoint = issue_checkpoint(reason="scheduled")
        if checkpoint is not None and checkpoint.issued_at >= now:
            done["checkpoint"] = checkpoint.tree_size
    return done
