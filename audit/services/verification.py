"""Running a full verification and keeping its outcome (shown on the auditor's page).

A full verification is the log's own (audit/verification.py) and then the cross-checks of
state rows against the events that created them (audit/crosschecks.py). The log verification
stops at its first mismatch; when it fails, a sweep names every other broken entry and
checkpoint too, so that an attacker who changed several things sees each of them named.
"""

import contextlib

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit import crosschecks, keys
from audit.actions import Action
from audit.models import VerificationRun
from audit.recorder import record
from audit.verification import Result, verify_log

# Enough to act on; the count of the rest is still given.
NAMED_AT_MOST = 50


def run_verification(*, crosscheck: bool = True, batch_size: int = crosschecks.BATCH) -> Result:
    """The log's verification and, unless `crosscheck` is off, the cross-checks; the message
    has one line per mismatch."""
    result = verify_log(
        origin=settings.AUDIT_LOG_ORIGIN,
        key_name=keys.key_name(),
        public_key=keys.verifying_key(),
        checkpoint_dir=settings.AUDIT_CHECKPOINT_DIR,
    )
    if not crosscheck:
        return result
    with _one_snapshot():
        named, count = _collect(result, batch_size)
    if not count:
        return result
    lines = ([] if result.ok else [result.message]) + named
    if count > len(named):
        lines.append(f"... and {count - len(named)} more")
    return Result(
        ok=False,
        entries=result.entries,
        checkpoints=result.checkpoints,
        root=result.root,
        message="\n".join(lines),
        seq=result.seq,
        checkpoint=result.checkpoint,
    )


def _collect(result: Result, batch_size: int) -> tuple[list[str], int]:
    named: list[str] = []
    count = 0
    room = NAMED_AT_MOST - (0 if result.ok else 1)
    for line in _mismatches(result, batch_size):
        count += 1
        if len(named) < room:
            named.append(line)
    return named, count


def _mismatches(result: Result, batch_size: int):
    if not result.ok:
        already = {("seq", result.seq), ("checkpoint", result.checkpoint)}
        for key, line in crosschecks.log_sweep(batch_size):
            if key not in already:
                yield line
    yield from crosschecks.run(batch_size)


@contextlib.contextmanager
def _one_snapshot():
    """On PostgreSQL every checker reads one snapshot: a bid and its event committed between
    two of its queries would otherwise look like an event without its row."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def verify_and_record(*, actor=None, crosscheck: bool = True) -> tuple[Result, VerificationRun]:
    """Verify the whole log, then store the outcome with its audit event (even on failure)."""
    started = timezone.now()
    result = run_verification(crosscheck=crosscheck)
    with transaction.atomic():
        run = VerificationRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            ok=result.ok,
            entries=result.entries,
            checkpoints=result.checkpoints,
            message=result.message,
            requested_by=actor if actor is not None and actor.is_authenticated else None,
        )
        record(
            Action.LOG_VERIFIED,
            subject=run,
            actor=actor,
            data={
                "ok": result.ok,
                "entries": result.entries,
                "checkpoints": result.checkpoints,
                "message": result.message,
            },
        )
    return result, run
