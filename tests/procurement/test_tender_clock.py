"""The clock moves tenders at their instants: enquiries end, the deadline passes (and with no
bids the tender fails and its money goes back). Each instant is tried one second before,
exactly at and one second after it; a late clock catches up; nothing is applied twice."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections

from audit.models import Checkpoint, Entry
from procurement.clock import tick
from procurement.models import BudgetLine, Tender
from procurement.services.deadlines import pass_submission_deadline, start_tendering
from procurement.services.tenders import publish_tender
from tests.procurement.factories import FROZEN, events_since, ready_tender

SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def published(cast):
    with time_machine.travel(FROZEN, tick=False):
        return publish_tender(tender=ready_tender(cast, amount="3000000.00"), actor=cast.buyer)


def status(tender) -> str:
    return Tender.objects.get(pk=tender.pk).status


def reserved(tender) -> Decimal:
    return BudgetLine.objects.with_balances().get(pk=tender.lots.get().budget_line_id).reserved


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-SECOND, "enquiries"), (dt.timedelta(0), "tendering"), (SECOND, "tendering")],
)
def test_tendering_starts_at_the_end_of_enquiries(published, offset, expected):
    before = Entry.objects.count()
    with time_machine.travel(published.enquiry_end + offset, tick=False):
        tick()
    tender = Tender.objects.get(pk=published.pk)
    assert tender.status == expected
    actions = [e.action for e in events_since(before) if e.action.startswith("procurement.")]
    if expected == "tendering":
        assert actions == ["procurement.tender.tendering_started"]
        assert tender.next_check == tender.submission_deadline
        [event] = events_since(before)
        assert event.actor_id is None
    else:
        assert actions == []
        assert tender.next_check == tender.enquiry_end


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-SECOND, "tendering"), (dt.timedelta(0), "unsuccessful"), (SECOND, "unsuccessful")],
)
def test_with_no_bids_the_tender_fails_at_the_deadline_and_its_money_goes_back(
    published, offset, expected
):
    with time_machine.travel(published.enquiry_end, tick=False):
        tick()
    before = Entry.objects.count()
    with time_machine.travel(published.submission_deadline + offset, tick=False):
        tick()
    assert status(published) == expected
    if expected == "unsuccessful":
        assert reserved(published) == Decimal("0.00")
        tender = Tender.objects.get(pk=published.pk)
        assert tender.next_check is None
        assert tender.lots.get().status == "unsuccessful"
        [failed] = [e for e in events_since(before) if e.action.startswith("procurement.")]
        assert (failed.action, failed.actor_id) == ("procurement.tender.failed", None)
        assert failed.data["bids"] == 0 and failed.data["min_bids"] == 1
        # a checkpoint is signed at every deadline, covering the failure
        assert Checkpoint.objects.filter(reason="deadline", tree_size__gt=failed.seq).exists()
    else:
        assert reserved(published) == Decimal("3000000.00")


def test_with_enough_bids_the_deadline_closes_bidding(published, monkeypatch):
    monkeypatch.setattr(Tender, "bid_count", lambda self: 1)
    with time_machine.travel(published.submission_deadline, tick=False):
        tick()
    tender = Tender.objects.get(pk=published.pk)
    assert (tender.status, tender.next_check) == ("opening", None)
    assert reserved(published) == Decimal("3000000.00")
    assert Entry.objects.filter(action="procurement.tender.closed").count() == 1


def test_a_clock_down_for_an_hour_catches_up_in_one_pass_in_order(published):
    before = Entry.objects.count()
    with time_machine.travel(published.submission_deadline + dt.timedelta(hours=1), tick=False):
        done = tick()
        assert tick()["tenders"] == []  # a second pass applies nothing again
    assert done["tenders"] == [
        (published.number, "tendering"),
        (published.number, "unsuccessful"),
    ]
    actions = [e.action for e in events_since(before) if e.action.startswith("procurement.")]
    assert actions == ["procurement.tender.tendering_started", "procurement.tender.failed"]
    assert reserved(published) == Decimal("0.00")


def test_the_services_apply_nothing_when_not_due(published):
    before = Entry.objects.count()
    with time_machine.travel(published.enquiry_end - SECOND, tick=False):
        assert start_tendering(tender=published) is None
        assert pass_submission_deadline(tender=published) is None  # not tendering yet
    assert Entry.objects.count() == before


def test_the_tick_command_names_the_tenders_it_moved(published, capsys):
    with time_machine.travel(published.enquiry_end, tick=False):
        call_command("tick")
    assert f"{published.number}: tendering" in capsys.readouterr().out


def _racer(barrier, errors, results):
    try:
        barrier.wait()
        results.append(tick())
    except Exception as exc:  # reported to the test thread
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_clocks_racing_apply_each_event_once(cast):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("SQLite's in-memory test database is one connection; PostgreSQL runs this")
    tenders = []
    with time_machine.travel(FROZEN, tick=False):
        for _ in range(5):
            tenders.append(publish_tender(tender=ready_tender(cast), actor=cast.buyer))
    late = tenders[0].submission_deadline + dt.timedelta(hours=1)
    errors, results = [], []
    barrier = threading.Barrier(2)
    with time_machine.travel(late, tick=False):
        threads = [
            threading.Thread(target=_racer, args=(barrier, errors, results)) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert Entry.objects.filter(action="procurement.tender.tendering_started").count() == 5
    assert Entry.objects.filter(action="procurement.tender.failed").count() == 5
    assert sorted(n for r in results for n, s in r["tenders"] if s == "unsuccessful") == sorted(
        t.number for t in tenders
    )
    assert set(Tender.objects.values_list("status", flat=True)) == {"unsuccessful"}
