"""Django's PostgreSQL backend, plus the audit log's durability barrier with the commit.

The audit recorder lets a transaction with an event commit without waiting for the WAL flush
(audit/durability.py explains why and what that keeps); this backend then sends, with the
COMMIT, the barrier that waits for the flush, so that nothing after the commit (the caller's
next line, `on_commit` callbacks, the HTTP answer) happens before the transaction is durable.
"""

from django.db.backends.postgresql import base
from django.db.backends.utils import debug_transaction

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

    def _rollback(self):
        self.commit_needs_barrier = False
        super()._rollback()

    def _close(self):
        self.commit_needs_barrier = False
        super()._close()
