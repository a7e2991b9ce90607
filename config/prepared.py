"""Statements the hot paths run for every request, prepared once per connection on PostgreSQL.

Django binds parameters on the client, so PostgreSQL parses and plans every statement anew; for
the few statements a bid runs each time, planning costs as much as running them. Bound on the
server, psycopg prepares a statement after it has run `prepare_threshold` times on the
connection (settings: DB_PREPARED_STATEMENTS); with that off, it only binds on the server.
Same connection as Django's, so the same transaction as the caller's.
"""

from django.db import connection


def fetch(sql: str, params: dict) -> list[tuple]:
    """The rows of `sql` (placeholders `%(name)s`), on the default connection."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    with connection.Database.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()
