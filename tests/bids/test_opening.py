"""The opening: shares only after the deadline, a wrong share refused at once, t shares rebuild
the key, every bid decrypted and checked, and the protocol lists every bid received."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import Entry
from bids.crypto import open_share
from bids.errors import BidRefused
from bids.models import Bid, KeyShare, OpeningKey, OpeningProtocol
from bids.services.opening import open_bids, post_share
from bids.services.submission import submit_bid, withdraw_bid
from procurement.clock import tick
from procurement.models import Tender
from procurement.services.amendments import amend_tender
from tests.bids.support import make_bid, make_withdrawal
from tests.procurement.factories import commission_private_key


def submit(tender, actor, made):
    return submit_bid(
        tender=tender,
        actor=actor,
        statement=made.statement,
        signature=made.signature,
        sealed=made.sealed,
    ).bid


def share_of(tender, user) -> bytes:
    seat = KeyShare.objects.get(opening_key__tender=tender, member=user)
    return open_share(
        bytes(seat.sealed_share), commission_private_key(user), tender.number, user.email
    )


def close(tender, at_deadline):
    with at_deadline(1):
        tick()
    return Tender.objects.get(pk=tender.pk)


@pytest.fixture
def two_bids(cast, tendering, signer_a, signer_b):
    a = submit(
        tendering,
        cast.supplier_a,
        make_bid(tendering, signer_a, cast.supplier_org_a.bin, {"1": "2750000.00"}),
    )
    b = submit(
        tendering,
        cast.supplier_b,
        make_bid(tendering, signer_b, cast.supplier_org_b.bin, {"1": "2600000.00"}),
    )
    return a, b


def test_the_deadline_closes_bidding_and_the_commission_opens(
    cast, tendering, two_bids, at_deadline
):
    tender = close(tendering, at_deadline)
    assert tender.status == "opening"
    assert tender.what_happens_next()["blocked_by"] == ["2 more commission members' key shares"]
    with at_deadline(60):
        post_share(tender=tender, actor=cast.buyer, share=share_of(tender, cast.buyer))
        post_share(
            tender=tender, actor=cast.commission[0], share=share_of(tender, cast.commission[0])
        )
        result = tick()
    assert result["opened"] == [tender.number]
    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == "evaluation"
    a, b = (Bid.objects.get(pk=bid.pk) for bid in two_bids)
    assert (a.status, a.prices) == ("valid", {"1": "2750000.00"})
    assert (b.status, b.prices) == ("valid", {"1": "2600000.00"})
    protocol = OpeningProtocol.objects.get(tender=tender)
    body = json.loads(bytes(protocol.content))
    assert [row["bid"] for row in body["bids"]] == [a.public_id, b.public_id]
    assert body["bids"][1]["prices"] == {"1": "2600000.00"}
    seats = {
        s.member_id: s.commission_key.key_id
        for s in KeyShare.objects.filter(opening_key__tender=tender)
    }
    assert body["shares_from"] == [seats[cast.buyer.pk], seats[cast.commission[0].pk]]
    # Public records name the members' registered keys, never their e-mail addresses.
    public = bytes(protocol.content) + b"".join(
        bytes(e.payload) for e in Entry.objects.filter(action__startswith="bids.")
    )
    assert b"@" not in public
    assert Entry.objects.filter(action="bids.tender.opened", seq=protocol.log_index).exists()


def test_shares_are_refused_before_the_deadline(cast, tendering, two_bids):
    with pytest.raises(BidRefused) as exc:
        post_share(tender=tendering, actor=cast.buyer, share=share_of(tendering, cast.buyer))
    assert exc.value.code == "opening_not_due"
    assert not KeyShare.objects.filter(posted_at__isnull=False).exists()


def test_a_wrong_share_is_refused_naming_the_key(cast, tendering, two_bids, at_deadline):
    tender = close(tendering, at_deadline)
    wrong = share_of(tender, cast.commission[0])  # someone else's share
    with at_deadline(60), pytest.raises(BidRefused) as exc:
        post_share(tender=tender, actor=cast.buyer, share=wrong)
    assert exc.value.code == "share_mismatch"
    with at_deadline(60), pytest.raises(BidRefused) as exc:
        post_share(tender=tender, actor=cast.buyer, share=b"\x01" * 10)
    assert exc.value.code == "share_malformed"


def test_a_share_is_handed_in_once(cast, tendering, two_bids, at_deadline):
    tender = close(tendering, at_deadline)
    with at_deadline(60):
        post_share(tender=tender, actor=cast.buyer, share=share_of(tender, cast.buyer))
        with pytest.raises(BidRefused) as exc:
            post_share(tender=tender, actor=cast.buyer, share=share_of(tender, cast.buyer))
    assert exc.value.code == "share_already_posted"


@pytest.mark.parametrize("role", ["supplier_a", "other_buyer", "auditor", "operator"])
def test_only_commission_members_hand_in_shares(cast, tendering, two_bids, at_deadline, role):
    tender = close(tendering, at_deadline)
    with at_deadline(60), pytest.raises(PermissionDenied):
        post_share(tender=tender, actor=getattr(cast, role), share=b"\x01" * 33)


def test_opening_needs_the_threshold(cast, tendering, two_bids, at_deadline):
    tender = close(tendering, at_deadline)
    with at_deadline(60):
        post_share(tender=tender, actor=cast.buyer, share=share_of(tender, cast.buyer))
        with pytest.raises(BidRefused) as exc:
            open_bids(tender=tender)
    assert exc.value.code == "shares_insufficient"
    assert Tender.objects.get(pk=tender.pk).status == "opening"


def test_a_wrongly_rebuilt_key_is_detected_before_anything_is_decrypted(
    cast, tendering, two_bids, at_deadline
):
    tender = close(tendering, at_deadline)
    with at_deadline(60):
        post_share(tender=tender, actor=cast.buyer, share=share_of(tender, cast.buyer))
        post_share(
            tender=tender, actor=cast.commission[0], share=share_of(tender, cast.commission[0])
        )
        # An operator swaps the published key: the rebuilt key no longer matches it.
        OpeningKey.objects.filter(tender=tender).update(public_key=b"\x09" * 32)
        with pytest.raises(BidRefused) as exc:
            open_bids(tender=tender)
    assert exc.value.code == "opening_key_mismatch"
    assert not Bid.objects.exclude(opened_content=None).exists()


def open_now(cast, tender, at_deadline):
    with at_deadline(60):
        post_share(tender=tender, actor=cast.buyer, share=share_of(tender, cast.buyer))
        post_share(
            tender=tender, actor=cast.commission[1], share=share_of(tender, cast.commission[1])
        )
        return json.loads(bytes(open_bids(tender=tender).content))


def test_an_inner_statement_that_disagrees_with_the_outer_is_invalid(
    cast, tendering, signer_a, at_deadline
):
    made = make_bid(
        tendering,
        signer_a,
        cast.supplier_org_a.bin,
        {"1": "1.00"},
        inner_overrides={"nonce": "another"},
    )
    bid = submit(tendering, cast.supplier_a, made)
    protocol = open_now(cast, close(tendering, at_deadline), at_deadline)
    bid.refresh_from_db()
    assert bid.status == "invalid"
    assert bid.prices is None
    assert (
        protocol["bids"][0]["reason"]
        == 'the sealed content names another "nonce" than the signed statement'
    )


def test_a_payload_sealed_for_another_lot_does_not_open(cast, tendering, signer_a, at_deadline):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, {"1": "5.00"}, seal_lots=["2"])
    bid = submit(tendering, cast.supplier_a, made)
    open_now(cast, close(tendering, at_deadline), at_deadline)
    bid.refresh_from_db()
    assert bid.status == "invalid"
    assert bid.invalid_reason.startswith("the sealed content cannot be read")


def test_withdrawn_replaced_and_invalidated_bids_are_listed_not_opened(
    cast, tendering, signer_a, signer_b, at_deadline
):
    first = submit(
        tendering,
        cast.supplier_a,
        make_bid(tendering, signer_a, cast.supplier_org_a.bin, {"1": "9.00"}),
    )
    statement, signature = make_withdrawal(
        tendering, signer_a, cast.supplier_org_a.bin, first.public_id
    )
    withdraw_bid(bid=first, actor=cast.supplier_a, statement=statement, signature=signature)
    stale = submit(
        tendering,
        cast.supplier_b,
        make_bid(tendering, signer_b, cast.supplier_org_b.bin, {"1": "8.00"}),
    )
    amend_tender(tender=tendering, actor=cast.buyer, reason="Clarified", description="More detail")
    stale.refresh_from_db()
    assert stale.status == "invalidated"
    tendering = Tender.objects.select_related("opening_key").get(pk=tendering.pk)
    fresh = submit(
        tendering,
        cast.supplier_b,
        make_bid(
            tendering, signer_b, cast.supplier_org_b.bin, {"1": "7.00"}, supersedes=stale.public_id
        ),
    )
    with at_deadline(24 * 3600 * 30):  # the amendment moved the deadline out
        tick()
    tender = Tender.objects.get(pk=tendering.pk)
    with at_deadline(24 * 3600 * 30):
        for user in (cast.buyer, cast.commission[1]):
            post_share(tender=tender, actor=user, share=share_of(tender, user))
        protocol = json.loads(bytes(open_bids(tender=tender).content))
    rows = {row["bid"]: row for row in protocol["bids"]}
    assert rows[first.public_id]["status"] == "withdrawn"
    assert rows[stale.public_id]["status"] == "superseded"
    assert rows[fresh.public_id]["prices"] == {"1": "7.00"}
    assert len(rows) == 3


def test_a_tender_without_bids_fails_at_the_deadline_and_releases_its_money(
    cast, tendering, at_deadline
):
    tender = close(tendering, at_deadline)
    assert tender.status == "unsuccessful"
    assert tender.submission_deadline - dt.timedelta(seconds=1) < tender.closed_at
