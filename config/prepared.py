"""Statements the hot paths run for every request, prepared once per connection on PostgreSQL.

Django binds parameters on the client, so PostgreSQL parses and plans every statement anew, and
building a query with the ORM costs more CPU than running it; for the few statements a bid runs
each time, both are paid for nothing. Bound on the server, psycopg prepares a statement after
it has run `prepare_threshold` times on the connection (settings: DB_PREPARED_STATEMENTS); with
that off, it only binds on the server. Same connection as Django's, so the same transaction as
the caller's, and errors wrapped as Django's (IntegrityError and the rest).
"""

import datetime as dt
import functools
import time
import weakref

import psycopg
from django.db import DatabaseError, connection, models


def fetch(sql: str, params: dict | list) -> list[tuple]:
    """The rows of `sql` (placeholders `%(name)s` or `%s`), on the default connection."""
    return _execute(sql, params, rows=True)


def run(sql: str, params: dict | list) -> int:
    """Run a statement that returns no rows; the number of rows it touched."""
    return _execute(sql, params, rows=False)


def _execute(sql: str, params, *, rows: bool):
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if rows else cursor.rowcount
    connection.ensure_connection()
    began = time.monotonic()
    with connection.wrap_database_errors:
        cursor = cursor_for(connection.connection)
        cursor.execute(sql, params, prepare=True)
        answer = cursor.fetchall() if rows else cursor.rowcount
    if connection.queries_logged:  # DEBUG, or a test capturing queries: seen like Django's own
        connection.queries_log.append(
            {"sql": f"{sql} -- {params!r}", "time": f"{time.monotonic() - began:.3f}"}
        )
    return answer


# Server-side cursors kept per database connection and reused: making one copies the
# connection's adapters, which cost more than the statements it runs here. Connections belong
# to one thread. A pipeline needs one cursor per statement whose rows it reads: `purpose`.
_cursors: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def cursor_for(raw, purpose: str = ""):
    kept = _cursors.setdefault(raw, {})
    cursor = kept.get(purpose)
    if cursor is None or cursor.closed:
        cursor = kept[purpose] = connection.Database.Cursor(raw)
        _compiled_timestamps(cursor)
    return cursor


def _compiled_timestamps(cursor) -> None:
    """Load timestamptz with psycopg's own loader (compiled, with psycopg-binary) on `cursor`.

    Django registers a pure-Python subclass that parses each value and then pins its zone to
    the connection's, UTC: 2.9 µs a value against 0.35 here, on every bid's reads. psycopg's
    loader gives the very same value, aware in `datetime.timezone.utc`, when the session's
    zone is UTC, which Django sets on every connection with USE_TZ; otherwise Django's stays.
    """
    if connection.timezone is not dt.UTC or _session_zone(cursor.connection) != "UTC":
        return
    oid = connection.Database.adapters.types["timestamptz"].oid
    loader = connection.Database.adapters.get_loader(oid, connection.Database.pq.Format.TEXT)
    cursor.adapters.register_loader(oid, loader)


def _session_zone(raw) -> str | None:
    return raw.info.parameter_status("TimeZone")


def instance(model: type[models.Model], fields: list[str], values) -> models.Model:
    """A model instance from some of its columns, given in the model's field order (others
    load on first use). SQLite's naive datetimes are the UTC the ORM stored."""
    if connection.vendor != "postgresql":
        values = [
            v.replace(tzinfo=dt.UTC) if isinstance(v, dt.datetime) and v.tzinfo is None else v
            for v in values
        ]
    return model.from_db(connection.alias, fields, values)


def insert(obj: models.Model) -> models.Model:
    """INSERT every concrete field but the key, as Model.save() would, and set the key.

    The statement is built once per model and values are adapted by the fields themselves;
    no signals are sent, so only for models that have no receivers or history.
    """
    return inserted(obj, fetch(*insert_statement(obj)))


