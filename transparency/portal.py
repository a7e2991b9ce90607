"""What the public portal shows of an agency or a supplier (issue 7): the agency's tenders, the
supplier's bids, their awards and contracts, and the supplier's blacklist history. Reads only;
each function returns a queryset in a stable order, for one page at a time.

Only what is public anywhere else: published tenders, bids once their tender's opening
protocol exists (sealed before it, so not even their existence is listed), awards (they exist
from the results on), contracts once in force (signed by both sides).
"""

from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from awards.models import Award
from bids.models import Bid, BidStatus
from contracts.models import Contract, Payment
from procurement.models import Tender
from procurement.querysets import MONEY
from suppliers.choices import OrganisationKind

# Bids of a tender as the opening protocol lists them; superseded ones and those made for an
# earlier version were never bids of the tender (the OCDS export leaves them out too).
OPENED_BIDS = (BidStatus.VALID, BidStatus.INVALID, BidStatus.WITHDRAWN)


def agency_tenders(agency):
    return (
        Tender.objects.published()
        .filter(agency=agency)
        .select_related("procedure")
        .with_value()
        .order_by("-published_at", "-pk")
    )


def supplier_bids(supplier):
    return (
        Bid.objects.filter(
            supplier=supplier, tender__opening_protocol__isnull=False, status__in=OPENED_BIDS
        )
        .select_related("tender")
        .only("public_id", "lots", "prices", "status", "received_at", "tender__number")
        .order_by("-received_at", "-pk")
    )


def awards_of(organisation):
    side = "tender__agency" if organisation.kind == OrganisationKind.AGENCY else "supplier"
    return (
        Award.objects.filter(**{side: organisation})
        .select_related("tender__agency", "lot", "supplier")
        .order_by("-created_at", "-pk")
    )


def contracts_of(organisation):
    """Contracts in force or ended after signature, with `paid`: the sum of their payments."""
    side = "agency" if organisation.kind == OrganisationKind.AGENCY else "supplier"
    paid = (
        Payment.objects.filter(contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Contract.objects.filter(signed_at__isnull=False, **{side: organisation})
        .select_related("tender", "lot", "agency", "supplier")
        .defer("content", "terms", "buyer_signature", "supplier_signature")
        .annotate(paid=Coalesce(Subquery(paid), Value(Decimal("0.00")), output_field=MONEY))
        .order_by("-signed_at", "-pk")
    )


def blacklist_history(supplier):
    """Every entry of the register of unreliable suppliers, in force or ended, newest first."""
    return supplier.blacklist_entries.order_by("-starts_at", "-pk")
