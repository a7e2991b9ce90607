"""The clock's part in opening: tenders whose t-th key share is in are opened on the next
pass (procurement/clock.py), so a commission member's request stays short however many bids
there are, and a crash mid-opening is retried on the next pass (opening is one transaction)."""

import logging

from django.db.models import Count, F, Q

from bids.errors import BidRefused
from bids.models import OpeningKey
from bids.services.opening import open_bids
from procurement.choices import TenderStatus

logger = logging.getLogger(__name__)


def ready_to_open() -> list:
    keys = (
        OpeningKey.objects.filter(tender__status=TenderStatus.OPENING)
        .annotate(posted=Count("shares", filter=Q(shares__posted_at__isnull=False)))
        .filter(posted__gte=F("threshold"))
        .select_related("tender")
    )
    # A pending complaint against the tender's conditions holds the opening until it is decided
    # (satisfied, it cancels the tender); asked through the relation, as awards builds on bids.
    return [
        key.tender
        for key in keys
        if not key.tender.complaints.filter(status="pending", kind="conditions").exists()
    ]


def open_ready_tenders() -> list[str]:
    opened = []
    for tender in ready_to_open():
        try:
            open_bids(tender=tender)
        except BidRefused as exc:  # another clock opened it first, or the key did not rebuild
            logger.warning("opening %s refused: %s", tender.number, exc.message)
            continue
        opened.append(tender.number)
    return opened
