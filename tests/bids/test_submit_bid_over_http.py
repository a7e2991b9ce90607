"""POST /api/v1/tenders/{number}/bids: what the HTTP path adds to submit_bid, and no more: one
token lookup, one read of the tender, and a draft hidden as before."""

import base64
import datetime as dt
import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services.tokens import create_api_token
from bids.models import Bid
from procurement.models import Tender
from tests.bids.support import make_bid

PRICES = {"1": "2750000.00"}


def post_bid(number: str, made, token: str):
    body = {
        "statement": made.statement.decode(),
        "signature": base64.b64encode(made.signature).decode(),
        "sealed": base64.b64encode(made.sealed).decode(),
    }
    return Client().post(
        f"/api/v1/tenders/{number}/bids",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_bid_over_http_reads_the_token_and_the_tender_once(cast, tendering, signer_a):
    token = create_api_token(user=cast.supplier_a, name="t", actor=cast.supplier_a)[1]
    ApiToken.objects.update(last_used_at=timezone.now())  # used a moment ago: no write due
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)

    with CaptureQueriesContext(connection) as queries:
        response = post_bid(tendering.number, made, token)

    assert response.status_code == 201, response.content
    assert response.json()["bid"] == Bid.objects.get().public_id
    # Quoted by the ORM, bare in the hot path's own statements (config/prepared.py).
    token_reads = [q["sql"] for q in queries if "accounts_apitoken" in q["sql"].replace('"', "")]
    assert len(token_reads) == 1 and token_reads[0].startswith("SELECT")
    # submit_bid locks and re-reads the row (on PostgreSQL FOR SHARE, on SQLite with its opening
    # key); the view's own read is the only other, with no join.
    tender_reads = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().startswith("SELECT")
        and "FROM procurement_tender" in q["sql"].replace('"', "")
        and "bids_openingkey" not in q["sql"]
        and "FOR SHARE" not in q["sql"]
    ]
    assert len(tender_reads) == 1
    assert "JOIN" not in tender_reads[0]


def test_a_token_used_over_a_minute_ago_notes_the_use(cast, tendering, signer_a):
    token = create_api_token(user=cast.supplier_a, name="t", actor=cast.supplier_a)[1]
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.update(last_used_at=long_ago)

    response = post_bid(
        tendering.number, make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES), token
    )

    assert response.status_code == 201, response.content
    assert ApiToken.objects.get().last_used_at > long_ago


def test_a_bid_on_a_draft_of_another_agency_is_not_found(cast, tendering, signer_a):
    token = create_api_token(user=cast.supplier_a, name="t", actor=cast.supplier_a)[1]
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)
    Tender.objects.filter(pk=tendering.pk).update(status="draft")

    response = post_bid(tendering.number, made, token)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not Bid.objects.exists()


def test_a_bid_on_an_unknown_tender_is_not_found(cast, tendering, signer_a):
    token = create_api_token(user=cast.supplier_a, name="t", actor=cast.supplier_a)[1]
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)

    response = post_bid("NO-SUCH-TENDER", made, token)

    assert response.status_code == 404
    assert not Bid.objects.exists()


def test_a_bid_with_a_revoked_token_is_refused_before_the_tender_is_read(cast, tendering, signer_a):
    token = create_api_token(user=cast.supplier_a, name="t", actor=cast.supplier_a)[1]
    ApiToken.objects.update(revoked_at=timezone.now())
    made = make_bid(tendering, signer_a, cast.supplier_org_a.bin, PRICES)

    with CaptureQueriesContext(connection) as queries:
        response = post_bid(tendering.number, made, token)

    assert response.status_code == 401
    assert not any('"procurement_tender"' in q["sql"] for q in queries)
    assert not Bid.objects.exists()
