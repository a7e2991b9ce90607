"""The lock a bid takes on its tender (PostgreSQL): bids share it, anything that changes the
tender waits for them and they for it, and the instant of acceptance is read once it is held."""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from bids.services.submission import _lock
from procurement.models import Tender

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; its pass in CI runs these")


def _in_thread(work):
    """Run `work` on its own connection; its result or exception."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except Exception as exc:  # reported to the test thread
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _lock_for_update_nowait(pk):
    with transaction.atomic():
        Tender.objects.select_for_update(nowait=True).get(pk=pk)


def test_two_bids_hold_the_tender_at_once_and_an_amendment_cannot(tendering):
    with transaction.atomic():
        _lock(tendering)
        thread, outcome = _in_thread(lambda: _locked_briefly(tendering))
        thread.join(timeout=10)
        assert "error" not in outcome, outcome.get("error")
        thread, outcome = _in_thread(lambda: _lock_for_update_nowait(tendering.pk))
        thread.join(timeout=10)
        assert isinstance(outcome.get("error"), OperationalError)


def _locked_briefly(tender):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        return _lock(tender)


def test_the_instant_of_acceptance_is_read_after_the_lock_is_granted(tendering, settings):
    settings.TRUST_DATABASE_CLOCK = True
    with transaction.atomic():
        Tender.objects.select_for_update().get(pk=tendering.pk)  # an amendment, say
        thread, outcome = _in_thread(lambda: _locked_briefly(tendering))
        time.sleep(0.5)
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            released_at = cursor.fetchone()[0]
    thread.join(timeout=10)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["value"].at >= released_at
