"""A sealed payload is accepted once: the same ciphertext under a new statement (a fresh
nonce, another bid or a replacement) is refused with its own code, atomically, like every
other refusal, and its nonce stays unspent."""

import hashlib

from bids.models import Bid, UsedNonce
from tests.bids.support import Made, make_bid, tool
from tests.bids.test_submit_bid import PRICES, refused, submit


def _same_sealed_new_statement(tendering, signer, bidder, earlier: Made, **outer) -> Made:
    fresh = make_bid(tendering, signer, bidder, PRICES, **outer)
    statement = {**fresh.outer, "sealed_sha256": hashlib.sha256(earlier.sealed).hexdigest()}
    canonical = tool.canonical(statement)
    signature = tool.sign_cms(canonical, signer.key, signer.certificate, signer.chain)
    return Made(canonical, signature, earlier.sealed, fresh.inner, statement)


def test_a_sealed_payload_sent_again_under_a_new_statement_is_refused(cast, tendering, signer_a):
    first = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    submit(tendering, cast.supplier_a, first)
    again = _same_sealed_new_statement(tendering, signer_a, cast.supplier_org_a.bin, first)
    nonces = UsedNonce.objects.count()
    message = refused(tendering, cast.supplier_a, again, "sealed_reused")
    assert "already" in message and "seal" in message.lower()
    assert UsedNonce.objects.count() == nonces  # rolled back with the rest: it can be used again
    assert Bid.objects.filter(tender=tendering).count() == 1


def test_a_replacement_must_seal_its_content_anew(cast, tendering, signer_a):
    first = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    accepted = submit(tendering, cast.supplier_a, first)
    again = _same_sealed_new_statement(
        tendering, signer_a, cast.supplier_org_a.bin, first, supersedes=accepted.bid.public_id
    )
    refused(tendering, cast.supplier_a, again, "sealed_reused")
    assert Bid.objects.get(pk=accepted.bid.pk).status == accepted.bid.status  # not superseded
