"""Submitting a signed, sealed bid: what is stored (ciphertext and hashes only), the event,
the receipt; and every refusal with its own code, leaving no row and no event."""

import base64
import dataclasses
import datetime as dt
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import PermissionDenied

from audit.merkle import verify_inclusion
from audit.models import Checkpoint, Entry
from audit.proofs import inclusion_proof
from bids.crypto import verify_receipt
from bids.errors import BidRefused
from bids.models import Bid, RefusalCount, UsedNonce
from bids.nonces import issue_nonce
from bids.receipts import receipt_key
from bids.services.submission import submit_bid
from pki.errors import CertificateRefused
from procurement.models import Tender
from tests.bids.support import Signer, make_bid

PRICES = {"1": "2750000.00"}


def submit(tender, actor, made):
    return submit_bid(
        tender=tender,
        actor=actor,
        statement=made.statement,
        signature=made.signature,
        sealed=made.sealed,
    )


def refused(tender, actor, made, code):
    bids, events = Bid.objects.count(), Entry.objects.count()
    with pytest.raises((BidRefused, CertificateRefused)) as exc:
        submit(tender, actor, made)
    assert exc.value.code == code, exc.value.messages
    assert (Bid.objects.count(), Entry.objects.count()) == (bids, events)
    assert RefusalCount.objects.filter(tender=tender, code=code).get().count >= 1
    return exc.value.messages[0]


def test_an_accepted_bid_stores_only_what_was_signed_and_sealed(cast, tendering, signer_a):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    before = Entry.objects.count()

    accepted = submit(tendering, cast.supplier_a, made)

    bid = Bid.objects.get()
    assert bid.public_id == accepted.bid.public_id
    assert bytes(bid.statement) == made.statement
    assert bytes(bid.sealed) == made.sealed
    assert bid.statement_sha256 == hashlib.sha256(made.statement).hexdigest()
    assert (bid.lots, bid.status, bid.supplier) == (["1"], "submitted", cast.supplier_org_a)
    assert bid.prices is None and bid.opened_content is None
    assert b"2750000.00" not in bytes(bid.sealed)
    [event] = Entry.objects.filter(seq__gte=before)
    assert event.action == "bids.bid.submitted"
    assert event.seq == bid.log_index
    assert "2750000" not in json.dumps(event.data)
    assert UsedNonce.objects.filter(value=made.outer["nonce"]).exists()


def test_the_receipt_is_signed_and_its_entry_is_in_the_checkpoint(cast, tendering, signer_a):
    accepted = submit(
        tendering, cast.supplier_a, make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    )
    public = receipt_key().public_key()
    body = verify_receipt(accepted.receipt, public)
    bid = accepted.bid
    assert body["bid"] == bid.public_id
    assert body["statement_sha256"] == bid.statement_sha256
    assert body["sealed_sha256"] == bid.sealed_sha256
    assert body["log_index"] == bid.log_index
    checkpoint = Checkpoint.objects.get(tree_size=body["checkpoint"]["size"])
    assert checkpoint.tree_size > bid.log_index
    entry = Entry.objects.get(seq=bid.log_index)
    proof = inclusion_proof(bid.log_index, checkpoint.tree_size)
    assert verify_inclusion(
        bytes(entry.leaf_hash),
        bid.log_index,
        checkpoint.tree_size,
        proof,
        bytes(checkpoint.root_hash),
    )
    tampered = {**accepted.receipt, "receipt": {**body, "lots": ["2"]}}
    with pytest.raises(Exception, match="altered"):
        verify_receipt(tampered, public)
    assert isinstance(public, Ed25519PublicKey)


def test_an_rsa_supplier_bids_too(cast, tendering, signer_b):
    accepted = submit(
        tendering, cast.supplier_b, make_bid(tendering, signer_b, cast.supplier_org_b.bin, PRICES)
    )
    assert accepted.bid.certificate.key_type == "rsa"


def test_one_second_before_the_deadline_is_accepted(cast, tendering, signer_a, at_deadline):
    with at_deadline(-1):
        made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
        assert (
            submit(tendering, cast.supplier_a, made).bid.received_at < tendering.submission_deadline
        )


@pytest.mark.parametrize("seconds", [0, 1])
def test_at_and_after_the_deadline_is_refused_saying_when(
    cast, tendering, signer_a, at_deadline, seconds
):
    with at_deadline(-2):
        made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    with at_deadline(seconds):
        message = refused(tendering, cast.supplier_a, made, "deadline_passed")
    assert "Nothing was stored" in message
    assert "(Almaty time)" in message


def test_a_replayed_nonce_is_refused(cast, tendering, signer_a):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    submit(tendering, cast.supplier_a, made)
    again = make_bid(
        tendering, signer_a, cast.supplier_org_a.bin, PRICES, nonce=made.outer["nonce"]
    )
    refused(tendering, cast.supplier_a, again, "nonce_replayed")


