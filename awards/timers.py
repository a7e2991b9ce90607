"""The tender's one timer after opening (Tender.timer_at, read by the clock through
next_check): the earliest correction window, standstill or signature deadline still running.

Services that open or close a window call `refresh_timer` before saving the tender, so the
clock wakes for exactly the next thing and for nothing once only people can move the tender
(a complaint to decide, a buyer to choose the next bidder).
"""

from django.db.models import Min

from awards.choices import AwardStatus, ComplaintStatus, ReviewStatus
from procurement.choices import TenderStatus


def next_timer(tender):
    if tender.status == TenderStatus.EVALUATION:
        return tender.reviews.filter(status=ReviewStatus.CORRECTION).aggregate(
            t=Min("correction_deadline")
        )["t"]
    if tender.status not in (TenderStatus.STANDSTILL, TenderStatus.CONTRACTING):
        return None
    instants = []
    if not has_pending_results_complaint(tender):
        instants.append(
            tender.awards.filter(status=AwardStatus.PENDING).aggregate(t=Min("standstill_end"))["t"]
        )
    instants.append(
        tender.contracts.filter(status="pending", supplier_signed_at=None).aggregate(
            t=Min("sign_deadline")
        )["t"]
    )
    instants = [t for t in instants if t is not None]
    return min(instants) if instants else None


def has_pending_results_complaint(tender) -> bool:
    return tender.complaints.filter(status=ComplaintStatus.PENDING, kind="results").exists()


def has_pending_conditions_complaint(tender) -> bool:
    return tender.complaints.filter(status=ComplaintStatus.PENDING, kind="conditions").exists()


def refresh_timer(tender) -> None:
    """Set tender.timer_at; the caller saves the tender (next_check follows on save)."""
    tender.timer_at = next_timer(tender)
