"""Early lock release (audit/durability.py): a transaction with an event commits without
waiting for the WAL flush, so the log's head is handed on sooner, and its caller goes on
only after a barrier has waited for the flush. PostgreSQL only: SQLite has no such commit.
"""

import contextlib

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.actions import Action
from audit.durability import BARRIER
from audit.last_event import atomic_ending_with_event
from audit.models import Entry
from audit.recorder import record
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("commit modes and WAL flushes are PostgreSQL's; CI runs this there")


def _one(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _lsn(sql: str) -> int:
    """An LSN as a number: `X/Y` is the high and low 32 bits."""
    high, low = _one(sql).split("/")
    return (int(high, 16) << 32) + int(low, 16)


def _barriers(queries) -> list[int]:
    return [i for i, q in enumerate(queries.captured_queries) if BARRIER in q["sql"]]


def test_record_relaxes_its_commit_and_the_commit_returns_only_once_flushed():
    organisation = SupplierFactory()
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            entry = record(Action.ORGANISATION_UPDATED, subject=organisation)
            assert _one("SHOW synchronous_commit") == "off"  # this transaction only
            written = _lsn("SELECT pg_current_wal_insert_lsn()")
        flushed = _lsn("SELECT pg_current_wal_flush_lsn()")
    # The commit record comes after everything the transaction wrote, and the barrier
    # waited for the flush past it before the block ended.
    assert flushed > written
    assert len(_barriers(queries)) == 1
    assert _one("SHOW synchronous_commit") == "on"
    assert Entry.objects.get(seq=entry.seq).action == str(Action.ORGANISATION_UPDATED)


def test_the_barrier_runs_before_on_commit_callbacks():
    organisation = SupplierFactory()
    order = []
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        # Registered before the event, still run after the barrier: nothing the
        # transaction triggers sees it before it is durable.
        transaction.on_commit(lambda: order.append(len(queries.captured_queries)))
        record(Action.ORGANISATION_UPDATED, subject=organisation)
    assert _barriers(queries) == [order[0] - 1]


def test_the_last_event_sends_its_barrier_in_the_same_round_trip():
    organisation = SupplierFactory()
    with CaptureQueriesContext(connection) as queries, atomic_ending_with_event() as last:
        last.event(Action.ORGANISATION_UPDATED, subject=organisation)
        written = _lsn("SELECT pg_current_wal_insert_lsn()")
    flushed = _lsn("SELECT pg_current_wal_flush_lsn()")
    assert last.sent_with_commit is True
    assert flushed > written
    sent = [q["sql"] for q in queries.captured_queries]
    appended = next(i for i, sql in enumerate(sent) if sql.endswith("; COMMIT"))
    assert sent[appended + 1].startswith(BARRIER)  # logged apart, sent in the same pipeline
    assert connection.connection.info.transaction_status == 0  # idle: nothing left open
    assert Entry.objects.get(seq=last.entry.seq).action == str(Action.ORGANISATION_UPDATED)


def test_with_early_release_off_the_head_is_kept_through_the_flush(settings):
    settings.AUDIT_EARLY_LOCK_RELEASE = False
    organisation = SupplierFactory()
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            record(Action.ORGANISATION_UPDATED, subject=organisation)
            assert _one("SHOW synchronous_commit") == "on"
        with atomic_ending_with_event() as last:
            last.event(Action.ORGANISATION_UPDATED, subject=organisation)
    assert last.sent_with_commit is True
    assert _barriers(queries) == []


def test_an_event_rolled_back_to_its_savepoint_leaves_the_commit_synchronous():
    organisation = SupplierFactory()
    size = Entry.objects.count()
    with transaction.atomic():
        with contextlib.suppress(RuntimeError), transaction.atomic():
            record(Action.ORGANISATION_UPDATED, subject=organisation)
            assert _one("SHOW synchronous_commit") == "off"
            raise RuntimeError("the caller changes its mind")
        # SET LOCAL is undone with the savepoint, like the append itself.
        assert _one("SHOW synchronous_commit") == "on"
    assert Entry.objects.count() == size


def test_a_rolled_back_transaction_leaves_no_barrier_for_the_next_commit():
    organisation = SupplierFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(Action.ORGANISATION_UPDATED, subject=organisation)
        raise RuntimeError("refused")
    assert connection.commit_needs_barrier is False
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        SupplierFactory()
    assert _barriers(queries) == []


def test_a_commit_refused_by_the_database_commits_nothing_and_skips_the_barrier():
    from types import SimpleNamespace

    from django.db import IntegrityError

    organisation = SupplierFactory()
    size = Entry.objects.count()
    ghost = SimpleNamespace(pk=2**40, is_authenticated=True)  # no such user
    # The actor's foreign key is checked at COMMIT (deferred), which the barrier follows in
    # the same round trip: the server must skip the barrier, and the caller hear the refusal.
    with pytest.raises(IntegrityError), transaction.atomic():
        record(Action.ORGANISATION_UPDATED, subject=organisation, actor=ghost)
    assert Entry.objects.count() == size
    assert connection.connection.info.transaction_status == 0
    with transaction.atomic():
        entry = record(Action.ORGANISATION_UPDATED, subject=organisation)
    assert entry.seq == size


def test_the_database_check_passes_where_the_barrier_runs():
    from audit.checks import barrier_available

    assert barrier_available(databases=["default"]) == []


def test_the_database_check_names_the_way_out_when_the_barrier_is_refused():
    from audit.checks import barrier_available

    # Roles belong to the whole server: one name per test database.
    probe = f"audit_check_probe_{connection.settings_dict['NAME']}"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{probe}"')
        cursor.execute(f'CREATE ROLE "{probe}"')
        cursor.execute(
            "REVOKE EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) FROM PUBLIC"
        )
        cursor.execute(f'SET ROLE "{probe}"')
    try:
        problems = barrier_available(databases=["default"])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(
                "GRANT EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) TO PUBLIC"
            )
            cursor.execute(f'DROP ROLE "{probe}"')
    assert [p.id for p in problems] == ["audit.E001"]
    assert "AUDIT_EARLY_LOCK_RELEASE=0" in problems[0].hint


def test_the_database_check_is_silent_with_early_release_off(settings):
    from audit.checks import barrier_available

    settings.AUDIT_EARLY_LOCK_RELEASE = False
    assert barrier_available(databases=["default"]) == []
