"""Sealed bids on the web: the tender page's bids section for the public, a bidder and a
commission member; "My bids" and its receipts; a member's opening key; the opening protocol's
bytes; and the navigation links that lead there."""

import base64
import hashlib
import json
import re
import zoneinfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from audit.models import Entry
from bids.crypto import public_key_of, verify_receipt
from bids.models import Bid, CommissionKey
from bids.receipts import receipt_key
from bids.services.submission import submit_bid, withdraw_bid
from tests.bids.ceremony import close_bidding, open_tender, post_shares
from tests.bids.support import make_bid, make_withdrawal
from tests.conftest import ROLES, cast_member
from tests.procurement.factories import commission_private_key, ready_tender

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


def visitor(cast, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(cast_member(cast, role))
    return client


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def errors_of_field(html: str, field_id: str) -> str:
    match = re.search(
        rf'<ul class="errorlist" id="{re.escape(field_id)}_errors"[^>]*>(.*?)</ul>', html, re.S
    )
    return match.group(1) if match else ""


def submit(tender, actor, signer, bidder, prices) -> Bid:
    made = make_bid(tender, signer, bidder, prices)
    return submit_bid(
        tender=tender,
        actor=actor,
        statement=made.statement,
        signature=made.signature,
        sealed=made.sealed,
    ).bid


@pytest.fixture
def two_bids(cast, tendering, signer_a, signer_b):
    a = submit(tendering, cast.supplier_a, signer_a, cast.supplier_org_a.bin, {"1": "2750000.00"})
    b = submit(tendering, cast.supplier_b, signer_b, cast.supplier_org_b.bin, {"1": "2600000.00"})
    return a, b


# --- the tender page ------------------------------------------------------------------------


def test_the_public_sees_how_many_bids_and_the_opening_key_only(cast, tendering, two_bids):
    html = page(Client(), tendering.get_absolute_url())

    assert "2 bids received." in html
    assert tendering.opening_key.key_id in html
    assert "Your bids on this tender" not in html
    for bid in two_bids:
        assert bid.public_id not in html
        assert bid.sealed_sha256 not in html
    assert "open-share" not in html


def test_a_bidder_sees_its_own_bids_with_hashes_receipt_and_commands(cast, tendering, two_bids):
    a, b = two_bids
    html = page(visitor(cast, "supplier_a"), tendering.get_absolute_url())

    assert "Your bids on this tender" in html
    assert a.public_id in html
    assert a.statement_sha256 in html and a.sealed_sha256 in html
    assert reverse("bids:bid-receipt", args=[a.public_id]) in html
    received = a.received_at.astimezone(ALMATY).strftime("%d.%m.%Y %H:%M:%S")
    assert received in html
    assert (
        f"tenderctl.py withdraw --server {settings.PLATFORM_ORIGIN} --tender {tendering.number}"
        in html
    )
    assert f"--bid {a.public_id}" in html
    assert f"--lot 1=PRICE --supersedes {a.public_id}" in html
    assert b.public_id not in html and b.sealed_sha256 not in html


def test_the_other_bidder_sees_only_its_own(cast, tendering, two_bids):
    a, b = two_bids
    html = page(visitor(cast, "supplier_b"), tendering.get_absolute_url())

    assert b.public_id in html and b.sealed_sha256 in html
    assert a.public_id not in html and a.sealed_sha256 not in html


@pytest.mark.parametrize("role", ["buyer", "commission"])
def test_a_commission_member_sees_how_far_the_opening_is(cast, tendering, two_bids, role):
    user = cast_member(cast, role)
    html = page(visitor(cast, role), tendering.get_absolute_url())

    assert "0 of 2 key shares are in." in html
    assert "Yours is not in yet." in html
    assert "Shares are handed in after the deadline" in html
    assert (
        f"tenderctl.py open-share --server {settings.PLATFORM_ORIGIN} --tender {tendering.number} "
        f"--key member.pem --member {user.email}"
    ) in html
    assert "Your bids on this tender" not in html


def test_a_member_whose_share_is_in_is_told_so(cast, tendering, two_bids):
    tender = close_bidding(tendering)
    post_shares(tender, [cast.buyer])

    mine = page(visitor(cast, "buyer"), tender.get_absolute_url())
    other = page(visitor(cast, "commission"), tender.get_absolute_url())

    assert "1 of 2 key shares are in." in mine and "Yours is in since" in mine
    assert "open-share" not in mine
    assert "1 of 2 key shares are in." in other and "Yours is not in yet." in other
    assert "Hand in your share now" in other


@pytest.mark.parametrize("role", ["agency_admin", "other_buyer", "auditor", "operator"])
def test_who_holds_no_share_sees_no_opening_status(cast, tendering, two_bids, role):
    html = page(visitor(cast, role), tendering.get_absolute_url())

    assert "key shares are in" not in html
    assert "open-share" not in html


def test_a_commission_member_off_this_tender_sees_no_opening_status(cast, tendering, two_bids):
    client = Client()
    client.force_login(cast.commission[2])  # sits on the agency's commissions, not this one

    assert "key shares are in" not in page(client, tendering.get_absolute_url())


def test_after_opening_the_page_shows_the_protocol_with_prices(cast, tendering, two_bids):
    a, b = two_bids
    protocol = open_tender(cast, tendering)

    html = page(Client(), tendering.get_absolute_url())

    assert "Opening protocol" in html
    assert "2 bids were received" in html
    for bid, price in ((a, "2750000.00"), (b, "2600000.00")):
        assert bid.public_id in html
        assert price in html
        assert bid.supplier.legal_name in html
    assert "Opened: valid" in html
    assert protocol.sha256 in html
    assert reverse("bids:opening-protocol", args=[tendering.number]) in html
    assert "bids received." not in html


def test_the_protocol_download_is_its_exact_bytes(cast, tendering, two_bids):
    url = reverse("bids:opening-protocol", args=[tendering.number])
    assert Client().get(url).status_code == 404

    protocol = open_tender(cast, tendering)
    response = Client().get(url)

    assert response.status_code == 200
    assert response.content == bytes(protocol.content)
    assert hashlib.sha256(response.content).hexdigest() == protocol.sha256
    assert response["X-Content-SHA256"] == protocol.sha256
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["tender"] == tendering.number


def test_a_withdrawn_bid_shows_as_withdrawn_without_commands(cast, tendering, signer_a):
    bid = submit(tendering, cast.supplier_a, signer_a, cast.supplier_org_a.bin, {"1": "9.00"})
    statement, signature = make_withdrawal(
        tendering, signer_a, cast.supplier_org_a.bin, bid.public_id
    )
    withdraw_bid(bid=bid, actor=cast.supplier_a, statement=statement, signature=signature)

    html = page(visitor(cast, "supplier_a"), tendering.get_absolute_url())

    assert bid.public_id in html and "Withdrawn" in html
    assert "tenderctl.py withdraw" not in html
    assert "0 bids received." in page(Client(), tendering.get_absolute_url())


# --- my bids and receipts -------------------------------------------------------------------


def test_my_bids_lists_the_suppliers_bids_newest_first(cast, tendering, two_bids, signer_a):
    a, b = two_bids
    later = submit(tendering, cast.supplier_a, signer_a, cast.supplier_org_a.bin, {"1": "1.00"})

    html = page(visitor(cast, "supplier_a"), reverse("bids:my-bids"))

    assert html.index(later.public_id) < html.index(a.public_id)
    assert tendering.number in html
    assert reverse("bids:bid-receipt", args=[a.public_id]) in html
    assert b.public_id not in html


def test_my_bids_is_paginated(cast, tendering, signer_a, monkeypatch):
    monkeypatch.setattr("bids.views.MY_BIDS_PAGE", 1)
    first = submit(tendering, cast.supplier_a, signer_a, cast.supplier_org_a.bin, {"1": "1.00"})
    second = submit(tendering, cast.supplier_a, signer_a, cast.supplier_org_a.bin, {"1": "2.00"})
    client = visitor(cast, "supplier_a")

    newest = page(client, reverse("bids:my-bids"))
    older = page(client, reverse("bids:my-bids") + "?page=2")

    assert second.public_id in newest and first.public_id not in newest
    assert first.public_id in older and second.public_id not in older


@pytest.mark.parametrize("role", ["buyer", "auditor", "outsider", "operator"])
def test_my_bids_is_for_members_of_a_supplier(cast, role):
    assert visitor(cast, role).get(reverse("bids:my-bids")).status_code == 403


def test_the_receipt_download_verifies(cast, tendering, two_bids):
    a, _b = two_bids
    response = visitor(cast, "supplier_a").get(reverse("bids:bid-receipt", args=[a.public_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert f'filename="{a.public_id}-receipt.json"' in response["Content-Disposition"]
    body = verify_receipt(json.loads(response.content), receipt_key().public_key())
    assert body["bid"] == a.public_id
    assert body["sealed_sha256"] == a.sealed_sha256
    assert body["log_index"] == a.log_index
    again = visitor(cast, "supplier_a").get(reverse("bids:bid-receipt", args=[a.public_id]))
    assert again.content == response.content


@pytest.mark.parametrize("role", ["supplier_b", "buyer", "operator", "auditor"])
def test_someone_elses_receipt_is_not_found(cast, tendering, two_bids, role):
    a, _b = two_bids
    url = reverse("bids:bid-receipt", args=[a.public_id])

    assert visitor(cast, role).get(url).status_code == 404


# --- the opening key ------------------------------------------------------------------------


def test_the_opening_key_page_shows_the_key_in_use(cast):
    key = CommissionKey.objects.get(user=cast.commission[0], retired_at=None)

    html = page(visitor(cast, "commission"), reverse("bids:opening-key"))

    assert key.key_id in html
    assert "tenderctl.py keygen --out member.pem" in html
    assert 'name="public_key"' in html


def test_a_malformed_key_is_refused_next_to_the_field(cast):
    before = Entry.objects.count()
    response = visitor(cast, "commission").post(
        reverse("bids:opening-key"), {"public_key": "bm90IGEga2V5"}
    )

    assert response.status_code == 400
    errors = errors_of_field(response.content.decode(), "id_public_key")
    assert "raw 32-byte X25519 public key" in errors
    assert Entry.objects.count() == before
    assert CommissionKey.objects.filter(user=cast.commission[0]).count() == 1


def test_a_key_already_registered_is_refused_next_to_the_field(cast):
    taken = public_key_of(commission_private_key(cast.buyer))
    response = visitor(cast, "commission").post(
        reverse("bids:opening-key"), {"public_key": base64.b64encode(taken).decode()}
    )

    assert response.status_code == 400
    assert "already registered" in errors_of_field(response.content.decode(), "id_public_key")


def test_registering_a_key_retires_the_one_in_use(cast):
    old = CommissionKey.objects.get(user=cast.commission[0], retired_at=None)
    raw = public_key_of(b"\x05" * 32)
    client = visitor(cast, "commission")

    response = client.post(
        reverse("bids:opening-key"), {"public_key": base64.b64encode(raw).decode()}
    )

    assert response.status_code == 302
    new = CommissionKey.objects.get(user=cast.commission[0], retired_at=None)
    assert bytes(new.public_key) == raw and new.pk != old.pk
    assert Entry.objects.filter(action="bids.commissionkey.registered").count() == 1
    html = page(client, reverse("bids:opening-key"))
    assert new.key_id in html and old.key_id not in html


@pytest.mark.parametrize("role", ["agency_admin", "supplier_a", "auditor", "operator"])
def test_the_opening_key_page_is_for_commission_members(cast, role):
    assert visitor(cast, role).get(reverse("bids:opening-key")).status_code == 403


# --- navigation -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_navigation_offers_my_bids_and_the_opening_key_to_whom_they_serve(cast, role):
    html = page(visitor(cast, role), reverse("home"))

    assert (f'href="{reverse("bids:my-bids")}"' in html) is (
        role in ("supplier_a", "supplier_b", "shady")
    )
    assert (f'href="{reverse("bids:opening-key")}"' in html) is (role in ("buyer", "commission"))


def test_a_draft_has_no_bids_section(cast):
    draft = ready_tender(cast)
    html = page(visitor(cast, "buyer"), draft.get_absolute_url())

    assert 'id="bids-heading"' not in html
