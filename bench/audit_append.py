"""Audit appends per second on PostgreSQL, from 1 and from 8 concurrent writers.

Baseline, measured in the same run: a bare INSERT + COMMIT of rows of the same size (a real
canonical payload and its data) into a plain copy of the table (same columns and indexes)
with no lock, no head row, no hashing and no canonicalisation. Each writer is its own
process (its own database session), one transaction per event. Audited and bare runs are
interleaved, so both sides of a ratio see the same load on a shared machine; the summary
prints the median time between consecutive entries (stamped when the head lock is taken).

    python bench/audit_append.py [--events 2000] [--repeat 3] [--prepare-threshold N]
Target (issue 3): ratio >= 0.5.

Four sides, interleaved: record() then COMMIT (the services' path), the event as the
transaction's last write (audit/last_event.py: append, COMMIT and the durability barrier in one
round trip, as bids and withdrawals do), the same keeping the head through the WAL flush
(AUDIT_EARLY_LOCK_RELEASE=0), and the bare baseline.

Why the head's hold decides the 8-writer figure: gap-free seq and a chain that survives
rollbacks mean the next append may only be built once the previous transaction has ended, so
appends are serial while bare inserts run side by side and share WAL flushes (group commit).
What the hold is made of, and what was done about it:
- the client's turn between the append and COMMIT (record()): removed where the event is the
  last write by sending both in one pipeline (session 6);
- psycopg's commit() inside a pipeline waits for its own answer and the pipeline's end then
  syncs again: two round trips; COMMIT is now queued as a statement and the pipeline syncs
  once (session 7);
- the commit's WAL flush (pg_test_fsync: 196 us per fdatasync on the session-7 machine, 51 us
  on session 6's): with early lock release (audit/durability.py, the default) the append's
  transaction commits without waiting for it, releasing the head, and a barrier in the same
  round trip waits for the flush before the writer is answered, so writers share flushes.
  pgbench (C clients, no Python) on the session-7 machine, 8 clients, the same append
  pipelined: 1,100-1,750 transactions/s keeping the head through the flush against
  2,200-3,000/s releasing it early, PostgreSQL CPU 800-825 against 640-690 us per event
  (waiters woken and re-checking cost CPU too); bare inserts 4,200-4,800/s.
Session 5 tried early release with the barrier as a round trip of its own, on a machine whose
flush took 51 us, and measured no gain (the single writer paid the extra round trip); sent
in the same round trip, on this machine, it gives the figures in the README.
"""

import argparse
import json
import multiprocessing as mp
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._setup import fresh_database, median, result

# The same columns, indexes and constraints as the log, but no lock, no head row, no hashing,
# no triggers: what it costs to store these rows at all.
PLAIN_TABLE = "CREATE TABLE IF NOT EXISTS bench_plain_entry (LIKE audit_entry INCLUDING ALL)"


def _audited(n: int, subject_pk: int, start, done):
    import django
    from django.db import connection, transaction

    django.setup()
    from audit.actions import Action
    from audit.recorder import record

    start.wait()
    for i in range(n):
        with transaction.atomic():
            record(
                Action.ORGANISATION_UPDATED,
                subject=("suppliers.organisation", subject_pk),
                data={"changes": {"address": {"old": f"A {i}", "new": f"B {i}"}}},
            )
    connection.close()
    done.put(n)


def _ending(n: int, subject_pk: int, start, done, *, early: bool = True):
    """The same events, each its transaction's last write (audit/last_event.py): the append
    and the COMMIT reach PostgreSQL in one round trip, as bids send theirs. `early`: the head
    is handed on before the commit's WAL flush (audit/durability.py), or kept through it."""
    import django
    from django.conf import settings
    from django.db import connection

    django.setup()
    settings.AUDIT_EARLY_LOCK_RELEASE = early
    from audit.actions import Action
    from audit.last_event import atomic_ending_with_event

    start.wait()
    for i in range(n):
        with atomic_ending_with_event() as last:
            last.event(
                Action.ORGANISATION_UPDATED,
                subject=("suppliers.organisation", subject_pk),
                data={"changes": {"address": {"old": f"A {i}", "new": f"B {i}"}}},
            )
    connection.close()
    done.put(n)


def _ending_strict(n: int, subject_pk: int, start, done):
    _ending(n, subject_pk, start, done, early=False)


