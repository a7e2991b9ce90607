"""Who bid is sealed with the bid: until the tender's opening protocol exists, the audit log's
public API withholds the content of bid submissions and withdrawals (bidder, hashes, lots)
from everyone but the bidder's own members (audit/withholding.py)."""

from django.utils.translation import gettext as _

from bids.models import OpeningProtocol
from suppliers.permissions import memberships


def sealed_bid_entries(entries: list, user) -> dict[int, str]:
    tenders = {e.data.get("tender") for e in entries}
    opened = set(
        OpeningProtocol.objects.filter(tender__number__in=tenders).values_list(
            "tender__number", flat=True
        )
    )
    own = {m.organisation.bin for m in memberships(user)}
    return {
        e.seq: _(
            "Withheld until the bids of %(tender)s are opened: before the opening nobody "
            "learns who bid. The entry's leaf hash is given, so its inclusion proof verifies."
        )
        % {"tender": e.data.get("tender")}
        for e in entries
        if e.data.get("tender") not in opened and e.data.get("bidder") not in own
    }
