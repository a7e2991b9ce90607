"""A supplier on the register of unreliable suppliers for a known window, for the tests that
hold the bid path's raw SQL to BlacklistEntry.objects.in_force_at at its boundaries. The
instants carry microseconds because SQLite compares stored datetimes as text."""

import datetime as dt

import pytest

from tests.factories import BlacklistEntryFactory, SupplierFactory

STARTS = dt.datetime(2026, 3, 2, 4, 0, 0, 250000, tzinfo=dt.UTC)
ENDS = dt.datetime(2026, 9, 2, 4, 0, 0, 250000, tzinfo=dt.UTC)


@pytest.fixture
def listed(db):
    """A supplier on the register from STARTS until ENDS (exclusive)."""
    supplier = SupplierFactory()
    BlacklistEntryFactory(organisation=supplier, starts_at=STARTS, ends_at=ENDS)
    return supplier


@pytest.fixture
def listed_for_good(db):
    """A supplier on the register from STARTS with no end."""
    supplier = SupplierFactory()
    BlacklistEntryFactory(organisation=supplier, starts_at=STARTS, ends_at=None)
    return supplier
