"""verify_audit_log passes on an honest log and names the first place an attacker changed.

The attacker here has database superuser rights: they lift the triggers first."""

import hashlib
import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import connection, transaction

from audit import keys, notes
from audit.guards import set_guards
from audit.models import Checkpoint, Entry
from audit.services.checkpoints import checkpoint_file, issue_checkpoint
from audit.services.verification import run_verification, verify_and_record
from tests.audit.tampering import attack


@pytest.fixture
def log(grow_log, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        grow_log(5)
        issue_checkpoint()
        grow_log(6)
        issue_checkpoint()
        grow_log(2)  # not yet covered by a checkpoint
    return Entry.objects.order_by("seq")


def _verify_command():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, err.getvalue()
    return 0, out.getvalue()


def test_an_honest_log_verifies_with_a_one_line_summary(log):
    code, output = _verify_command()
    assert code == 0
    assert output.strip().startswith("OK: 13 entries, 2 checkpoints, latest checkpoint size 11")


def test_a_changed_payload_byte_is_named_by_seq(log):
    payload = bytearray(bytes(log.get(seq=3).payload))
    payload[payload.index(b'"i":') + 4] ^= 0x01
    attack("UPDATE audit_entry SET payload = %s WHERE seq = 3", [bytes(payload)])
    code, output = _verify_command()
    assert code == 1
    assert "entry seq=3" in output and "leaf hash does not match" in output


def test_a_deleted_entry_is_named(log):
    attack("DELETE FROM audit_entry WHERE seq = 7")
    code, output = _verify_command()
    assert code == 1
    assert "entry seq=7" in output and "missing" in output


def test_two_swapped_entries_are_caught_at_the_first(log):
    rows = {e.seq: e for e in log.filter(seq__in=[4, 5])}
    set_guards(connection, enabled=False)
    with connection.cursor() as cursor:
        for seq, other in ((4, rows[5]), (5, rows[4])):
            cursor.execute(
                "UPDATE audit_entry SET payload = %s, leaf_hash = %s, chain_hash = %s WHERE seq = %s",
                [bytes(other.payload), bytes(other.leaf_hash), bytes(other.chain_hash), seq],
            )
    set_guards(connection, enabled=True)
    result = run_verification()
    assert not result.ok and result.seq == 4


def test_a_rewritten_history_with_recomputed_hashes_is_caught_by_the_checkpoint(log):
    """The attacker fixes up every leaf and chain hash after their change; only the signed
    checkpoint, which they cannot re-sign, still catches it."""
    set_guards(connection, enabled=False)
    previous = bytes(log.get(seq=1).chain_hash)
    with connection.cursor() as cursor:
        for entry in log.filter(seq__gte=2):
            payload = bytes(entry.payload)
            if entry.seq == 2:
                payload = payload.replace(b'"i":2', b'"i":9')
            leaf = hashlib.sha256(b"\x00" + payload).digest()
            previous = hashlib.sha256(previous + leaf).digest()
            cursor.execute(
                "UPDATE audit_entry SET payload = %s, leaf_hash = %s, chain_hash = %s WHERE seq = %s",
                [payload, leaf, previous, entry.seq],
            )
        # ... and the query copy, so the columns agree with the forged payload.
        cursor.execute("UPDATE audit_entry SET data = %s WHERE seq = 2", ['{"i": 9}'])
    set_guards(connection, enabled=True)
    result = run_verification()
    assert not result.ok
    assert result.checkpoint == 5 and "does not match the entries" in result.message


def test_a_changed_data_copy_is_named(log):
    attack("UPDATE audit_entry SET data = %s WHERE seq = 8", ['{"i": 80}'])
    result = run_verification()
    assert not result.ok and result.seq == 8 and "column data" in result.message


def test_a_payload_that_is_not_json_is_named(log):
    payload = b"not json at all"
    leaf = hashlib.sha256(b"\x00" + payload).digest()
    chain = hashlib.sha256(bytes(log.get(seq=0).chain_hash) + leaf).digest()
    attack(
        "UPDATE audit_entry SET payload = %s, leaf_hash = %s, chain_hash = %s WHERE seq = 1",
        [payload, leaf, chain],
    )
    result = run_verification()
    assert not result.ok and result.seq == 1


def test_a_changed_query_column_is_named(log):
    attack("UPDATE audit_entry SET action = 'suppliers.organisation.verified' WHERE seq = 6")
    result = run_verification()
    assert not result.ok and result.seq == 6 and "column action" in result.message


def test_a_forged_checkpoint_is_named(log, settings):
    forger = Ed25519PrivateKey.generate()
    leaves = b"".join(bytes(h) for h in log.values_list("leaf_hash", flat=True))
    body = notes.checkpoint_body(settings.AUDIT_LOG_ORIGIN, 13, hashlib.sha256(leaves).digest())
    forged = notes.sign_note(body, keys.key_name(), forger)
    with transaction.atomic():
        Checkpoint.objects.create(
            tree_size=13, root_hash=b"\x01" * 32, note=forged, issued_at=log.first().recorded_at
        )
    result = run_verification()
    assert not result.ok and result.checkpoint == 13 and "signature" in result.message


def test_a_checkpoint_deleted_from_the_database_is_caught_by_its_file_copy(log):
    assert checkpoint_file(5).exists()
    attack("DELETE FROM audit_checkpoint WHERE tree_size = 5")
    result = run_verification()
    assert not result.ok and result.checkpoint == 5 and "no database row" in result.message


def test_a_checkpoint_beyond_the_log_is_named(log):
    attack("DELETE FROM audit_entry WHERE seq >= 10")
    result = run_verification()
    assert not result.ok
    assert result.checkpoint == 11 and "the log has 10" in result.message


def test_recording_a_verification_keeps_the_outcome_and_writes_one_event(log, cast):
    before = Entry.objects.count()
    result, run = verify_and_record(actor=cast.auditor)
    assert result.ok and run.ok and run.entries == before
    event = Entry.objects.get(seq=before)
    assert event.action == "audit.log.verified" and event.actor_id == cast.auditor.pk
    assert json.loads(bytes(event.payload))["data"]["ok"] is True
