"""Keeping a tender's status in step with its lots after the award stage moves: a step of
the calling service (inside its transaction, no event of its own; the caller's event says
what changed).

A lot is done when its contract is signed or it failed; the tender is complete when every
active lot is done with at least one contract, unsuccessful when no lot is left, in standstill
while any award waits one out, and in contracting otherwise.
"""

from django_fsm import can_proceed

from accounts.models import User
from awards.choices import AwardStatus
from awards.timers import refresh_timer
from procurement.choices import LotStatus, TenderStatus
from procurement.models import Lot, Tender
from procurement.services.ledger import release, release_held
from procurement.services.tenders import TENDER_SUBJECT


def fail_lot(tender: Tender, lot: Lot, actor: User | None, why: str) -> None:
    """No bid is left for the lot: it fails and its reservation goes back to the line."""
    lot.status = LotStatus.UNSUCCESSFUL
    lot.save(update_fields=["status"])
    release(
        line=lot.budget_line,
        amount=lot.amount,
        reference=(TENDER_SUBJECT, tender.pk),
        actor=actor,
        note=f"{tender.number} lot {lot.number}: {why}",
    )


def settle_tender(tender: Tender, actor: User | None) -> str:
    """Move the (locked) tender to the status its lots call for and save it; returns it."""
    active = list(tender.lots.filter(status=LotStatus.ACTIVE))
    signed = set(tender.contracts.exclude(signed_at=None).values_list("lot_id", flat=True))
    pending = tender.awards.filter(status=AwardStatus.PENDING).exists()
    if not active:
        if can_proceed(tender.fail):
            tender.fail()
            release_held(reference=(TENDER_SUBJECT, tender.pk), actor=actor, note=tender.number)
    elif all(lot.pk in signed for lot in active):
        tender.complete()
    elif pending and tender.status == TenderStatus.CONTRACTING:
        tender.restart_standstill()
    elif not pending and tender.status == TenderStatus.STANDSTILL:
        tender.start_contracting()
    refresh_timer(tender)
    tender.save()
    return tender.status
