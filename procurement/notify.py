"""Who hears about a change to a tender, and the notices they get.

Called by the service that makes the change, inside its transaction, so a notice exists
exactly when its change does. The suppliers concerned are those who have shown an interest
the platform can see: asked a question, or submitted a bid.
"""

from django.apps import apps

from procurement.models import Notice, Question


def interested_suppliers(tender) -> list[int]:
    ids = set(Question.objects.filter(tender=tender).values_list("supplier_id", flat=True))
    if apps.is_installed("bids"):
        # The bids app sits on top of procurement; asking the registry keeps the dependency
        # one-way while the lifecycle still reaches every bidder.
        Bid = apps.get_model("bids", "Bid")
        ids |= set(Bid.objects.filter(tender=tender).values_list("supplier_id", flat=True))
    return sorted(ids)


def notify(tender, kind: str, message: str) -> int:
    """Send one notice per interested supplier; returns how many were sent."""
    rows = [
        Notice(supplier_id=sid, tender=tender, kind=kind, message=message)
        for sid in interested_suppliers(tender)
    ]
    Notice.objects.bulk_create(rows)
    return len(rows)
