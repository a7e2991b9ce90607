"""The evidence tables refuse UPDATE, DELETE, TRUNCATE and REPLACE at the database level."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from audit.actions import Action
from audit.models import Entry
from audit.recorder import record
from tests.factories import BlacklistEntryFactory, MembershipFactory, SupplierFactory

REFUSED = (DatabaseError, IntegrityError)


@pytest.fixture
def entry(db):
    with transaction.atomic():
        return record(Action.ORGANISATION_UPDATED, subject=SupplierFactory(), data={"n": 1})


def _sql(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_update_of_an_entry_is_refused(entry):
    with pytest.raises(REFUSED, match="append-only"):
        _sql("UPDATE audit_entry SET action = 'x' WHERE seq = %s", [entry.seq])
    assert Entry.objects.get(seq=entry.seq).action == Action.ORGANISATION_UPDATED


def test_orm_update_and_delete_are_refused(entry):
    with pytest.raises(REFUSED), transaction.atomic():
        Entry.objects.filter(seq=entry.seq).update(subject_id="999")
    with pytest.raises(REFUSED), transaction.atomic():
        Entry.objects.filter(seq=entry.seq).delete()
    assert Entry.objects.filter(seq=entry.seq, subject_id=entry.subject_id).exists()


@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL; SQLite's DELETE guard covers it")
    with transaction.atomic():
        record(Action.ORGANISATION_UPDATED, subject=SupplierFactory())
    with pytest.raises(REFUSED, match="append-only"):
        _sql("TRUNCATE audit_entry CASCADE")


def test_insert_or_replace_cannot_overwrite_on_sqlite(entry):
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite syntax; PostgreSQL has no such statement")
    with pytest.raises(REFUSED, match="append-only"):
        _sql(
            "INSERT OR REPLACE INTO audit_entry (seq, recorded_at, action, subject_type, subject_id, payload, data, "
            "leaf_hash, chain_hash) VALUES (%s, '2026-01-01 00:00:00', 'x', 'x', 'x', x'00', '{}', x'00', x'00')",
            [entry.seq],
        )


@pytest.mark.parametrize(
    "table",
    [
        "suppliers_historicalorganisation",
        "suppliers_historicalmembership",
        "suppliers_historicalblacklistentry",
    ],
)
def test_history_tables_refuse_update_and_delete(db, table):
    BlacklistEntryFactory(
        organisation=MembershipFactory().organisation
    )  # a history row in each table
    with pytest.raises(REFUSED, match="append-only"):
        _sql(f"DELETE FROM {table}")  # noqa: S608 (fixed table names)
    with pytest.raises(REFUSED, match="append-only"):
        _sql(f"UPDATE {table} SET history_id = history_id")  # noqa: S608


def test_checkpoints_refuse_update(db, entry):
    from audit.services.checkpoints import issue_checkpoint

    checkpoint = issue_checkpoint()
    with pytest.raises(REFUSED, match="append-only"):
        _sql("UPDATE audit_checkpoint SET note = 'forged' WHERE id = %s", [checkpoint.pk])
