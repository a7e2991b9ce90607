"""Full verification speed of the audit log on PostgreSQL.

Seeds N entries (default 1,000,000) with real canonical payloads and hashes, checkpoints
every N/10 entries (building the Merkle node table incrementally), then times
`verify_audit_log`'s verification. Baseline, measured in the same run: hashing the same
payload bytes (leaf and chain hashes) with hashlib, in memory.

    python bench/audit_verify.py [--entries 1000000] [--repeat 3]
Targets (issue 3): >= 100,000 entries/s and ratio >= 0.3.
"""

import argparse
import datetime as dt
import hashlib
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._setup import fresh_database, median, result

ACTIONS = [
    "suppliers.organisation.updated",
    "suppliers.membership.added",
    "accounts.apitoken.created",
]


def _payloads(start: int, count: int, t0: dt.datetime):
    from audit.canonical import canonical_bytes
    from audit.recorder import build_payload

    for seq in range(start, start + count):
        at = t0 + dt.timedelta(microseconds=seq * 1000)
        action = ACTIONS[seq % 3]
        data = {"changes": {"address": {"old": f"Street {seq}", "new": f"Avenue {seq}"}}, "n": seq}
        payload = canonical_bytes(
            build_payload(
                seq=seq,
                recorded_at=at,
                actor_id=None,
                action=action,
                subject_type="suppliers.organisation",
                subject_id=str(seq % 5000),
                data=data,
            )
        )
        yield seq, at, action, str(seq % 5000), payload, data


def seed(total: int, batches: int) -> list[bytes]:
    """COPY entries in, checkpoint after each batch; returns the payloads for the baseline."""
    import json

    from django.db import connection

    from audit.services.checkpoints import issue_checkpoint

    chain, payloads = bytes(32), []
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    per = total // batches
    raw = connection.cursor().connection  # psycopg connection for COPY
    for b in range(batches):
        began = time.perf_counter()
        with (
            raw.cursor() as cur,
            cur.copy(
                "COPY audit_entry (seq, recorded_at, actor_id, action, subject_type, subject_id, payload, data, leaf_hash, chain_hash) FROM STDIN"
            ) as copy,
        ):
            for seq, at, action, subject_id, payload, data in _payloads(b * per, per, t0):
                leaf = hashlib.sha256(b"\x00" + payload).digest()
                chain = hashlib.sha256(chain + leaf).digest()
                copy.write_row(
                    (
                        seq,
                        at,
                        None,
                        action,
                        "suppliers.organisation",
                        subject_id,
                        payload,
                        json.dumps(data),
                        leaf,
                        chain,
                    )
                )
                payloads.append(payload)
        with raw.cursor() as cur:
            cur.execute(
                "UPDATE audit_loghead SET size = %s, chain_hash = %s WHERE id = 1",
                [(b + 1) * per, chain],
            )
        raw.commit()
        seeded = time.perf_counter() - began
        began = time.perf_counter()
        issue_checkpoint(reason="bench")
        print(
            f"  seeded {(b + 1) * per:,} entries ({seeded:.1f} s), checkpoint {time.perf_counter() - began:.2f} s"
        )
    return payloads


def baseline(payloads: list[bytes]) -> float:
    sha256 = hashlib.sha256
    began = time.perf_counter()
    chain = bytes(32)
    for payload in payloads:
        leaf = sha256(b"\x00" + payload).digest()
        chain = sha256(chain + leaf).digest()
    return len(payloads) / (time.perf_counter() - began)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    fresh_database()
    from audit.services.verification import run_verification

    print(f"verification of {args.entries:,} audit entries on PostgreSQL")
    payloads = seed(args.entries, 10)
    base = median([baseline(payloads) for _ in range(args.repeat)])
    del payloads
    rates = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        outcome = run_verification()
        elapsed = time.perf_counter() - began
        assert outcome.ok, outcome.message
        rates.append(outcome.entries / elapsed)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  verified in {elapsed:.1f} s, process peak RSS {peak:.0f} MiB: {outcome.message[:60]}"
        )
    rate = median(rates)
    print(f"  verify {rate:,.0f} entries/s, hashlib alone {base:,.0f} entries/s")
    result("audit_verify", rate, "entries/s", base)


if __name__ == "__main__":
    main()
