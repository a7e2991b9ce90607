"""Many writers at once: seq stays gap-free and unique, the chain unbroken.

On PostgreSQL each thread is its own database session, so this exercises the row lock on
the log head across connections exactly as separate processes or machines would."""

import threading

import pytest
from django.db import connection, connections, transaction

from audit.actions import Action
from audit.models import Entry
from audit.recorder import record
from audit.services.checkpoints import issue_checkpoint
from audit.services.verification import run_verification
from tests.factories import SupplierFactory

WRITERS = 8
EACH = 25


def _writer(subject, errors, barrier):
    try:
        barrier.wait()
        for i in range(EACH):
            with transaction.atomic():
                record(Action.ORGANISATION_UPDATED, subject=subject, data={"i": i})
    except Exception as exc:  # reported to the test thread
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_no_gap_and_no_duplicate():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip(
            "SQLite's in-memory test database is one connection; PostgreSQL runs this in CI"
        )
    subject = SupplierFactory()
    errors: list[Exception] = []
    barrier = threading.Barrier(WRITERS)
    threads = [
        threading.Thread(target=_writer, args=(subject, errors, barrier)) for _ in range(WRITERS)
    ]
    run_and_check_gap_free(threads, errors, WRITERS * EACH)


@pytest.mark.django_db(transaction=True)
def test_a_writer_that_rolls_back_while_others_commit_leaves_no_gap():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip(
            "SQLite's in-memory test database is one connection; PostgreSQL runs this in CI"
        )
    subject = SupplierFactory()
    errors: list[Exception] = []

    def failing():
        try:
            for _ in range(10):
                try:
                    with transaction.atomic():
                        record(Action.ORGANISATION_UPDATED, subject=subject)
                        raise ValueError("the change failed after its event was written")
                except ValueError:
                    pass
        finally:
            connections.close_all()

    barrier = threading.Barrier(4)
    threads = [threading.Thread(target=_writer, args=(subject, errors, barrier)) for _ in range(3)]
    threads.append(threading.Thread(target=lambda: (barrier.wait(), failing())))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(Entry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(3 * EACH)
    )
    issue_checkpoint()
    assert run_verification().ok


def run_and_check_gap_free(threads: list[threading.Thread], errors: list, count: int) -> None:
    """Start and join the writer threads, then: no errors, seq 0..count-1 with no gap, and
    the whole log verifies against a fresh checkpoint."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(Entry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(count))
    issue_checkpoint()
    result = run_verification()
    assert result.ok, result.message
