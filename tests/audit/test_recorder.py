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
