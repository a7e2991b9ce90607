"""A transaction ending with its audit event (audit/last_event.py).

On PostgreSQL the outermost block sends the append, its `then` statements and COMMIT in one
round trip; these tests hold that path to record()'s promises: the event and the caller's
writes commit together or not at all, seq stays gap-free under concurrent writers, and a
missing head row refuses rather than committing without the event. Nested blocks and SQLite
take record()'s path and must behave the same.
"""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from audit.actions import Action
from audit.durability import BARRIER
from audit.last_event import LAST_SEQ, atomic_ending_with_event
from audit.models import Entry, LogHead
from audit.recorder import AuditError
from audit.services.checkpoints import issue_checkpoint
from audit.services.verification import run_verification
from suppliers.models import Organisation
from tests.audit.test_concurrency import run_and_check_gap_free
from tests.factories import SupplierFactory

SEEN = "CREATE TEMP TABLE IF NOT EXISTS seen (seq integer NOT NULL)"
NOTE_SEQ = (f"INSERT INTO seen (seq) SELECT {LAST_SEQ}", {})
BROKEN = ("INSERT INTO seen (seq) VALUES (NULL)", {})


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("sending the commit with the event is PostgreSQL's; CI runs this there")


def _multi_session_only():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("SQLite's in-memory test database is one connection; PostgreSQL runs this")


def _seen() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(SEEN)
        cursor.execute("SELECT seq FROM seen ORDER BY seq")
        return [row[0] for row in cursor.fetchall()]


def _head_size() -> int:
    return LogHead.objects.get(pk=1).size


def _renamed(organisation, name: str) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(legal_name=name)


def _from_another_session(work):
    """What a separate database session sees: committed rows only."""
    answer = []

    def run():
        try:
            answer.append(work())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return answer[0]


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_event_its_statements_and_the_commit_go_in_one_round_trip():
    _postgresql_only()
    organisation = SupplierFactory()
    before = _head_size()
    _seen()
    with CaptureQueriesContext(connection) as queries, atomic_ending_with_event() as last:
        _renamed(organisation, "Renamed in the block")
        last.event(
            Action.ORGANISATION_UPDATED,
            subject=organisation,
            data={"name": "Renamed in the block"},
            then=[NOTE_SEQ],
        )
    assert last.sent_with_commit is True
    assert last.entry.seq == before
    assert _seen() == [before]  # LAST_SEQ read the event's own seq
    finals = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].endswith("; COMMIT") and not q["sql"].startswith(BARRIER)
    ]
    assert len(finals) == 1
    # Committed, both of them: another session sees the event and the caller's write.
    assert _from_another_session(lambda: Entry.objects.get(seq=before).action) == str(
        Action.ORGANISATION_UPDATED
    )
    assert (
        _from_another_session(lambda: Organisation.objects.get(pk=organisation.pk).legal_name)
        == "Renamed in the block"
    )
    stored = Entry.objects.get(seq=before)
    assert bytes(stored.payload) == bytes(last.entry.payload)
    assert bytes(stored.chain_hash) == bytes(last.entry.chain_hash)
    issue_checkpoint()
    result = run_verification()
    assert result.ok, result.message


@pytest.mark.django_db(transaction=True)
def test_a_failing_statement_after_the_event_commits_nothing():
    organisation = SupplierFactory()
    before, entries = _head_size(), Entry.objects.count()
    _seen()
    with pytest.raises(IntegrityError), atomic_ending_with_event() as last:
        _renamed(organisation, "Must not stay")
        last.event(Action.ORGANISATION_UPDATED, subject=organisation, then=[BROKEN])
    assert _head_size() == before
    assert Entry.objects.count() == entries
    assert Organisation.objects.get(pk=organisation.pk).legal_name != "Must not stay"
    # And the next event takes the seq the failed one did not keep.
    with atomic_ending_with_event() as last:
        last.event(Action.ORGANISATION_UPDATED, subject=organisation)
    assert last.entry.seq == before


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_missing_head_row_refuses_and_commits_nothing():
    _postgresql_only()
    organisation = SupplierFactory()
    entries = Entry.objects.count()
    LogHead.objects.all().delete()
    missing = pytest.raises(AuditError, match="head row is missing: nothing was committed")
    with missing, atomic_ending_with_event() as last:
        _renamed(organisation, "Must not stay")
        last.event(Action.ORGANISATION_UPDATED, subject=organisation)
    assert Entry.objects.count() == entries
    assert Organisation.objects.get(pk=organisation.pk).legal_name != "Must not stay"


@pytest.mark.django_db
def test_nested_in_a_transaction_it_appends_with_record_and_the_outer_block_decides():
    organisation = SupplierFactory()
    before = _head_size()
    _seen()
    with atomic_ending_with_event() as last:  # inside the test's own transaction
        last.event(Action.ORGANISATION_UPDATED, subject=organisation, then=[NOTE_SEQ])
    assert last.sent_with_commit is False
    assert last.entry.seq == before
    assert _seen() == [before]
    with pytest.raises(ValueError), transaction.atomic():
        with atomic_ending_with_event() as inner:
            inner.event(Action.ORGANISATION_UPDATED, subject=organisation)
        raise ValueError("the outer change failed after the inner block ended")
    assert _head_size() == before + 1


@pytest.mark.django_db
def test_a_block_that_stages_no_event_is_rolled_back():
    organisation = SupplierFactory()
    before = _head_size()
    refused = pytest.raises(AuditError, match="without staging its audit event")
    with refused, atomic_ending_with_event():
        _renamed(organisation, "Must not stay")
    assert Organisation.objects.get(pk=organisation.pk).legal_name != "Must not stay"
    assert _head_size() == before


@pytest.mark.django_db
def test_one_event_per_block_and_it_is_checked_when_staged():
    organisation = SupplierFactory()
    before = _head_size()
    with pytest.raises(AuditError, match="stage it once"), atomic_ending_with_event() as last:
        last.event(Action.ORGANISATION_UPDATED, subject=organisation)
        last.event(Action.ORGANISATION_UPDATED, subject=organisation)
    unknown = pytest.raises(AuditError, match="unknown audit action")
    with unknown, atomic_ending_with_event() as last:
        last.event("suppliers.organisation.vanished", subject=organisation)
    with pytest.raises(ValueError), atomic_ending_with_event() as last:
        last.event(Action.ORGANISATION_UPDATED, subject=organisation)
        raise ValueError("the change failed after staging its event")
    assert _head_size() == before


WRITERS, EACH = 8, 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_pipelined_writers_and_rollbacks_leave_no_gap():
    _multi_session_only()
    subject = SupplierFactory()
    errors: list[Exception] = []
    barrier = threading.Barrier(WRITERS + 1)

    def writer():
        try:
            barrier.wait()
            for i in range(EACH):
                with atomic_ending_with_event() as last:
                    last.event(Action.ORGANISATION_UPDATED, subject=subject, data={"i": i})
        except Exception as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    def failing():
        try:
            _seen()  # the temporary table, outside the transactions that fail
            barrier.wait()
            for _ in range(EACH):
                with pytest.raises(IntegrityError), atomic_ending_with_event() as last:
                    last.event(Action.ORGANISATION_UPDATED, subject=subject, then=[BROKEN])
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    threads.append(threading.Thread(target=failing))
    run_and_check_gap_free(threads, errors, WRITERS * EACH)
