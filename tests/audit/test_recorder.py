import hashlib
import itertools
import json

import pytest
import rfc8785
from django.db import transaction

from audit.actions import Action
from audit.models import Entry, LogHead
from audit.recorder import AuditError, record
from tests.factories import SupplierFactory, UserFactory


def _record_one(subject, actor=None, data=None):
    with transaction.atomic():
        return record(Action.ORGANISATION_UPDATED, subject=subject, actor=actor, data=data)


def test_first_entry_has_seq_zero_and_chains_from_32_zero_bytes(db):
    organisation = SupplierFactory()
    entry = _record_one(organisation, data={"changes": {"legal_name": {"old": "A", "new": "B"}}})
    payload = bytes(entry.payload)
    assert entry.seq == 0
    assert bytes(entry.leaf_hash) == hashlib.sha256(b"\x00" + payload).digest()
    assert bytes(entry.chain_hash) == hashlib.sha256(bytes(32) + bytes(entry.leaf_hash)).digest()


def test_payload_is_canonical_and_covers_every_column(db):
    actor = UserFactory()
    organisation = SupplierFactory()
    entry = _record_one(
        organisation, actor=actor, data={"amount": __import__("decimal").Decimal("10.50")}
    )
    payload = bytes(entry.payload)
    decoded = json.loads(payload)
    assert rfc8785.dumps(decoded) == payload
    assert decoded["seq"] == entry.seq
    assert decoded["actor"] == actor.pk
    assert decoded["action"] == "suppliers.organisation.updated"
    assert decoded["subject"] == {"type": "suppliers.organisation", "id": str(organisation.pk)}
    assert decoded["recorded_at"].endswith("Z")
    assert decoded["data"] == {"amount": "10.50"}
    assert entry.data == decoded["data"]


def test_sequence_is_gap_free_and_each_chain_hash_follows_the_previous(db):
    organisation = SupplierFactory()
    entries = [_record_one(organisation) for _ in range(5)]
    assert [e.seq for e in entries] == [0, 1, 2, 3, 4]
    for previous, entry in itertools.pairwise(entries):
        expected = hashlib.sha256(bytes(previous.chain_hash) + bytes(entry.leaf_hash)).digest()
        assert bytes(entry.chain_hash) == expected
    head = LogHead.objects.get(pk=1)
    assert head.size == 5 and bytes(head.chain_hash) == bytes(entries[-1].chain_hash)


def test_a_rolled_back_change_leaves_no_entry_and_no_gap(db):
    organisation = SupplierFactory()
    _record_one(organisation)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(Action.ORGANISATION_UPDATED, subject=organisation)
        raise RuntimeError("the change failed")
    assert _record_one(organisation).seq == 1
    assert Entry.objects.count() == 2


def test_refuses_an_action_outside_the_vocabulary(db):
    with pytest.raises(AuditError, match="unknown audit action"), transaction.atomic():
        record("suppliers.organisation.teleported", subject=SupplierFactory())


def test_refuses_floats_in_event_data(db):
    with pytest.raises(TypeError, match="floats"), transaction.atomic():
        record(Action.ORGANISATION_UPDATED, subject=SupplierFactory(), data={"price": 1.5})


def test_refuses_an_unsaved_subject(db):
    from suppliers.models import Organisation

    with pytest.raises(AuditError, match="saved subject"), transaction.atomic():
        record(Action.ORGANISATION_UPDATED, subject=Organisation(bin="x"))


@pytest.mark.django_db(transaction=True)
def test_refuses_to_record_outside_a_transaction():
    organisation = SupplierFactory()
    with pytest.raises(AuditError, match="inside the transaction"):
        record(Action.ORGANISATION_UPDATED, subject=organisation)
    assert Entry.objects.count() == 0


TRICKY = 'quote " backslash \\ tab \t nul-free \x01 \x1f del \x7f é 中 😀 \u2028'


def test_tricky_strings_are_stored_as_rfc8785_bytes_and_verify(db):
    from audit.canonical import canonical_bytes
    from audit.recorder import build_payload
    from audit.services.verification import run_verification

    actor = UserFactory()
    data = {
        TRICKY: [TRICKY, 1, None, True],
        "recorded_at": "not the top-level one",
        "seq": -1,
        "nested": {"data": {"v": 2}, "subject": TRICKY},
    }
    with transaction.atomic():
        entry = record(
            Action.ORGANISATION_UPDATED,
            subject=("suppliers.organisation", TRICKY),
            actor=actor,
            data=data,
        )
    payload = bytes(Entry.objects.get(seq=entry.seq).payload)
    decoded = json.loads(payload)
    assert payload == bytes(entry.payload)
    assert payload == canonical_bytes(
        build_payload(
            seq=entry.seq,
            recorded_at=entry.recorded_at,
            actor_id=actor.pk,
            action="suppliers.organisation.updated",
            subject_type="suppliers.organisation",
            subject_id=TRICKY,
            data=data,
        )
    )
    assert decoded["subject"]["id"] == TRICKY and decoded["data"] == data
    assert Entry.objects.get(seq=entry.seq).data == data
    result = run_verification()
    assert result.ok, result.message


def test_an_event_is_recorded_after_the_head_row_was_flushed_away(db):
    LogHead.objects.all().delete()
    entry = _record_one(SupplierFactory())
    assert entry.seq == 0
    assert LogHead.objects.get(pk=1).size == 1


@pytest.fixture
def preparing(db):
    """The connection as configured with OPTIONS prepare_threshold (Django's default is off)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's; CI runs this there")
    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold

    def allow(threshold):
        raw.prepare_threshold = threshold

    yield allow
    raw.prepare_threshold = before


def _prepared_appends() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%INSERT INTO audit_entry%"],
        )
        return cursor.fetchone()[0]


def test_on_postgresql_the_append_is_prepared_once_where_the_connection_allows_it(preparing):
    preparing(5)
    organisation = SupplierFactory()
    first, second = _record_one(organisation), _record_one(organisation)
    assert _prepared_appends() == 1
    assert (first.seq, second.seq) == (0, 1)
    assert (
        bytes(second.chain_hash)
        == hashlib.sha256(bytes(first.chain_hash) + bytes(second.leaf_hash)).digest()
    )


def test_with_preparing_off_no_statement_is_left_on_the_connection(preparing):
    """A transaction-pooling PgBouncer hands the next transaction another server session."""
    preparing(None)
    _record_one(SupplierFactory())
    assert _prepared_appends() == 0