def test_an_expired_nonce_is_refused(cast, tendering, signer_a, settings):
    import time

    nonce, _expires = issue_nonce(
        tender=tendering.number,
        bidder=cast.supplier_org_a.bin,
        now=time.time() - settings.BID_NONCE_TTL_SECONDS - 1,
    )
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES, nonce=nonce)
    refused(tendering, cast.supplier_a, made, "nonce_expired")


def test_a_forged_nonce_is_refused(cast, tendering, signer_a):
    nonce = issue_nonce(tender=tendering.number, bidder=cast.supplier_org_a.bin)[0]
    forged = nonce[:-1] + ("0" if nonce[-1] != "0" else "1")
    refused(
        tendering,
        cast.supplier_a,
        make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES, nonce=forged),
        "nonce_invalid",
    )


def test_a_nonce_of_another_bidder_is_refused(cast, tendering, signer_a):
    nonce = issue_nonce(tender=tendering.number, bidder=cast.supplier_org_b.bin)[0]
    refused(
        tendering,
        cast.supplier_a,
        make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES, nonce=nonce),
        "nonce_invalid",
    )


def test_a_statement_for_another_tender_version_is_refused(cast, tendering, signer_a):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES, tender_version="0" * 64)
    message = refused(tendering, cast.supplier_a, made, "tender_version_stale")
    assert "version 1" in message


def test_a_tampered_ciphertext_is_refused_by_its_hash(cast, tendering, signer_a):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    flipped = bytearray(made.sealed)
    flipped[40] ^= 1
    refused(
        tendering,
        cast.supplier_a,
        dataclasses.replace(made, sealed=bytes(flipped)),
        "sealed_hash_mismatch",
    )


def test_a_statement_changed_after_signing_is_refused(cast, tendering, signer_a):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    other = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    refused(
        tendering,
        cast.supplier_a,
        dataclasses.replace(made, signature=other.signature),
        "signature_invalid",
    )


def test_a_statement_not_in_canonical_form_is_refused(cast, tendering, signer_a):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    loose = json.dumps(made.outer, indent=1).encode()
    refused(
        tendering,
        cast.supplier_a,
        dataclasses.replace(made, statement=loose),
        "statement_not_canonical",
    )


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"platform": "https://elsewhere.example"}, "wrong_platform"),
        ({"tender": "T-2026-999999"}, "wrong_tender"),
        ({"lots": ["7"]}, "lot_unknown"),
        ({"opening_key_id": "0" * 16}, "opening_key_mismatch"),
        ({"bidder": "12345"}, "statement_malformed"),
        ({"signed_at": "2020-01-01T00:00:00Z"}, "signed_at_invalid"),
    ],
)
def test_statement_fields_that_do_not_match_are_refused(cast, tendering, signer_a, override, code):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES, outer_overrides=override)
    refused(tendering, cast.supplier_a, made, code)


def test_a_certificate_from_an_untrusted_ca_is_refused(cast, tendering, trusted):
    from tests.bids.conftest import register
    from tests.pki.ca import TestCA

    rogue = TestCA("Rogue")
    key, certificate = rogue.issue(cast.supplier_org_a.bin)
    signer = register(cast.supplier_org_a, cast.supplier_a, key, certificate)
    refused(
        tendering,
        cast.supplier_a,
        make_bid(tendering, signer, cast.supplier_org_a.bin, PRICES),
        "certificate_untrusted",
    )


def test_an_expired_certificate_is_refused(cast, tendering, trusted):
    from django.utils import timezone

    from tests.bids.conftest import register

    now = timezone.now()
    key, certificate = trusted.issue(
        cast.supplier_org_a.bin, start=now - dt.timedelta(days=400), end=now - dt.timedelta(days=1)
    )
    signer = register(cast.supplier_org_a, cast.supplier_a, key, certificate)
    refused(
        tendering,
        cast.supplier_a,
        make_bid(tendering, signer, cast.supplier_org_a.bin, PRICES),
        "certificate_expired",
    )


def test_a_revoked_certificate_is_refused(cast, tendering, trusted):
    from tests.bids.conftest import register
    from tests.pki.ca import cache

    key, certificate = trusted.issue(cast.supplier_org_a.bin)
    signer = register(cast.supplier_org_a, cast.supplier_a, key, certificate)
    cache(trusted.crl(revoked=[certificate.serial_number]))
    refused(
        tendering,
        cast.supplier_a,
        make_bid(tendering, signer, cast.supplier_org_a.bin, PRICES),
        "certificate_revoked",
    )


def test_a_certificate_naming_another_bin_is_refused(cast, tendering, trusted):
    from tests.bids.conftest import register

    key, certificate = trusted.issue(cast.supplier_org_b.bin)
    signer = Signer(key, certificate)
    register(cast.supplier_org_b, cast.supplier_b, key, certificate)
    refused(
        tendering,
        cast.supplier_a,
        make_bid(tendering, signer, cast.supplier_org_a.bin, PRICES),
        "certificate_wrong_bin",
    )


def test_an_unregistered_certificate_is_refused(cast, tendering, trusted):
    key, certificate = trusted.issue(cast.supplier_org_a.bin)
    message = refused(
        tendering,
        cast.supplier_a,
        make_bid(tendering, Signer(key, certificate), cast.supplier_org_a.bin, PRICES),
        "certificate_not_registered",
    )
    assert "register it first" in message