def insert_statement(obj: models.Model, **computed: str) -> tuple[str, list]:
    """The statement `insert` runs for `obj` (INSERT ... RETURNING the key) and its values,
    for a caller that sends it with others (`together`); then `inserted(obj, its rows)`.
    `computed`: columns whose value an SQL expression gives instead (field name: expression)."""
    sql, fields = _insert_statement(type(obj), connection.vendor, tuple(sorted(computed.items())))
    return sql, [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def inserted(obj: models.Model, rows: list[tuple]) -> models.Model:
    obj.pk = rows[0][0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def together(statements: list[tuple[str, dict | list]], *, commit: bool = False) -> list:
    """Run `statements` in order, in one round trip on PostgreSQL (psycopg's pipeline mode);
    each one's rows, or None for a statement that returns none. With `commit`, COMMIT goes in
    the same round trip (only where `can_commit_here()`); elsewhere the caller's block commits.

    A round trip costs more than the pipeline: about 45 us of Python each on the reference
    machine, against about 40 us for entering and leaving the pipeline once, so two or more
    statements sent together are cheaper. A transaction's first round trip carries its BEGIN
    too. Each statement still runs on its own snapshot, after the one before it finished (a
    lock the first takes is held when the second reads).
    """
    answers, error = attempt_together(statements, commit=commit)
    if error is not None:
        raise error
    return answers


def attempt_together(
    statements: list[tuple[str, dict | list]], *, commit: bool = False
) -> tuple[list, DatabaseError | None]:
    """`together`, keeping what ran before a statement that failed: (each one's rows, None
    where it returns none or did not run; the error, as Django's, or None). The server skips
    every statement after the failing one, and the transaction can only be rolled back."""
    if not pipelines():
        answers, error = [None] * len(statements), None
        with connection.cursor() as cursor:
            for i, (sql, params) in enumerate(statements):
                try:
                    cursor.execute(sql, params)
                except DatabaseError as failed:
                    error = failed
                    break
                answers[i] = cursor.fetchall() if cursor.description else None
        return answers, error
    connection.ensure_connection()
    raw, error = connection.connection, None
    began = time.monotonic()
    cursors = [cursor_for(raw, f"together-{i}") for i in range(len(statements))]
    try:
        with connection.wrap_database_errors, raw.pipeline():
            for cursor, (sql, params) in zip(cursors, statements, strict=True):
                cursor.execute(sql, params, prepare=True)
            if commit:
                cursor_for(raw).execute("COMMIT", prepare=False)
    except DatabaseError as failed:
        error = failed
    # A cursor is reset when its statement is queued: one that did not run has no result.
    answers = [c.fetchall() if c.description is not None else None for c in cursors]
    if connection.queries_logged:
        spent = f"{time.monotonic() - began:.3f}"
        for sql, params in statements:
            connection.queries_log.append({"sql": f"{sql} -- {params!r}", "time": spent})
        if commit:
            connection.queries_log.append({"sql": "COMMIT", "time": spent})
    return answers, error


def pipelines() -> bool:
    """Whether statements can be sent together (PostgreSQL with libpq 14 or later)."""
    return connection.vendor == "postgresql" and psycopg.Pipeline.is_supported()


def can_commit_here() -> bool:
    """Whether a statement may COMMIT the transaction Django's block opened: only the
    outermost block's, only when nothing asked for a rollback, only on PostgreSQL with
    pipelines (the one place commits are sent with other statements)."""
    return pipelines() and len(connection.atomic_blocks) == 1 and not connection.needs_rollback


@functools.cache
def _insert_statement(
    model: type[models.Model], vendor: str, computed: tuple[tuple[str, str], ...] = ()
) -> tuple[str, list]:
    """The statement and the fields whose values it takes, in order."""
    expressions = dict(computed)
    columns = [f for f in model._meta.concrete_fields if not f.primary_key]
    fields = [f for f in columns if f.name not in expressions]
    quote = connection.ops.quote_name
    marks = ", ".join(expressions.get(f.name, "%s") for f in columns)
    columns = ", ".join(quote(f.column) for f in columns)
    key = quote(model._meta.pk.column)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks}) RETURNING {key}"  # noqa: S608
    return sql, fields
