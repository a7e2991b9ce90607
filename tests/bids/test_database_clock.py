"""On PostgreSQL the deadline is judged by the database's clock (every app server agrees);
elsewhere by Python's. Real time here: no time travel."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from audit.canonical import iso_utc
from bids.checks import db_now
from bids.crypto import verify_receipt
from bids.errors import BidRefused
from bids.receipts import receipt_key
from bids.services.submission import submit_bid
from procurement.models import Tender
from tests.bids.support import make_bid


@pytest.fixture(autouse=True)
def _database_clock(settings):
    settings.TRUST_DATABASE_CLOCK = True


def test_the_instant_comes_from_the_database_on_postgresql(db):
    before = timezone.now()
    instant = db_now()
    assert before - dt.timedelta(seconds=5) < instant < timezone.now() + dt.timedelta(seconds=5)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            assert abs(cursor.fetchone()[0] - instant) < dt.timedelta(seconds=5)


def _submit(cast, tender, signer_a):
    made = make_bid(tender, signer_a, cast.supplier_org_a.bin, {"1": "10.00"})
    return submit_bid(
        tender=tender,
        actor=cast.supplier_a,
        statement=made.statement,
        signature=made.signature,
        sealed=made.sealed,
    )


def test_a_deadline_a_second_ago_by_the_database_clock_refuses(cast, tendering, signer_a):
    Tender.objects.filter(pk=tendering.pk).update(
        submission_deadline=db_now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(BidRefused) as exc:
        _submit(cast, Tender.objects.get(pk=tendering.pk), signer_a)
    assert exc.value.code == "deadline_passed"


def test_a_deadline_a_minute_ahead_by_the_database_clock_accepts(cast, tendering, signer_a):
    Tender.objects.filter(pk=tendering.pk).update(
        submission_deadline=db_now() + dt.timedelta(minutes=1)
    )
    accepted = _submit(cast, Tender.objects.get(pk=tendering.pk), signer_a)
    assert accepted.bid.received_at < accepted.bid.tender.submission_deadline
    # the instant checked is the instant stored (on PostgreSQL the row's INSERT reads it from
    # the locking statement, in the same round trip)
    stored = type(accepted.bid).objects.get(pk=accepted.bid.pk)
    assert stored.received_at == accepted.bid.received_at
    body = verify_receipt(accepted.receipt, receipt_key().public_key())
    assert body["received_at"] == iso_utc(stored.received_at)


def test_the_clock_refreshes_revocation_lists_when_they_are_due(settings, db, tmp_path):
    from pki.demo_ca import init_ca, issue_crls
    from pki.models import CertificateRevocationList
    from procurement.clock import tick

    init_ca()
    crl, root_crl = issue_crls()
    settings.PKI_CRL_SOURCES = [crl, root_crl]
    settings.PKI_CRL_REFRESH_SECONDS = 3600
    assert tick().get("crls") == 2
    assert CertificateRevocationList.objects.count() == 2
    assert "crls" not in tick()  # fetched a moment ago: not due
