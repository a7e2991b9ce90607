"""A supplier whose answer was lost sends the same bytes again: the platform answers with the
bid it already holds and the same receipt, before or after the deadline, and stores nothing
new. Anything but the identical statement and payload is still refused."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.services.tokens import create_api_token
from audit.models import Entry
from bids.errors import BidRefused
from bids.models import Bid
from bids.services.submission import submit_bid
from tests.bids.support import make_bid
from tests.bids.test_submit_bid_over_http import post_bid

PRICES = {"1": "2750000.00"}


def submit(tender, actor, made):
    return submit_bid(
        tender=tender, actor=actor, statement=made.statement, signature=made.signature,
        sealed=made.sealed,
    )  # fmt: skip


def test_the_same_bytes_again_get_the_same_bid_and_receipt(cast, tendering, signer_a):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    first = submit(tendering, cast.supplier_a, made)
    events = Entry.objects.count()

    again = submit(tendering, cast.supplier_a, made)

    assert again.replayed and not first.replayed
    assert again.bid.pk == first.bid.pk
    assert again.receipt == first.receipt
    assert Bid.objects.count() == 1
    assert Entry.objects.count() == events


def test_a_retry_arriving_after_the_deadline_learns_its_bid_stands(
    cast, tendering, signer_a, at_deadline
):
    with at_deadline(-1):
        made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
        first = submit(tendering, cast.supplier_a, made)
    with at_deadline(5):
        again = submit(tendering, cast.supplier_a, made)
    assert again.replayed and again.bid.pk == first.bid.pk
    assert again.bid.received_at < tendering.submission_deadline


def test_a_new_statement_after_the_deadline_is_still_late(cast, tendering, signer_a, at_deadline):
    with at_deadline(-1):
        submit(
            tendering,
            cast.supplier_a,
            make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES),
        )
        other = make_bid(tendering, signer_a, cast.supplier_org_a.bin, {"1": "2700000.00"})
    with at_deadline(1), pytest.raises(BidRefused) as exc:
        submit(tendering, cast.supplier_a, other)
    assert exc.value.code == "deadline_passed"


def test_the_same_statement_with_another_payload_is_refused(cast, tendering, signer_a):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    submit(tendering, cast.supplier_a, made)
    # Same nonce, re-sealed: a different statement naming a different payload.
    resealed = make_bid(
        tendering, signer_a, cast.supplier_org_a.bin, PRICES, nonce=made.outer["nonce"]
    )
    with pytest.raises(BidRefused) as exc:
        submit(tendering, cast.supplier_a, resealed)
    assert exc.value.code == "nonce_replayed"
    assert Bid.objects.count() == 1


def test_someone_outside_the_bidder_cannot_fetch_its_bid_by_replaying(cast, tendering, signer_a):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    submit(tendering, cast.supplier_a, made)
    with pytest.raises(PermissionDenied):
        submit(tendering, cast.supplier_b, made)


def test_over_http_a_replay_answers_200_with_the_same_body(cast, tendering, signer_a):
    token = create_api_token(user=cast.supplier_a, name="t", actor=cast.supplier_a)[1]
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    first = post_bid(tendering.number, made, token)
    again = post_bid(tendering.number, made, token)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
