"""Audit appends per second on PostgreSQL, from 1 and from 8 concurrent writers.

Baseline, measured in the same run: a bare INSERT + COMMIT of rows of the same size (a real
canonical payload and its data) into a plain copy of the table (same columns and indexes)
with no lock, no head row, no hashing and no canonicalisation. Each writer is its own
process (its own database session), one transaction per event. Audited and bare runs are
interleaved, so both sides of a ratio see the same load on a shared machine; the summary
prints the median time between consecutive entries (stamped when the head lock is taken).

    python bench/audit_append.py [--events 2000] [--repeat 3] [--prepare-threshold N]
Target (issue 3): ratio >= 0.5.

Where the time goes, one writer (per append, this 2-core machine, shared): bare insert
about 110-120 us client CPU and 150-165 us backend CPU; the audited append about 175-190 us
client CPU (canonical JSON, written key by key, about 15 us) and, in the backend, 340-410 us
when the append CTE is parsed and planned every time against 180-200 us when it is a
prepared statement. The commit round trip (WAL flush) is 160-200 us for both. Django keeps
prepared statements off unless DATABASES OPTIONS sets prepare_threshold (for
transaction-pooling PgBouncer before 1.21); the recorder prepares its statement exactly
when that is set, and --prepare-threshold measures that configuration. Measured over three
runs each (load average 1.4-4.6): without preparing 0.48-0.53 (1 writer) and 0.25-0.26
(8 writers); with prepare_threshold=0, 0.58-0.79 and 0.29-0.36.

Why 8 writers stay below 0.5: gap-free seq and a chain that survives rollbacks mean the next
append may only be built once the previous one has committed or rolled back, so the head
row's lock is held from inside the append statement through the caller's COMMIT. Appends
are therefore serial: each holds the lock for the rest of its statement, the trip back to
the client, the client's COMMIT and its WAL flush (the statement and commit round trips
are about 200 + 190 us from one writer), and then the lock is handed to the next waiter (a
wake-up and a re-read of the head row, slow when 16 processes share 2 cores). 450-900 us
between consecutive appends were measured with 8 writers, so 1,100-2,200 appends/s. Bare
inserts from 8 writers run in parallel and share WAL flushes (group commit): 2,500-6,500/s
here, so the ratio tops out near 0.35-0.45 on this machine. Shortening the hold further
would mean releasing the head before commit (a rollback would then leave a gap or fork the
chain), appending at commit time (record() could no longer return the entry's seq for
receipts), or not waiting for the WAL flush (synchronous_commit off: an acknowledged event
could vanish in a crash). Early lock release was tried (2026-11-28): the audited transaction
committed with synchronous_commit off and a barrier after it (a transactional logical message,
whose synchronous commit flushes the WAL past ours) made it durable before the caller went on.
It measured 0.53 (1 writer) and 0.36 (8 writers) against 0.76 and 0.37 without, appends 713
against 720 us apart: the flush is not what holds the lock on this machine, the wake-ups of 16
processes on 2 cores are, and the single writer paid the barrier's round trip. Not kept.
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
