"""Early lock release: the log's head is handed on before the commit's WAL flush, and the
writer is answered only after it.

Every event takes the head row and keeps it until its transaction ends, so commits of
transactions with events are serial. Were the head kept through the commit's flush, every
event would wait for a flush of its own (about 200 us on this platform's reference machine,
milliseconds on network storage) and writers could never share one (group commit). Instead
the transaction that appends commits without waiting for the flush (`synchronous_commit` off
for that transaction only, set by the append statement itself), which releases the head as
soon as the commit is in the WAL; then, before the caller hears that it committed, a barrier
(a tiny transaction of its own that writes WAL and commits synchronously) waits until the WAL
is flushed past its own commit, so past ours. Barriers of concurrent writers share flushes.

What holds, as before: an acknowledged event is durable, and so is everything its
transaction wrote (the barrier waits for a synchronous standby too, if the server has one);
seq stays gap-free and the chain unbroken, across crashes as well: the WAL is one sequence,
so a later transaction that saw our event (the next append, a checkpoint, any write) commits
after ours in it, and cannot survive a crash that ours does not.
What changes: for the moment between the commit and the flush (a fraction of a millisecond;
at most a few WAL-writer delays if the barrier never runs) other sessions can read the
transaction's rows although a server crash would still lose them. Only a read-only reader
can act on that, never by writing to the database; the checkpoint signer commits
synchronously before it writes the checkpoint's file, so no signed tree head covers an entry
that a crash could remove. This is the classic early lock release of database logging
(DeWitt et al. 1984; Johnson et al., "Aether", 2010). Set AUDIT_EARLY_LOCK_RELEASE=0 to keep
the head through the flush instead (bench/audit_append.py measures both).
"""

from django.conf import settings

# In the append statement's first step, so the statement that takes the head also says how
# its transaction commits; SET LOCAL semantics: this transaction only, undone with a
# savepoint rolled back.
RELAX_COMMIT = "set_config('synchronous_commit', 'off', true)"
# A transactional WAL record makes this barrier's commit write and flush WAL (a transaction
# that wrote none would commit without flushing), and its commit waits for what the server's
# synchronous_commit setting demands: at least the local flush. Any role may call it.
BARRIER = "SELECT pg_logical_emit_message(true, 'audit-durable', '')"


def enabled() -> bool:
    return settings.AUDIT_EARLY_LOCK_RELEASE


def queue_commit(raw, *, wait_for_flush: bool) -> None:
    """Queue COMMIT in the connection's open pipeline and, releasing early, the barrier after
    it, so that one sync sends both and returns when the WAL is flushed past the commit.

    COMMIT is sent as a statement: psycopg's commit() inside a pipeline would wait for its own
    answer, and the pipeline's end then syncs again, a second round trip. If anything before
    it failed, the server skips the rest up to the sync, barrier included. The barrier runs
    outside the transaction, in the implicit one the sync commits.
    """
    from config import prepared

    prepared.cursor_for(raw).execute("COMMIT", prepare=False)
    if wait_for_flush:
        prepared.cursor_for(raw, "barrier").execute(BARRIER, prepare=True)