def test_a_blacklisted_supplier_is_refused(cast, tendering, trusted):
    from tests.bids.conftest import register

    key, certificate = trusted.issue(cast.shady_org.bin)
    signer = register(cast.shady_org, cast.shady, key, certificate)
    message = refused(
        tendering,
        cast.shady,
        make_bid(tendering, signer, cast.shady_org.bin, PRICES),
        "bidder_blacklisted",
    )
    assert "unreliable suppliers" in message


def test_someone_outside_the_bidder_is_refused(cast, tendering, signer_a):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    with pytest.raises(PermissionDenied):
        submit(tendering, cast.supplier_b, made)
    assert not Bid.objects.exists()


@pytest.mark.parametrize("status", ["enquiries", "opening", "cancelled"])
def test_only_a_tender_in_tendering_takes_bids(cast, tendering, signer_a, status):
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    Tender.objects.filter(pk=tendering.pk).update(status=status)
    refused(tendering, cast.supplier_a, made, "tender_not_open")


def test_an_oversized_payload_is_refused(cast, tendering, signer_a, settings):
    settings.BID_SEALED_MAX_BYTES = 100
    refused(
        tendering,
        cast.supplier_a,
        make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES),
        "sealed_too_large",
    )


def _with_sealed(tender, signer, bidder, sealed: bytes):
    """A bid whose signed statement names `sealed` (not a real seal) as its payload."""
    made = make_bid(
        tender,
        signer,
        bidder,
        PRICES,
        outer_overrides={"sealed_sha256": hashlib.sha256(sealed).hexdigest()},
    )
    return dataclasses.replace(made, sealed=sealed)


def test_a_payload_shorter_than_any_hpke_seal_is_refused_at_47_bytes_not_at_48(
    cast, tendering, signer_a
):
    bin_ = cast.supplier_org_a.bin
    message = refused(
        tendering,
        cast.supplier_a,
        _with_sealed(tendering, signer_a, bin_, b"x" * 47),
        "sealed_too_short",
    )
    assert "47 bytes" in message and "at least 48" in message
    accepted = submit(
        tendering, cast.supplier_a, _with_sealed(tendering, signer_a, bin_, b"x" * 48)
    )
    assert accepted.bid.status == "submitted"  # the opening will find it unreadable


def test_a_replacement_supersedes_the_earlier_bid(cast, tendering, signer_a):
    first = submit(
        tendering, cast.supplier_a, make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    ).bid
    second = submit(
        tendering,
        cast.supplier_a,
        make_bid(
            tendering,
            signer_a,
            cast.supplier_org_a.bin,
            {"1": "2700000.00"},
            supersedes=first.public_id,
        ),
    ).bid
    first.refresh_from_db()
    assert first.status == "superseded"
    assert second.supersedes == first
    again = make_bid(
        tendering, signer_a, cast.supplier_org_a.bin, PRICES, supersedes=first.public_id
    )
    refused(tendering, cast.supplier_a, again, "supersedes_invalid")


def test_a_bid_may_not_supersede_another_suppliers_bid(cast, tendering, signer_a, signer_b):
    theirs = submit(
        tendering, cast.supplier_b, make_bid(tendering, signer_b, cast.supplier_org_b.bin, PRICES)
    ).bid
    made = make_bid(
        tendering, signer_a, cast.supplier_org_a.bin, PRICES, supersedes=theirs.public_id
    )
    refused(tendering, cast.supplier_a, made, "supersedes_invalid")


def test_the_receipt_key_is_published_as_base64(tendering):
    from bids.receipts import receipt_key_info

    info = receipt_key_info()
    assert len(base64.b64decode(info["public_key"])) == 32
    assert info["pem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_a_large_bid_can_come_as_a_multipart_upload(cast, tendering, signer_a):
    import base64

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from accounts.services.tokens import create_api_token

    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    token = create_api_token(user=cast.supplier_a, name="t", actor=cast.supplier_a)[1]
    response = Client().post(
        f"/api/v1/tenders/{tendering.number}/bids/upload",
        {
            "statement": made.statement.decode(),
            "signature": base64.b64encode(made.signature).decode(),
            "sealed": SimpleUploadedFile("bid.sealed", made.sealed),
        },
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    assert Bid.objects.get().public_id == response.json()["bid"]


def test_an_oversized_upload_is_refused_with_the_limit(cast, tendering, signer_a, settings):
    import base64

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from accounts.services.tokens import create_api_token

    settings.BID_SEALED_MAX_BYTES = 2 * 1024 * 1024
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    token = create_api_token(user=cast.supplier_a, name="t", actor=cast.supplier_a)[1]
    response = Client().post(
        f"/api/v1/tenders/{tendering.number}/bids/upload",
        {
            "statement": made.statement.decode(),
            "signature": base64.b64encode(made.signature).decode(),
            "sealed": SimpleUploadedFile("bid.sealed", b"x" * (3 * 1024 * 1024)),
        },
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "sealed_too_large"
    assert not Bid.objects.exists()
