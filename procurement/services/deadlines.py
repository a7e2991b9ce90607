"""The tender's timed events, applied by the clock (procurement/clock.py) with no actor.

Each service locks the tender, applies its event only if the tender is still waiting for it
and its instant has come, and otherwise does nothing: so two clocks, a late clock or a pass
run twice apply every event exactly once.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.recorder import record
from procurement.choices import LotStatus, TenderStatus
from procurement.models import Tender
from procurement.services.ledger import release_held
from procurement.services.tenders import TENDER_SUBJECT


def _due(tender: Tender, status: str, instant_field: str, now: dt.datetime) -> Tender | None:
    locked = Tender.objects.select_for_update().select_related("procedure").get(pk=tender.pk)
    instant = getattr(locked, instant_field)
    if locked.status != status or instant is None or instant > now:
        return None
    return locked


def start_tendering(*, tender: Tender, now: dt.datetime | None = None) -> Tender | None:
    """Enquiries end: the tender starts taking bids. None when it was not due."""
    now = now or timezone.now()
    with transaction.atomic():
        tender = _due(tender, TenderStatus.ENQUIRIES, "enquiry_end", now)
        if tender is None:
            return None
        tender.open_tendering()
        tender.save()
        record(
            Action.TENDER_TENDERING_STARTED,
            subject=tender,
            actor=None,
            data={"enquiry_end": tender.enquiry_end},
        )
    return tender


def pass_submission_deadline(*, tender: Tender, now: dt.datetime | None = None) -> Tender | None:
    """The deadline: bidding closes and the tender goes to opening, or, with fewer bids than
    the procedure's minimum, it fails and its budget is released. None when not due."""
    now = now or timezone.now()
    with transaction.atomic():
        tender = _due(tender, TenderStatus.TENDERING, "submission_deadline", now)
        if tender is None:
            return None
        bids, needed = tender.bid_count(), tender.procedure.min_bids
        data = {"submission_deadline": tender.submission_deadline, "bids": bids, "min_bids": needed}
        if bids >= needed:
            tender.close_bidding()
            tender.save()
            record(Action.TENDER_CLOSED, subject=tender, actor=None, data=data)
            return tender
        tender.fail()
        tender.save()
        tender.lots.filter(status=LotStatus.ACTIVE).update(status=LotStatus.UNSUCCESSFUL)
        released = release_held(
            reference=(TENDER_SUBJECT, tender.pk), actor=None, note=f"{tender.number} failed"
        )
        data.update(reason="too_few_bids", released={str(k): v for k, v in released.items()})
        record(Action.TENDER_FAILED, subject=tender, actor=None, data=data)
    return tender
