"""Verification checks whole chunks at once; what it names must not depend on where the chunks
fall. With chunks of 4 rows the log of 13 entries (checkpoints at 5 and 11) is cut inside and
between checkpoints, so every check runs at a chunk's start, middle and end."""

import hashlib

import pytest
from django.conf import settings
from django.db import connection

from audit import keys, verification
from audit.guards import set_guards
from audit.models import Entry
from audit.services.checkpoints import issue_checkpoint
from tests.audit.tampering import attack


@pytest.fixture
def log(grow_log, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(verification, "CHUNK", 4)
    with django_capture_on_commit_callbacks(execute=True):
        grow_log(5)
        issue_checkpoint()
        grow_log(6)
        issue_checkpoint()
        grow_log(2)
    return Entry.objects.order_by("seq")


def _verify(fast):
    """The log's own verification; fast=None takes the vendor's default path."""
    return verification.verify_log(
        origin=settings.AUDIT_LOG_ORIGIN,
        key_name=keys.key_name(),
        public_key=keys.verifying_key(),
        checkpoint_dir=settings.AUDIT_CHECKPOINT_DIR,
        fast=fast,
    )


def _rewrite_history_from(log, first: int) -> None:
    """Change entry `first` (payload and data column) and recompute every leaf and chain hash
    from there on: only a signed checkpoint can tell."""
    set_guards(connection, enabled=False)
    previous = bytes(log.get(seq=first - 1).chain_hash)
    with connection.cursor() as cursor:
        for entry in log.filter(seq__gte=first):
            payload = bytes(entry.payload)
            if entry.seq == first:
                payload = payload.replace(b'"i":0', b'"i":9')
            leaf = hashlib.sha256(b"\x00" + payload).digest()
            previous = hashlib.sha256(previous + leaf).digest()
            cursor.execute(
                "UPDATE audit_entry SET payload = %s, leaf_hash = %s, chain_hash = %s WHERE seq = %s",
                [payload, leaf, previous, entry.seq],
            )
        cursor.execute("UPDATE audit_entry SET data = %s WHERE seq = %s", ['{"i": 9}', first])
    set_guards(connection, enabled=True)


@pytest.mark.parametrize("fast", [None, False])
def test_an_honest_log_verifies_in_small_chunks(log, fast):
    result = _verify(fast)
    assert result.ok and result.entries == 13 and result.checkpoints == 2, result.message


@pytest.mark.parametrize("seq", [4, 6, 7, 12])
def test_a_changed_payload_is_named_wherever_it_falls_in_a_chunk(log, seq):
    payload = bytearray(bytes(log.get(seq=seq).payload))
    payload[payload.index(b'"i":') + 4] ^= 0x01
    attack("UPDATE audit_entry SET payload = %s WHERE seq = %s", [bytes(payload), seq])
    result = _verify(None)
    assert not result.ok and result.seq == seq and "leaf hash does not match" in result.message
    assert result.entries == seq


def test_a_changed_chain_hash_alone_is_named_as_a_broken_chain(log):
    attack("UPDATE audit_entry SET chain_hash = %s WHERE seq = 9", [b"\x07" * 32])
    result = _verify(None)
    assert not result.ok and result.seq == 9
    assert "chain hash does not follow from the previous entry" in result.message


def test_the_entry_after_a_changed_chain_hash_is_not_blamed(log):
    """Entry i's chain is computed from entry i-1's stored chain: a forged chain hash at 2
    is named at 2, and 3 (which followed the honest one) is not what gets named."""
    attack("UPDATE audit_entry SET chain_hash = %s WHERE seq = 2", [b"\x07" * 32])
    result = _verify(None)
    assert result.seq == 2


@pytest.mark.parametrize("fast", [None, False])
def test_of_two_problems_in_one_chunk_the_first_is_named(log, fast):
    attack("UPDATE audit_entry SET action = 'suppliers.organisation.verified' WHERE seq = 9")
    attack("UPDATE audit_entry SET chain_hash = %s WHERE seq = 10", [b"\x07" * 32])
    result = _verify(fast)
    assert not result.ok and result.seq == 9 and "column action" in result.message


def test_a_column_problem_after_a_chain_problem_is_not_named_first(log):
    attack("UPDATE audit_entry SET chain_hash = %s WHERE seq = 8", [b"\x07" * 32])
    attack("UPDATE audit_entry SET subject_id = 'x' WHERE seq = 9")
    result = _verify(None)
    assert result.seq == 8 and "chain hash" in result.message


def test_a_checkpoint_is_checked_before_a_later_bad_row_in_the_same_chunk(log):
    """Entries 5 on are rewritten with fixed-up hashes, so only checkpoint 11 can see it;
    entry 11 is broken plainly, in the same chunk ([8, 12)) as size 11. The checkpoint comes
    first in the stream, so it is what gets named."""
    _rewrite_history_from(log, 5)
    attack("UPDATE audit_entry SET leaf_hash = %s WHERE seq = 11", [b"\x07" * 32])
    result = _verify(None)
    assert not result.ok and result.checkpoint == 11 and result.entries == 11
    assert "does not match the entries" in result.message


def test_a_deleted_row_inside_a_chunk_is_named(log):
    set_guards(connection, enabled=False)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_entry WHERE seq = 6")
    set_guards(connection, enabled=True)
    result = _verify(None)
    assert not result.ok and result.seq == 6 and "missing (the log jumps to 7)" in result.message
