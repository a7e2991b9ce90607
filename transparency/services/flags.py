"""Computing red flags into the auditors' queue, and the auditors' review of each flag.

A computation finds every flag the indicators raise on the data as it stands; a flag found
before keeps its row and its review (figures refreshed); one no longer found is kept and
marked as no longer firing. A computation that changed the queue writes one event with its
counts; each review writes its own event.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from suppliers.permissions import is_auditor
from transparency.flags.cardinal import cardinal_findings
from transparency.flags.findings import Finding
from transparency.flags.native import native_findings
from transparency.models import FlagStatus, RedFlag

DECISIONS = {
    FlagStatus.REVIEWED: "mark_reviewed",
    FlagStatus.ESCALATED: "escalate",
    FlagStatus.DISMISSED: "dismiss",
}


def all_findings() -> list[Finding]:
    return native_findings() + cardinal_findings()


def compute_flags(findings: list[Finding] | None = None) -> dict:
    """Bring the queue in line with what the indicators find now; returns the counts."""
    findings = all_findings() if findings is None else findings
    now = timezone.now()
    with transaction.atomic():
        existing = {(f.indicator, f.subject_key): f for f in RedFlag.objects.select_for_update()}
        raised, seen = [], set()
        for finding in findings:
            key = (finding.indicator, finding.subject_key)
            if key in seen:
                continue
            seen.add(key)
            flag = existing.get(key)
            if flag is None:
                raised.append(
                    RedFlag.objects.create(
                        indicator=finding.indicator,
                        subject_key=finding.subject_key,
                        tender_id=finding.tender_id,
                        organisation_id=finding.organisation_id,
                        explanation=finding.explanation,
                        figures=finding.figures,
                        first_seen_at=now,
                        last_seen_at=now,
                    )
                )
                continue
            flag.explanation, flag.figures = finding.explanation, finding.figures
            flag.last_seen_at, flag.still_fires = now, True
            flag.save(update_fields=["explanation", "figures", "last_seen_at", "still_fires"])
        gone = [f for key, f in existing.items() if key not in seen and f.still_fires]
        RedFlag.objects.filter(pk__in=[f.pk for f in gone]).update(still_fires=False)
        counts = {"raised": len(raised), "no_longer_firing": len(gone), "firing": len(seen)}
        if raised or gone:
            record(
                Action.FLAGS_COMPUTED,
                subject=("transparency.redflag", "queue"),
                actor=None,
                data={
                    **counts,
                    "new": [f"{f.indicator}:{f.subject_key}" for f in raised],
                    "gone": [f"{f.indicator}:{f.subject_key}" for f in gone],
                },
            )
    return counts


def review_flag(*, flag: RedFlag, actor: User, decision: str, note: str) -> RedFlag:
    """An auditor marks a flag reviewed, escalated or dismissed, with a note."""
    if not is_auditor(actor):
        raise PermissionDenied(_("Only auditors review red flags."))
    if decision not in DECISIONS:
        raise ValidationError({"decision": [_("Mark it reviewed, escalated or dismissed.")]})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Write what you found, for the next auditor.")]})
    with transaction.atomic():
        flag = RedFlag.objects.select_for_update().get(pk=flag.pk)
        before = flag.status
        transition = getattr(flag, DECISIONS[decision])
        from django_fsm import can_proceed

        if not can_proceed(transition):
            raise ValidationError(
                _("This flag is %(status)s; it cannot be marked that way now.")
                % {"status": flag.get_status_display().lower()},
                code="invalid_status",
            )
        transition(by=actor, note=note)
        flag.save()
        record(
            Action.FLAG_REVIEWED,
            subject=flag,
            actor=actor,
            data={
                "indicator": flag.indicator,
                "subject": flag.subject_key,
                "from": before,
                "to": flag.status,
                "note": note,
            },
        )
    return flag
