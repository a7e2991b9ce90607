"""Reading the audit log for verification on PostgreSQL: chunks of rows with the query
columns already checked against the payload by the database, from one session or two.

audit/verification.py hashes what this hands it; the split keeps the database's half of the
work (the SQL, the sessions, the fetching threads) apart from the checks.
"""

import contextlib
import queue
import threading

from django.db import connection

BEYOND = 2**63 - 1


# PostgreSQL compares the query columns with the payload while Python hashes. RFC 8785 sorts
# keys, so every payload is
#   {"action":A,"actor":N,"data":D,"recorded_at":"T","seq":S,"subject":{"id":I,"type":Y},"v":1}
# and the columns must rebuild its bytes around D exactly; D itself is compared as JSON with
# the data column. to_json escapes strings as RFC 8785 does (quote, backslash and control
# characters only, as lowercase \u00xx). OFFSET 0 keeps the rebuilt pieces from being
# computed once per use. A row that fails is re-checked in Python, which names the column.
# One chunk of seq values per query (%% is a literal % for format()).
PG_FAST_SQL = """
SELECT e.seq, e.payload, e.leaf_hash, e.chain_hash,
  COALESCE(
    substring(e.payload FROM 1 FOR octet_length(pre)) = pre
    AND substring(e.payload FROM octet_length(e.payload) - octet_length(suf) + 1) = suf
    AND e.data = convert_from(substring(e.payload FROM octet_length(pre) + 1
                   FOR octet_length(e.payload) - octet_length(pre) - octet_length(suf)), 'UTF8')::jsonb,
    false)
FROM audit_entry e CROSS JOIN LATERAL (
  SELECT convert_to(format('{"action":%%s,"actor":%%s,"data":',
                           to_json(e.action), COALESCE(e.actor_id::text, 'null')), 'UTF8') AS pre,
         convert_to(format(',"recorded_at":"%%s","seq":%%s,"subject":{"id":%%s,"type":%%s},"v":1}',
                           to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                           e.seq, to_json(e.subject_id), to_json(e.subject_type)), 'UTF8') AS suf
  OFFSET 0) j
WHERE e.seq >= %(low)s AND e.seq < %(high)s
ORDER BY e.seq
LIMIT %(limit)s
"""


def fetched(chunk: int, snapshot: str | None):
    """Chunks of the fast query, fetched in threads ahead of the hashing.

    The column check costs PostgreSQL twice what hashing costs Python, so one session bounds
    the run. Given this transaction's exported snapshot, a second session reads the same
    rows and the two take alternate chunks: two backends check columns while Python hashes.
    Each chunk is its own query over a range of seq (a plain query is cheaper for PostgreSQL
    than FETCH from a cursor), and each session keeps at most one chunk waiting, so memory
    stays flat.
    """
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT min(seq), max(seq) FROM audit_entry")
        first, last = cursor.fetchone()
    if first is None:
        return
    sessions = [connection.connection]
    if snapshot is not None:
        sessions.append(session_on(snapshot))
    lows = range(min(first, 0), last + 1, chunk)
    stop = threading.Event()
    fetchers = [
        _Fetcher(session, lows[i :: len(sessions)], chunk, stop)
        for i, session in enumerate(sessions)
    ]
    try:
        for index in range(len(lows)):
            yield fetchers[index % len(fetchers)].next()
    finally:
        # Whether done or stopped early, the fetchers must be gone before anyone else uses
        # these connections.
        stop.set()
        for fetcher in fetchers:
            fetcher.finish()
        if snapshot is not None:
            sessions[1].close()


def session_on(snapshot: str):
    """A new session reading exactly what this transaction reads."""
    from psycopg import IsolationLevel, sql

    session = connection.Database.connect(**connection.get_connection_params())
    session.isolation_level = IsolationLevel.REPEATABLE_READ
    session.read_only = True
    session.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
    return session


def _fetch(cursor, low: int, high: int, chunk: int) -> list:
    cursor.execute(PG_FAST_SQL, {"low": low, "high": high, "limit": chunk}, binary=True)
    return cursor.fetchall()


class _Fetcher:
    """One session's chunks, fetched in a thread into a short queue."""

    def __init__(self, session, lows, chunk: int, stop: threading.Event):
        self.batches: queue.Queue = queue.Queue(maxsize=1)
        self.thread = threading.Thread(
            target=self._fetch,
            args=(session, lows, chunk, stop),
            name="audit-verify-fetch",
            daemon=True,
        )
        self.thread.start()

    def _fetch(self, session, lows, chunk, stop):
        try:
            # psycopg's own cursor: Django's binds on the client, which cannot fetch binary.
            with connection.Database.Cursor(session) as cursor:
                for low in lows:
                    if stop.is_set():
                        return
                    rows = _fetch(cursor, low, low + chunk, chunk)
                    if not rows:
                        # A gap as wide as a chunk: hand on the rows after it, whose first
                        # seq names the gap, instead of walking empty ranges to the end.
                        rows = _fetch(cursor, low, BEYOND, chunk)
                    self.batches.put(rows)
        except Exception as exc:  # handed to the consuming thread
            self.batches.put(exc)

    def next(self) -> list:
        rows = self.batches.get()
        if isinstance(rows, Exception):
            raise rows
        return rows

    def finish(self) -> None:
        while self.thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self.batches.get(timeout=0.1)
        self.thread.join()


def export_snapshot() -> str:
    """Make this transaction one snapshot (it is the first statement) and name it."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]
