"""Timestamps read by the prepared hot-path statements (config/prepared.py) come back exactly as
Django's own cursors give them: aware, in datetime.timezone.utc, to the microsecond; psycopg's
loader does the parsing there instead of Django's pure-Python subclass. PostgreSQL only.
"""

import datetime as dt

import psycopg
import pytest
from django.db import connection, connections
from django.db.utils import ConnectionHandler
from psycopg import pq

from config import prepared

MOMENT = dt.datetime(2026, 2, 9, 17, 59, 59, 999_999, tzinfo=dt.UTC)
TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("psycopg's loaders are PostgreSQL's; CI runs this there")


def _loader(cursor):
    return cursor.adapters.get_loader(TIMESTAMPTZ, pq.Format.TEXT)


@pytest.mark.django_db
def test_prepared_statements_read_timestamps_as_django_does():
    (prepared_row,) = prepared.fetch(
        "SELECT %(at)s::timestamptz, %(at)s::timestamptz - interval '1 microsecond'",
        {"at": MOMENT},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::timestamptz, %s::timestamptz - interval '1 microsecond'",
            [
                MOMENT,
                MOMENT,
            ],
        )
        django_row = cursor.fetchone()
    assert prepared_row == django_row == (MOMENT, MOMENT - dt.timedelta(microseconds=1))
    assert all(value.tzinfo is dt.UTC for value in (*prepared_row, *django_row))


@pytest.mark.django_db
def test_the_prepared_cursor_uses_psycopgs_loader():
    cursor = prepared.cursor_for(connection.connection)
    assert _loader(cursor) is psycopg.adapters.get_loader(TIMESTAMPTZ, pq.Format.TEXT)
    with connection.cursor() as django_cursor:
        assert _loader(django_cursor.cursor) is not _loader(cursor)  # Django's subclass there


@pytest.mark.django_db(transaction=True)
def test_a_session_in_another_zone_keeps_djangos_loader():
    handler = ConnectionHandler({"default": {**connections["default"].settings_dict}})
    other = handler["default"]
    other.ensure_connection()
    try:
        other.connection.execute("SET TIME ZONE 'Asia/Almaty'")
        cursor = prepared.cursor_for(other.connection)
        assert _loader(cursor) is not psycopg.adapters.get_loader(TIMESTAMPTZ, pq.Format.TEXT)
    finally:
        other.close()
