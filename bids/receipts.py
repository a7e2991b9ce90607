"""Receipts: the platform's signed word that a bid (or a withdrawal) was accepted, when, and
where in the audit log the proof of it sits.

A receipt is derived, not stored: its body comes from the bid row, its audit entry and the
first checkpoint that covers that entry, and Ed25519 signatures are deterministic, so asking
again gives the same bytes. Right after acceptance no checkpoint covers the new entry yet;
one is issued then. Checkpoints cover every entry before them, so receipts issue them at most
once per CHECKPOINT_SPACING: a receipt that comes sooner waits out the rest of it, and by then
one checkpoint, signed by whichever request gets there first, covers every bid accepted
meanwhile.
"""

import base64
import datetime as dt
import time

from django.conf import settings
from django.utils import timezone

from audit.canonical import iso_utc
from audit.keys import load_or_generate, public_key_path
from audit.models import Checkpoint, Entry
from audit.services.checkpoints import issue_checkpoint
from bids.crypto import receipt_key_id, sign_receipt


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


# Under load nearly every receipt would otherwise sign a checkpoint of its own (and write its
# file): about a third of a bid's cost. A bid waits at most this long for its receipt.
CHECKPOINT_SPACING = dt.timedelta(milliseconds=20)


def covering_checkpoint(index: int) -> Checkpoint:
    """The first checkpoint whose tree includes entry `index`, issuing one if none does."""
    found = _first_covering(index)
    if found is not None:
        return found
    latest = Checkpoint.objects.order_by("-tree_size").values_list("issued_at", flat=True).first()
    if latest is not None:
        wait = (latest + CHECKPOINT_SPACING - timezone.now()).total_seconds()
        if wait > 0:
            time.sleep(min(wait, CHECKPOINT_SPACING.total_seconds()))
            found = _first_covering(index)
            if found is not None:
                return found
    return issue_checkpoint(reason="receipt", covering=index)


def _first_covering(index: int) -> Checkpoint | None:
    covering = Checkpoint.objects.filter(tree_size__gt=index).order_by("tree_size")
    return covering.defer("note").first()


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
