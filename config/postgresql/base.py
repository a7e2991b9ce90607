"""Django's PostgreSQL backend, plus the audit log's durability barrier with the commit and a
health check of kept connections that needs no round trip.

The audit recorder lets a transaction with an event commit without waiting for the WAL flush
(audit/durability.py explains why and what that keeps); this backend then sends, with the
COMMIT, the barrier that waits for the flush, so that nothing after the commit (the caller's
next line, `on_commit` callbacks, the HTTP answer) happens before the transaction is durable.
"""

import select

from django.db.backends.postgresql import base
from django.db.backends.utils import debug_transaction
from psycopg import pq

from audit.durability import BARRIER, queue_commit


class DatabaseWrapper(base.DatabaseWrapper):
    # Set by the audit recorder when its append relaxed this transaction's commit.
    commit_needs_barrier = False

    def _commit(self):
        if not self.commit_needs_barrier or self.connection is None:
            return super()._commit()
        self.commit_needs_barrier = False
        # One round trip: the pipeline's sync returns once the WAL is flushed past the commit.
        with (
            debug_transaction(self, f"COMMIT; {BARRIER}"),
            self.wrap_database_errors,
            self.connection.pipeline(),
        ):
            queue_commit(self.connection, wait_for_flush=True)

    def is_usable(self):
        """Whether a kept connection still reaches its server (CONN_HEALTH_CHECKS asks this at
        the start of every request that uses the database).

        Django sends `SELECT 1`: a round trip on every request. An idle connection has nothing
        to read, and a server that goes away says so first (a shutdown, a crash restart or a
        terminated backend sends its error, or at least the socket's end), so the socket being
        readable is the sign; only then is `SELECT 1` sent, to read what came. A peer that
        vanished without a word is found by neither check until TCP gives up.
        """
        raw = self.connection
        if raw is None or raw.closed or raw.pgconn.status != pq.ConnStatus.OK:
            return False
        if raw.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        try:
            readable, _, _ = select.select([raw.pgconn.socket], [], [], 0)
        except (OSError, ValueError, base.Database.Error):  # no socket left to ask
            return False
        return not readable or super().is_usable()

    def _rollback(self):
        self.commit_needs_barrier = False
        super()._rollback()

    def _close(self):
        self.commit_needs_barrier = False
        super()._close()
