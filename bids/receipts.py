"""Receipts: the platform's signed word that a bid (or a withdrawal) was accepted, when, and
where in the audit log the proof of it sits.

A receipt is derived, not stored: its body comes from the bid row, its audit entry and the
first checkpoint that covers that entry, and Ed25519 signatures are deterministic, so asking
again gives the same bytes. Right after acceptance no checkpoint covers the new entry yet;
one is issued then, unless another request's covers it already.

BID_RECEIPT_CHECKPOINT_SPACING_MS decides how often. At 0 (the default) a receipt signs one at
once: with sync workers, one per core, a worker that waited would leave its core idle, and
signing nearly one checkpoint per bid costs less than that. Above 0 (threaded workers, which
serve others meanwhile) receipts issue them at most once per spacing: a receipt that comes
sooner waits out the rest of it, and by then one checkpoint, signed by whichever request gets
there first, covers every bid accepted meanwhile.
"""

import base64
import datetime as dt
import threading
import time

from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit.canonical import iso_utc
from audit.keys import load_or_generate, public_key_path
from audit.models import Checkpoint, Entry
from audit.services.checkpoints import issue_checkpoint
from bids.crypto import receipt_key_id, sign_receipt
from config import prepared


def receipt_key():
    return load_or_generate(settings.BID_RECEIPT_KEY, "BID_RECEIPT_KEY")


def receipt_public_pem() -> bytes:
    receipt_key()
    return public_key_path(settings.BID_RECEIPT_KEY).read_bytes()


def receipt_key_info() -> dict:
    public = receipt_key().public_key()
    return {
        "key_id": receipt_key_id(public),
        "public_key": base64.b64encode(public.public_bytes_raw()).decode(),
        "pem": receipt_public_pem().decode(),
    }


# With a spacing, the most a bid waits for its receipt (see the module's docstring).
def checkpoint_spacing() -> dt.timedelta:
    return dt.timedelta(milliseconds=settings.BID_RECEIPT_CHECKPOINT_SPACING_MS)


# The first checkpoint that covers entry `index` and the newest one, in one round trip: a
# receipt asks this once per bid. (What Checkpoint.objects.filter(tree_size__gt=index)
# .order_by("tree_size").first() and .order_by("-tree_size").first() answer.)
FIRST_AND_NEWEST = """
SELECT id, tree_size, root_hash, issued_at, reason FROM audit_checkpoint
WHERE id IN (
    (SELECT id FROM audit_checkpoint WHERE tree_size > %(index)s ORDER BY tree_size LIMIT 1),
    (SELECT id FROM audit_checkpoint ORDER BY tree_size DESC LIMIT 1)
)
ORDER BY tree_size
"""
FIELDS = ["id", "tree_size", "root_hash", "issued_at", "reason"]  # the model's order, no note


def _first_and_newest(index: int) -> tuple[Checkpoint | None, Checkpoint | None]:
    rows = [Checkpoint.from_db(connection.alias, FIELDS, row) for row in _rows(index)]
    first = next((row for row in rows if row.tree_size > index), None)
    newest = rows[-1] if rows else None
    _remember(newest)
    return first, newest


# The newest checkpoint this process has seen (tree size, issued at), per database: a receipt
# for an entry beyond it knows no checkpoint it has seen covers that entry, and that the next
# receipt checkpoint comes only once the spacing after it has passed, so it waits that out
# before asking instead of asking twice. Another process may have signed one since; the
# question after the wait finds it, and the issuer re-checks under the tree's lock.
_seen: dict[str, tuple[int, dt.datetime]] = {}


def _remember(checkpoint: Checkpoint | None) -> None:
    if checkpoint is None:
        return
    known = _seen.get(connection.alias)
    if known is None or checkpoint.tree_size > known[0]:
        _seen[connection.alias] = (checkpoint.tree_size, checkpoint.issued_at)


def forget_seen_checkpoints() -> None:
    """For a database whose log was emptied or restored under a running process (tests)."""
    _seen.clear()


def _wait_for_next(index: int) -> None:
    known = _seen.get(connection.alias)
    if known is not None and index >= known[0]:  # otherwise covered already, or nothing known
        _sleep_out_spacing_after(known[1])


def _sleep_out_spacing_after(issued_at: dt.datetime) -> bool:
    """Sleep until the spacing after a checkpoint issued at `issued_at` has passed; whether
    there was any of it left."""
    spacing = checkpoint_spacing()
    wait = (issued_at + spacing - timezone.now()).total_seconds()
    if wait <= 0:
        return False
    time.sleep(min(wait, spacing.total_seconds()))
    return True


def _rows(index: int) -> list[tuple]:
    rows = prepared.fetch(FIRST_AND_NEWEST, {"index": index})
    # SQLite gives the naive UTC the ORM stored; PostgreSQL an aware timestamp.
    return [
        (*row[:3], row[3] if row[3].tzinfo else row[3].replace(tzinfo=dt.UTC), row[4])
        for row in rows
    ]


def covering_checkpoint(index: int) -> Checkpoint:
    """The first checkpoint whose tree includes entry `index`, issuing one if none does."""
    if not settings.BID_RECEIPT_CHECKPOINT_SPACING_MS:
        # Nothing to wait for: the issuer finds a covering checkpoint itself, under the tree's
        # lock, in the round trip that takes it; asking first would cost one more.
        with _issuing:
            return _issue(index)
    _wait_for_next(index)
    found, newest = _first_and_newest(index)
    if found is not None:
        return found
    if newest is not None and _sleep_out_spacing_after(newest.issued_at):
        found, _newest = _first_and_newest(index)
        if found is not None:
            return found
    # One issuer per process at a time: the other requests of this process that need one wait
    # here rather than on the tree's row lock (holding a database connection each), and then
    # usually find the checkpoint that was just signed. One that did not wait has learnt
    # nothing since it asked (and a sync worker never waits): the issuer asks again anyway,
    # under the tree's lock.
    if not _issuing.acquire(blocking=False):
        with _issuing:
            found, _newest = _first_and_newest(index)
            if found is not None:
                return found
            return _issue(index)
    try:
        return _issue(index)
    finally:
        _issuing.release()


def _issue(index: int) -> Checkpoint:
    issued = issue_checkpoint(reason="receipt", covering=index)
    _remember(issued)
    return issued


_issuing = threading.Lock()


def _checkpoint_part(checkpoint: Checkpoint) -> dict:
    return {"size": checkpoint.tree_size, "root_hash": bytes(checkpoint.root_hash).hex()}


def bid_receipt(bid) -> dict:
    checkpoint = covering_checkpoint(bid.log_index)
    body = {
        "type": "bid-receipt/v1",
        "bid": bid.public_id,
        "tender": bid.tender.number,
        "lots": bid.lots,
        "bidder": bid.supplier.bin,
        "sealed_sha256": bid.sealed_sha256,
        "statement_sha256": bid.statement_sha256,
        "received_at": iso_utc(bid.received_at),
        "log_index": bid.log_index,
        "checkpoint": _checkpoint_part(checkpoint),
    }
    return sign_receipt(body, receipt_key())


def withdrawal_receipt(bid, entry: Entry) -> dict:
    checkpoint = covering_checkpoint(entry.seq)
    body = {
        "type": "bid-withdrawal-receipt/v1",
        "bid": bid.public_id,
        "tender": bid.tender.number,
        "bidder": bid.supplier.bin,
        "withdrawn_at": iso_utc(entry.recorded_at),
        "log_index": entry.seq,
        "checkpoint": _checkpoint_part(checkpoint),
    }
    return sign_receipt(body, receipt_key())
