"""Audit appends per second on PostgreSQL, from 1 and from 8 concurrent writers.

Baseline, measured in the same run: a bare INSERT + COMMIT of the same rows (same payload
bytes) into a plain copy of the table (same columns and indexes) with no lock, no head row,
no hashing and no canonicalisation.
Each writer is its own process (its own database session), one transaction per event.

    python bench/audit_append.py [--events 2000] [--repeat 3]
Target (issue 3): ratio >= 0.5.
"""

import argparse
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


def _plain(n: int, worker: int, start, done):
    # Each run's writers take fresh keys: the copy keeps the primary key.
    import django
    from django.db import connection, transaction

    django.setup()
    from audit.canonical import canonical_bytes

    payload = canonical_bytes(
        {
            "seq": 0,
            "action": "suppliers.organisation.updated",
            "data": {"changes": {"address": {"old": "A 0", "new": "B 0"}}},
        }
    )
    start.wait()
    with connection.cursor() as cursor:
        for i in range(n):
            with transaction.atomic():
                cursor.execute(
                    "INSERT INTO bench_plain_entry (seq, recorded_at, action, subject_type, subject_id, payload, data, leaf_hash, chain_hash) "
                    "VALUES (%s, now(), 'suppliers.organisation.updated', 'suppliers.organisation', '1', %s, '{}', %s, %s)",
                    [worker * 1_000_000 + i, payload, b"\0" * 32, b"\0" * 32],
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
    args = parser.parse_args()
    fresh_database()
    from django.db import connection

    from tests.factories import SupplierFactory

    with connection.cursor() as cursor:
        cursor.execute(PLAIN_TABLE)
    subject = SupplierFactory()
    connection.close()
    print(f"audit appends on PostgreSQL, {args.events} events per run, median of {args.repeat}")
    for writers in (1, 8):
        per = args.events // writers
        audited = median(
            [_run(_audited, writers, per, lambda w: subject.pk) for _ in range(args.repeat)]
        )
        plain = median(
            [
                _run(_plain, writers, per, lambda w, r=r, n=writers: (n * 100 + r) * 10 + w)
                for r in range(args.repeat)
            ]
        )
        print(f"  {writers} writer(s): audited {audited:,.0f}/s, bare insert+commit {plain:,.0f}/s")
        result(f"audit_append_{writers}_writers", audited, "appends/s", plain)


if __name__ == "__main__":
    main()
