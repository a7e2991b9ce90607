"""A transaction whose last write is its audit event, committed in the same round trip.

record() takes the log's head row, and holds it until the caller's transaction ends: that is
what keeps seq gap-free and the chain unbroken when a caller rolls back. The head is thus
the one queue every change on the platform passes through, and its cost is how long each
transaction holds it: from the append, through the client reading the answer, running the
rest of the transaction and sending COMMIT, to the commit's flush. Under load the client's
share dominates (a Python thread waiting for the GIL behind its neighbours while the head
is held).

Where the event is the transaction's last write, the caller stages it here; at the end of
the block the append, the statements that need the event's seq and the COMMIT are sent to
PostgreSQL together (psycopg's pipeline mode), so the head is held only while the server
runs them. The guarantees are record()'s: one transaction, the event in it, gap-free seq.
Anywhere else (SQLite, a block nested in another transaction, as in most tests) the same
block appends with record() and lets the transaction commit as usual.

    with atomic_ending_with_event() as last:
        ...the caller's writes...
        last.event(Action.BID_SUBMITTED, subject=bid, actor=actor, data={...},
                   then=[(f"UPDATE bids_bid SET log_index = {LAST_SEQ} WHERE id = %(id)s", {...})])
    entry = last.entry
"""

import contextlib
import time
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction

from audit.actions import Action
from audit.durability import BARRIER, queue_commit
from audit.recorder import (
    PG_APPEND,
    PG_APPEND_RELEASING_EARLY,
    AuditError,
    Subject,
    append_fields,
    append_statement,
    entry_from_row,
    event_fields,
    statement_params,
)
from config import prepared

# The seq of the event just appended, for the `then` statements: the head row is ours until
# commit, so it is the size less one, on every database and in either path.
LAST_SEQ = "(SELECT size - 1 FROM audit_loghead WHERE id = 1)"


# PG_APPEND, failing when the head row is missing (a database flushed by a test): the
# pipeline commits without looking at the answer, so "no row" must be an error, not a commit
# without the event. A missing head leaves seq NULL, which the column refuses.
def _or_fail(statement: str) -> str:
    failing = statement.replace(
        "    FROM head\n), hashed",
        "    FROM (VALUES (1)) AS one (n) LEFT JOIN head ON true\n), hashed",
    )
    assert failing != statement, "PG_APPEND changed shape: update _or_fail"
    return failing


PG_APPEND_OR_FAIL = _or_fail(PG_APPEND)
PG_APPEND_RELEASING_EARLY_OR_FAIL = _or_fail(PG_APPEND_RELEASING_EARLY)


@dataclass
class LastEvent:
    """The event a transaction ends with, staged by the caller and appended at the block's end."""

    fields: dict | None = None
    then: list[tuple[str, dict]] = field(default_factory=list)
    entry: object = None  # the Entry, once appended
    sent_with_commit: bool = False  # appended and committed in one round trip

    def event(
        self,
        action: Action,
        *,
        subject: Subject,
        actor=None,
        data: dict | None = None,
        then: list[tuple[str, dict]] = (),
    ) -> None:
        """Stage the event (checked now); `then` statements run after it, reading LAST_SEQ."""
        if self.fields is not None:
            raise AuditError("a transaction ends with one event: stage it once")
        self.fields = event_fields(action, subject=subject, actor=actor, data=data)
        self.then = list(then)


@contextlib.contextmanager
def atomic_ending_with_event():
    """transaction.atomic(), whose block must stage its event with `.event(...)`."""
    last = LastEvent()
    with transaction.atomic():
        yield last
        if last.fields is None:
            raise AuditError("the block changed state without staging its audit event")
        if prepared.can_commit_here():
            last.entry = _append_and_commit(last.fields, last.then)
            last.sent_with_commit = True
        else:
            last.entry = _append(last.fields, last.then)


def _append(fields: dict, then: list[tuple[str, dict]]):
    entry = append_fields(fields)
    for sql, params in then:
        prepared.run(sql, params)
    return entry


def _append_and_commit(fields: dict, then: list[tuple[str, dict]]):
    """Append, run `then` and COMMIT in one round trip; the Entry as committed (and durable).

    Releasing early, the COMMIT does not wait for the WAL flush, and the barrier that does
    (audit/durability.py) goes in the same round trip, in a transaction of its own.
    """
    params = statement_params(**fields)
    statement = append_statement(PG_APPEND_OR_FAIL, PG_APPEND_RELEASING_EARLY_OR_FAIL)
    early = statement is PG_APPEND_RELEASING_EARLY_OR_FAIL
    connection.ensure_connection()
    raw = connection.connection
    began = time.monotonic()
    try:
        with connection.wrap_database_errors:
            appending = prepared.cursor_for(raw, "append")
            with raw.pipeline():
                appending.execute(statement, params, prepare=True)
                for sql, values in then:
                    prepared.cursor_for(raw).execute(sql, values, prepare=True)
                queue_commit(raw, wait_for_flush=early)
            row = appending.fetchone()  # every answer arrived when the pipeline ended
    except IntegrityError as error:
        if "audit_entry" in str(error) and '"seq"' in str(error):
            raise AuditError(
                "the audit log's head row is missing: nothing was committed"
            ) from error
        raise
    if connection.queries_logged:  # DEBUG, or a test capturing queries
        spent = f"{time.monotonic() - began:.3f}"
        sent = f"{statement} -- {params!r}; {then!r}; COMMIT"
        connection.queries_log.append({"sql": sent, "time": spent})
        if early:
            connection.queries_log.append({"sql": BARRIER, "time": spent})
    return entry_from_row(row, **fields)
