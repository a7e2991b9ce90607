"""The opening ceremony for tests outside test_opening.py: close bidding at the deadline, hand in
t key shares (opened with the members' test keys, as `tenderctl.py open-share` would) and open."""

import datetime as dt

import time_machine

from bids.crypto import open_share
from bids.models import KeyShare, OpeningProtocol
from bids.services.opening import open_bids, post_share
from procurement.clock import tick
from procurement.models import Tender
from tests.procurement.factories import commission_private_key


def share_of(tender, user) -> bytes:
    seat = KeyShare.objects.get(opening_key__tender=tender, member=user)
    return open_share(
        bytes(seat.sealed_share), commission_private_key(user), tender.number, user.email
    )


def after_deadline(tender, seconds: float):
    return time_machine.travel(
        tender.submission_deadline + dt.timedelta(seconds=seconds), tick=False
    )


def close_bidding(tender) -> Tender:
    """One second after the deadline the clock closes bidding: the tender is in opening."""
    with after_deadline(tender, 1):
        tick()
    return Tender.objects.get(pk=tender.pk)


def post_shares(tender, members) -> None:
    with after_deadline(tender, 60):
        for member in members:
            post_share(tender=tender, actor=member, share=share_of(tender, member))


def open_tender(cast, tender) -> OpeningProtocol:
    """Close bidding, hand in the buyer's and the first member's shares (two of the three
    seats of tests.procurement.factories.ready_tender) and open the bids."""
    tender = close_bidding(tender)
    post_shares(tender, [cast.buyer, cast.commission[0]])
    with after_deadline(tender, 120):
        return open_bids(tender=tender)
