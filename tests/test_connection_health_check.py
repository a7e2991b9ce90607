"""Kept database connections are checked before each request reuses them (CONN_HEALTH_CHECKS),
by config.postgresql without a round trip: the socket of an idle connection has nothing to
read unless the server spoke (a terminated backend, a shutdown) or went away.
PostgreSQL only: SQLite has no server to lose.
"""

import time

import pytest
from django.db import close_old_connections, connection, connections
from django.db.utils import ConnectionHandler

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("a server connection's health is PostgreSQL's; CI runs this there")


@pytest.fixture
def kept():
    """A second connection to the test database, kept between 'requests' like a worker's."""
    handler = ConnectionHandler({"default": {**connections["default"].settings_dict}})
    wrapper = handler["default"]
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _statements_sent(wrapper, monkeypatch) -> list[str]:
    """Every statement sent on `wrapper`'s psycopg connection from now on."""
    sent = []
    raw = wrapper.connection
    real = raw.cursor

    def cursor(*args, **kwargs):
        made = real(*args, **kwargs)
        execute = made.execute

        def spy(query, *a, **k):
            sent.append(str(query))
            return execute(query, *a, **k)

        made.execute = spy
        return made

    monkeypatch.setattr(raw, "cursor", cursor)
    return sent


def _terminate(pid: int) -> None:
    """End backend `pid` from another session and wait until it is gone (its last words and the
    socket's end are sent by then); a loaded machine may take a while."""
    with connections["default"]._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    pytest.fail(f"backend {pid} still there 10 s after pg_terminate_backend")


def test_a_healthy_idle_connection_is_usable_without_a_statement(kept, monkeypatch):
    sent = _statements_sent(kept, monkeypatch)
    assert kept.is_usable() is True
    assert sent == []


def test_a_terminated_backend_makes_the_connection_unusable(kept):
    _terminate(kept.connection.info.backend_pid)
    assert kept.is_usable() is False


def test_a_closed_connection_is_unusable(kept):
    kept.connection.close()
    assert kept.is_usable() is False


def test_inside_a_transaction_it_asks_the_server(kept, monkeypatch):
    kept.set_autocommit(False)
    with kept.cursor() as cursor:
        cursor.execute("SELECT 1")
    sent = _statements_sent(kept, monkeypatch)
    assert kept.is_usable() is True
    assert sent == ["SELECT 1"]
    kept.rollback()
    kept.set_autocommit(True)


def test_the_next_request_after_a_terminated_backend_gets_a_new_connection(monkeypatch):
    connection.ensure_connection()
    old_pid = connection.connection.info.backend_pid
    # A worker's connection between requests: kept, and checked when the next one uses it.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setattr(connection, "close_at", time.monotonic() + 60)
    _terminate(old_pid)
    close_old_connections()  # what request_started does
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != old_pid
