"""What an amendment does to the bids already in: they no longer match what is bid for.

Called by the amendment service inside its transaction (the tender row is locked, so no bid
can arrive in between). The bids stay, marked invalidated, and their suppliers get a notice;
a replacement bid signed for the new version supersedes them.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from bids.models import Bid, BidStatus
from procurement.models import Notice, NoticeKind


def invalidate_for_version(tender, version) -> int:
    bids = list(
        Bid.objects.filter(tender=tender, status=BidStatus.SUBMITTED)
        .exclude(tender_version=version.sha256)
        .select_related("supplier")
    )
    now = timezone.now()
    Bid.objects.filter(pk__in=[b.pk for b in bids]).update(
        status=BidStatus.INVALIDATED, status_changed_at=now
    )
    Notice.objects.bulk_create(
        Notice(
            supplier=bid.supplier,
            tender=tender,
            kind=NoticeKind.BID_INVALIDATED,
            message=_(
                "Your bid %(bid)s on %(number)s was made for an earlier version of the tender. "
                "It will not be opened unless you replace it with a bid signed for version "
                "%(version)s before the deadline."
            )
            % {"bid": bid.public_id, "number": tender.number, "version": version.number},
        )
        for bid in bids
    )
    return len(bids)