def _plain(n: int, worker: int, start, done):
    # Each run's writers take fresh keys: the copy keeps the primary key.
    import django
    from django.db import connection, transaction

    django.setup()
    from django.utils import timezone

    from audit.canonical import canonical_bytes
    from audit.recorder import build_payload

    # A payload and data of the audited events' size, so both sides store the same bytes.
    data = {"changes": {"address": {"old": "A 0", "new": "B 0"}}}
    payload = canonical_bytes(
        build_payload(
            seq=0,
            recorded_at=timezone.now(),
            actor_id=None,
            action="suppliers.organisation.updated",
            subject_type="suppliers.organisation",
            subject_id="1",
            data=data,
        )
    )
    data_json = json.dumps(data)
    start.wait()
    with connection.cursor() as cursor:
        for i in range(n):
            with transaction.atomic():
                cursor.execute(
                    "INSERT INTO bench_plain_entry (seq, recorded_at, action, subject_type, subject_id, payload, data, leaf_hash, chain_hash) "
                    "VALUES (%s, now(), 'suppliers.organisation.updated', 'suppliers.organisation', '1', %s, %s, %s, %s)",
                    [worker * 1_000_000 + i, payload, data_json, b"\0" * 32, b"\0" * 32],
                )
    connection.close()
    done.put(n)


def _run(target, writers: int, per_writer: int, extra) -> float:
    ctx = mp.get_context("fork")
    start, done = ctx.Barrier(writers + 1), ctx.Queue()
    procs = [
        ctx.Process(target=target, args=(per_writer, extra(w), start, done)) for w in range(writers)
    ]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    total = sum(done.get() for _ in procs)
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join()
    return total / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000, help="events per configuration")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--prepare-threshold",
        type=int,
        default=None,
        help="DATABASES OPTIONS prepare_threshold for every writer (default: as configured; "
        "Django's default keeps prepared statements off)",
    )
    args = parser.parse_args()
    fresh_database()
    from django.db import connection

    if args.prepare_threshold is not None:
        # Set before the writers fork, so each one's connection is opened with it.
        connection.settings_dict.setdefault("OPTIONS", {})["prepare_threshold"] = (
            args.prepare_threshold
        )

    from tests.factories import SupplierFactory

    with connection.cursor() as cursor:
        cursor.execute(PLAIN_TABLE)
    subject = SupplierFactory()
    connection.close()
    threshold = connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold")
    print(
        f"audit appends on PostgreSQL, {args.events} events per run, median of {args.repeat}, "
        f"prepare_threshold={threshold}, load average {os.getloadavg()[0]:.1f}"
    )
    sides = {"record": _audited, "last": _ending, "strict": _ending_strict, "plain": _plain}
    for writers in (1, 8):
        per = args.events // writers
        rates = {side: [] for side in sides}
        gaps = {side: [] for side in sides if side != "plain"}
        for r in range(args.repeat):
            # Interleaved, rotating which goes first: on a shared machine the load moves
            # between runs, and every side of a ratio should see the same.
            order = list(sides)[r % len(sides) :] + list(sides)[: r % len(sides)]
            for side in order:
                if side == "plain":
                    keys = lambda w, r=r, n=writers: (n * 100 + r) * 10 + w  # noqa: E731
                    rates[side].append(_run(_plain, writers, per, keys))
                else:
                    first = _log_size()
                    rates[side].append(_run(sides[side], writers, per, lambda w: subject.pk))
                    gaps[side].append(_median_gap(first))
        bare = median(rates["plain"])
        print(
            f"  {writers} writer(s): bare insert+commit {bare:,.0f}/s; record() then COMMIT "
            f"{median(rates['record']):,.0f}/s, appends {median(gaps['record']):.0f} us apart; "
            f"event last, committed with it {median(rates['last']):,.0f}/s, "
            f"{median(gaps['last']):.0f} us apart; the same keeping the head through the WAL "
            f"flush {median(rates['strict']):,.0f}/s, {median(gaps['strict']):.0f} us apart "
            f"(medians); load average {os.getloadavg()[0]:.1f}"
        )
        result(f"audit_append_{writers}_writers", median(rates["record"]), "appends/s", bare)
        result(f"audit_append_last_{writers}_writers", median(rates["last"]), "appends/s", bare)
        result(
            f"audit_append_last_strict_{writers}_writers",
            median(rates["strict"]),
            "appends/s",
            bare,
        )


def _log_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT size FROM audit_loghead WHERE id = 1")
        size = cursor.fetchone()[0]
    connection.close()  # the writers fork from this process: no shared connection
    return size


def _median_gap(first: int) -> float:
    """Median microseconds between the times of consecutive entries since `first`: each is
    stamped once the head lock is taken, so with many writers this is how long one append
    keeps the lock (to its commit) plus the hand-over to the next writer."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) FROM ("
            " SELECT extract(epoch FROM recorded_at - lag(recorded_at) OVER (ORDER BY seq))"
            " * 1e6 AS gap FROM audit_entry WHERE seq >= %s) g WHERE gap IS NOT NULL",
            [first],
        )
        gap = cursor.fetchone()[0]
    connection.close()
    return gap


if __name__ == "__main__":
    main()
