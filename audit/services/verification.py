"""Running a full verification and keeping its outcome (shown on the auditor's page)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import keys
from audit.actions import Action
from audit.models import VerificationRun
from audit.recorder import record
from audit.verification import Result, verify_log


def run_verification() -> Result:
    return verify_log(
        origin=settings.AUDIT_LOG_ORIGIN,
        key_name=keys.key_name(),
        public_key=keys.verifying_key(),
        checkpoint_dir=settings.AUDIT_CHECKPOINT_DIR,
    )


def verify_and_record(*, actor=None) -> tuple[Result, VerificationRun]:
    """Verify the whole log, then store the outcome with its audit event (even on failure)."""
    started = timezone.now()
    result = run_verification()
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
