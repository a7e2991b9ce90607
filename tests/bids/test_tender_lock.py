"""The lock a bid takes on its tender (PostgreSQL): bids share it, anything that changes the
tender waits for them and they for it, and the instant of acceptance is read once it is held.

What the lock reads in the same round trip (the tender's fields, the opening key's id, the
active lots, the register at the instant) answers on both databases what the ORM answers."""

import datetime as dt
import threading
import time

import pytest
import time_machine
from django.db import OperationalError, connection, connections, transaction

from bids.services import submission
from bids.services.submission import _lock
from procurement.choices import LotStatus
from procurement.models import Lot, Tender
from suppliers.models import BlacklistEntry
from tests.bids.blacklist_window import ENDS, STARTS
from tests.procurement.factories import draft_tender


@pytest.fixture
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and SHARE_LOCK are PostgreSQL's; its pass in CI runs these")


postgresql_only = pytest.mark.usefixtures("_postgresql_only")


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


@postgresql_only
@pytest.mark.django_db(transaction=True)  # row locks need transactions of their own
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


@postgresql_only
@pytest.mark.django_db(transaction=True)  # row locks need transactions of their own
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


# --- what the lock reads, on both databases ---------------------------------------------------

SECOND = dt.timedelta(seconds=1)
TICK = dt.timedelta(microseconds=1)


def _locked(tender, supplier=None, *, at=None):
    with transaction.atomic():
        if at is None:
            return _lock(tender, supplier)
        with time_machine.travel(at, tick=False):
            return _lock(tender, supplier)


def _more_lots(tender, *numbers) -> None:
    first = tender.lots.get(number=1)
    for number in numbers:
        Lot.objects.create(
            tender=tender,
            number=number,
            title=f"Lot {number}",
            amount=first.amount,
            budget_line=first.budget_line,
        )


@pytest.mark.django_db
def test_the_lock_reads_the_tender_as_it_stands(tendering):
    locked = _locked(tendering)
    tender = Tender.objects.get(pk=tendering.pk)
    assert locked.tender.pk == tender.pk
    assert locked.tender.status == tender.status == "tendering"
    assert locked.tender.number == tender.number
    assert locked.tender.submission_deadline == tender.submission_deadline
    assert locked.tender.submission_deadline.utcoffset() == dt.timedelta(0)
    assert locked.tender.version_hash == tender.version_hash
    assert locked.tender.version_number == tender.version_number
    assert locked.key_id == tender.opening_key.key_id
    assert locked.key_id
    assert locked.active_lots == frozenset({"1"})
    assert locked.tender.title == tender.title  # any other field loads on first use


@pytest.mark.django_db
def test_the_instant_is_the_clock_the_tests_control(tendering, settings):
    settings.TRUST_DATABASE_CLOCK = False
    assert _locked(tendering, at=STARTS).at == STARTS


@pytest.mark.django_db
def test_only_active_lots_are_open_for_bids(tendering):
    _more_lots(tendering, 2, 10)
    assert _locked(tendering).active_lots == frozenset({"1", "2", "10"})
    Lot.objects.filter(tender=tendering, number=2).update(status=LotStatus.CANCELLED)
    Lot.objects.filter(tender=tendering, number=10).update(status=LotStatus.UNSUCCESSFUL)
    expected = {
        str(lot.number) for lot in Lot.objects.filter(tender=tendering, status=LotStatus.ACTIVE)
    }
    assert expected == {"1"}
    assert _locked(tendering).active_lots == frozenset(expected)


@pytest.mark.django_db
def test_a_tender_with_no_active_lots_and_no_opening_key(cast):
    tender = draft_tender(cast.agency)
    locked = _locked(tender)
    assert locked.tender.status == "draft"
    assert locked.key_id is None
    assert locked.active_lots == frozenset()


@pytest.mark.django_db
def test_the_lots_of_another_tender_are_not_this_ones(cast, tendering):
    other = draft_tender(cast.agency)
    first = tendering.lots.get(number=1)
    Lot.objects.create(
        tender=other, number=7, title="Other", amount=first.amount, budget_line=first.budget_line
    )
    assert _locked(tendering).active_lots == frozenset({"1"})
    assert _locked(other).active_lots == frozenset({"7"})


@pytest.mark.django_db
def test_an_unknown_tender_is_not_locked(tendering):
    with pytest.raises(Tender.DoesNotExist):
        _locked(Tender(pk=tendering.pk + 1000))


def _orm_barred(supplier, at) -> bool:
    return BlacklistEntry.objects.in_force_at(at).filter(organisation=supplier).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("at", "barred"),
    [
        (STARTS - SECOND, False),  # not yet started
        (STARTS - TICK, False),
        (STARTS, True),  # starts at the instant
        (ENDS - TICK, True),
        (ENDS, False),  # ended exactly at the instant: the end is exclusive
        (ENDS + SECOND, False),
    ],
)
def test_barred_at_the_boundaries_of_an_entry(tendering, listed, settings, at, barred):
    settings.TRUST_DATABASE_CLOCK = False
    locked = _locked(tendering, listed, at=at)
    assert locked.at == at
    assert locked.barred is barred
    assert _orm_barred(listed, at) is barred


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("at", "barred"),
    [(STARTS - TICK, False), (STARTS, True), (dt.datetime(2099, 1, 1, tzinfo=dt.UTC), True)],
)
def test_barred_for_good_from_the_start(tendering, listed_for_good, settings, at, barred):
    settings.TRUST_DATABASE_CLOCK = False
    assert _locked(tendering, listed_for_good, at=at).barred is barred
    assert _orm_barred(listed_for_good, at) is barred


@pytest.mark.django_db
def test_another_suppliers_entry_does_not_bar(cast, tendering, listed, settings):
    settings.TRUST_DATABASE_CLOCK = False
    assert _locked(tendering, cast.supplier_org_a, at=STARTS).barred is False


@pytest.mark.django_db
def test_no_supplier_is_never_barred(tendering, listed, settings):
    settings.TRUST_DATABASE_CLOCK = False
    assert _orm_barred(listed, STARTS)
    assert _locked(tendering, None, at=STARTS).barred is False


@postgresql_only
@pytest.mark.django_db
def test_an_end_made_inclusive_would_be_caught(tendering, listed, settings, monkeypatch):
    """The boundary cases above fail when the statement's end is made inclusive."""
    settings.TRUST_DATABASE_CLOCK = False
    right = "entry.ends_at > %(at)s"
    assert right in submission.AGAINST
    wrong = submission.AGAINST.replace(right, "entry.ends_at >= %(at)s")
    monkeypatch.setattr(submission, "AGAINST", wrong)
    assert _locked(tendering, listed, at=ENDS).barred is True
    assert _orm_barred(listed, ENDS) is False
