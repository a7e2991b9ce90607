"""Audit events for the seeded rows, in the recorder's exact format, written with COPY.

`audit.recorder.record()` costs a round trip per event under the head lock (about 1 ms on
this machine): 400,000 events would take the seed's whole budget. The seed is the only
writer of a fresh database, so it takes the head lock once, builds payload, leaf and chain
hash with the recorder's own functions (build_payload, leaf_hash, chain_hash), and COPYs.
"""

import datetime as dt
import json
import time

from django.db import connection
from django.utils import timezone

from audit.actions import Action
from audit.canonical import canonical_bytes, to_canonical_value
from audit.recorder import build_payload, chain_hash, leaf_hash

COLUMNS = (
    "seq, recorded_at, actor_id, action, subject_type, subject_id, payload, data, "
    "leaf_hash, chain_hash"
)


class AuditLog:
    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT size, chain_hash FROM audit_loghead WHERE id = 1 FOR UPDATE")
            row = cursor.fetchone()
        self.size, self.chain = (row[0], bytes(row[1])) if row else (0, bytes(32))
        self.head_exists = row is not None
        self.rows: list[tuple] = []
        self.count = 0
        self.seconds = 0.0
        # Stamped as written: these events were recorded by the seed, now, in this order.
        self.clock = timezone.now()

    def record(self, action: Action, *, subject: tuple[str, int | str], actor=None, data=None):
        """Append one event; returns its seq (bids and protocols keep it as log_index)."""
        if action not in Action.values:
            raise ValueError(f"unknown audit action {action!r}")
        began = time.perf_counter()
        seq, clean = self.size, to_canonical_value(data or {})
        self.clock += dt.timedelta(microseconds=1)
        subject_type, subject_id = subject[0], str(subject[1])
        payload = canonical_bytes(
            build_payload(
                seq=seq,
                recorded_at=self.clock,
                actor_id=actor,
                action=str(action),
                subject_type=subject_type,
                subject_id=subject_id,
                data=clean,
            )
        )
        leaf = leaf_hash(payload)
        self.chain = chain_hash(self.chain, leaf)
        data_json = json.dumps(clean, ensure_ascii=False, separators=(",", ":"))
        self.rows.append(
            (seq, self.clock, actor, str(action), subject_type, subject_id, payload, data_json,
             leaf, self.chain)
        )  # fmt: skip
        self.size += 1
        self.seconds += time.perf_counter() - began
        return seq

    def flush(self) -> None:
        if not self.rows:
            return
        began = time.perf_counter()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY audit_entry ({COLUMNS}) FROM STDIN") as copy,
        ):
            for row in self.rows:
                copy.write_row(row)
        with connection.cursor() as cursor:
            if self.head_exists:
                cursor.execute(
                    "UPDATE audit_loghead SET size = %s, chain_hash = %s WHERE id = 1",
                    [self.size, self.chain],
                )
            else:
                cursor.execute(
                    "INSERT INTO audit_loghead (id, size, chain_hash) VALUES (1, %s, %s)",
                    [self.size, self.chain],
                )
                self.head_exists = True
        self.count += len(self.rows)
        self.rows = []
        self.seconds += time.perf_counter() - began
