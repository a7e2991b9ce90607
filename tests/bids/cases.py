"""Set-ups for tests/test_every_service_records_one_event.py: each runs one bids service
against the cast and returns the audit entry count from just before that call."""

import base64

from audit.models import Entry
from bids.crypto import public_key_of
from bids.services.keys import register_commission_key
from bids.services.opening import open_bids, post_share
from bids.services.submission import submit_bid, withdraw_bid
from procurement.clock import tick
from tests.bids.support import make_bid, make_withdrawal, trusted_world
from tests.procurement.factories import commission_private_key


def registered_key(c) -> int:
    before = Entry.objects.count()
    key = public_key_of(b"\x07" * 32)
    register_commission_key(actor=c.commission[2], public_key=base64.b64encode(key).decode())
    return before


def _submitted(c, world):
    made = make_bid(world.tender, world.signer, c.supplier_org_a.bin, {"1": "100.00"})
    return submit_bid(
        tender=world.tender,
        actor=c.supplier_a,
        statement=made.statement,
        signature=made.signature,
        sealed=made.sealed,
    ).bid


def submitted(c) -> int:
    with trusted_world(c) as world:
        before = Entry.objects.count()
        _submitted(c, world)
        # The receipt's checkpoint is not an event; only the submission is.
        return before


def withdrawn(c) -> int:
    with trusted_world(c) as world:
        bid = _submitted(c, world)
        statement, signature = make_withdrawal(
            world.tender, world.signer, c.supplier_org_a.bin, bid.public_id
        )
        before = Entry.objects.count()
        withdraw_bid(bid=bid, actor=c.supplier_a, statement=statement, signature=signature)
        return before


def _closed(c, world):
    import time_machine

    from bids.crypto import open_share
    from bids.models import KeyShare

    _submitted(c, world)
    traveller = time_machine.travel(world.tender.submission_deadline, tick=False)
    traveller.start()
    tick()
    share = KeyShare.objects.get(opening_key__tender=world.tender, member=c.buyer)
    plain = open_share(
        bytes(share.sealed_share),
        commission_private_key(c.buyer),
        world.tender.number,
        c.buyer.email,
    )
    return traveller, plain


def share_posted(c) -> int:
    with trusted_world(c) as world:
        traveller, plain = _closed(c, world)
        try:
            before = Entry.objects.count()
            post_share(tender=world.tender, actor=c.buyer, share=plain)
            return before
        finally:
            traveller.stop()


def opened(c) -> int:
    from bids.crypto import open_share
    from bids.models import KeyShare

    with trusted_world(c) as world:
        traveller, plain = _closed(c, world)
        try:
            post_share(tender=world.tender, actor=c.buyer, share=plain)
            member = c.commission[0]
            seat = KeyShare.objects.get(opening_key__tender=world.tender, member=member)
            post_share(
                tender=world.tender,
                actor=member,
                share=open_share(
                    bytes(seat.sealed_share),
                    commission_private_key(member),
                    world.tender.number,
                    member.email,
                ),
            )
            before = Entry.objects.count()
            open_bids(tender=world.tender)
            return before
        finally:
            traveller.stop()
