"""On PostgreSQL a verification that starts its own transaction reads alternate chunks from a
second session on the same exported snapshot. What it names must not depend on which session
read the row: with chunks of 4 rows, seq 4-7 and 12 come from the second session."""

import pytest
from django.conf import settings
from django.db import connection, transaction

from audit import keys, log_chunks, verification
from audit.actions import Action
from audit.models import Entry
from audit.recorder import record
from audit.services.checkpoints import issue_checkpoint
from tests.audit.tampering import attack
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sessions(monkeypatch):
    """Counts the second sessions opened."""
    if connection.vendor != "postgresql":
        pytest.skip("exported snapshots are PostgreSQL's; CI runs this there")
    opened = []
    session_on = log_chunks.session_on

    def counted(snapshot):
        opened.append(snapshot)
        return session_on(snapshot)

    monkeypatch.setattr(log_chunks, "session_on", counted)
    monkeypatch.setattr(verification, "CHUNK", 4)
    return opened


@pytest.fixture
def log(sessions):
    subject = SupplierFactory()
    for size in (5, 11, 13):
        while Entry.objects.count() < size:
            with transaction.atomic():
                record(Action.ORGANISATION_UPDATED, subject=subject, data={"i": size})
        if size < 13:
            issue_checkpoint()
    return Entry.objects.order_by("seq")


def _verify():
    return verification.verify_log(
        origin=settings.AUDIT_LOG_ORIGIN,
        key_name=keys.key_name(),
        public_key=keys.verifying_key(),
        checkpoint_dir=settings.AUDIT_CHECKPOINT_DIR,
    )


def test_an_honest_log_verifies_with_two_sessions(log, sessions, monkeypatch):
    def slow_path(*args):
        raise AssertionError("the fast query failed and verification fell back to Python")

    monkeypatch.setattr(verification, "_columns_agree", slow_path)
    result = _verify()
    assert result.ok, result.message
    assert result.entries == 13 and result.checkpoints == 2
    assert len(sessions) == 1


@pytest.mark.parametrize("seq", [3, 5, 12])
def test_a_changed_payload_is_named_whichever_session_read_it(log, seq):
    payload = bytearray(bytes(log.get(seq=seq).payload))
    payload[payload.index(b'"i":') + 4] ^= 0x01
    attack("UPDATE audit_entry SET payload = %s WHERE seq = %s", [bytes(payload), seq])
    result = _verify()
    assert not result.ok and result.seq == seq
    assert "leaf hash does not match" in result.message


def test_a_changed_query_column_read_by_the_second_session_is_named(log):
    attack("UPDATE audit_entry SET action = 'suppliers.organisation.verified' WHERE seq = 6")
    result = _verify()
    assert not result.ok and result.seq == 6
    assert "column action" in result.message


def test_a_deleted_row_read_by_the_second_session_is_named(log):
    attack("DELETE FROM audit_entry WHERE seq = 6")
    result = _verify()
    assert not result.ok and result.seq == 6 and "missing (the log jumps to 7)" in result.message


def test_a_gap_as_wide_as_a_chunk_is_named_at_its_start(log):
    attack("DELETE FROM audit_entry WHERE seq BETWEEN 4 AND 7")
    result = _verify()
    assert not result.ok and result.seq == 4 and "missing (the log jumps to 8)" in result.message


def test_an_entry_far_beyond_the_end_is_named_without_walking_to_it(log):
    attack(
        "INSERT INTO audit_entry (seq, recorded_at, actor_id, action, subject_type, subject_id,"
        " payload, data, leaf_hash, chain_hash) SELECT 1000000000000, recorded_at, actor_id,"
        " action, subject_type, subject_id, payload, data, leaf_hash, chain_hash"
        " FROM audit_entry WHERE seq = 12"
    )
    result = _verify()
    assert not result.ok and result.seq == 13
    assert "missing (the log jumps to 1000000000000)" in result.message


def test_a_transaction_that_began_earlier_reads_alone(log, sessions, monkeypatch):
    monkeypatch.setattr(verification, "_columns_agree", None)  # the fast path only
    with transaction.atomic():
        result = _verify()
    assert result.ok, result.message
    assert sessions == []
