"""The steps every change to a published tender shares: a new version, time for suppliers,
notices and the bids it invalidates. The services that amend (services/amendments.py,
services/documents.py) call these inside their transaction, with the tender row locked.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from procurement.choices import TenderStatus
from procurement.models import NoticeKind, Tender, TenderVersion
from procurement.notify import notify
from procurement.periods import after_days, local_text
from procurement.versions import content_and_hash, snapshot

TEXT_MAX = 2000
AMENDABLE = (TenderStatus.ENQUIRIES, TenderStatus.TENDERING)


def checked_text(text: str, field: str, missing: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [missing]})
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {field: [_("Keep it to %(n)s characters or fewer.") % {"n": TEXT_MAX}]}
        )
    return text


def refuse_unless_amendable(tender: Tender, now: dt.datetime) -> None:
    """Amendments are for tenders still taking questions or bids, before the deadline."""
    if tender.status not in AMENDABLE:
        raise ValidationError(
            _("%(number)s is %(status)s: only a tender in enquiries or tendering is amended.")
            % {"number": tender.number, "status": tender.get_status_display().lower()},
            code="invalid_status",
        )
    if now >= tender.submission_deadline:
        raise ValidationError(
            _("The submission deadline (%(when)s, Almaty time) has passed: no more amendments.")
            % {"when": local_text(tender.submission_deadline)},
            code="deadline_passed",
        )


def new_version(
    tender: Tender,
    *,
    actor: User | None,
    reason: str,
    changes: list[str],
    now: dt.datetime,
    give_time: bool = True,
) -> TenderVersion:
    """Freeze the locked tender's current content as its next version. With `give_time` (an
    amendment proper), first move the deadline out so the procedure's amendment period
    remains, and invalidate bids made for earlier versions. The caller
    records the event (one per change) and has already saved the changed fields."""
    moved = False
    if give_time and tender.submission_deadline is not None:
        floor = after_days(tender.procedure, now, tender.procedure.amendment_days)
        if tender.submission_deadline < floor:
            tender.submission_deadline = floor
            moved = True
            changes = [*changes, "submission_deadline"]
    previous = tender.version_hash or None
    number = tender.version_number + 1
    content, sha256 = content_and_hash(snapshot(tender, number=number, previous=previous))
    version = TenderVersion.objects.create(
        tender=tender,
        number=number,
        content=content,
        sha256=sha256,
        reason=reason,
        changes=sorted(set(changes)),
        deadline_moved=moved,
        invalidates_bids=give_time,
        created_by=actor,
        created_at=now,
    )
    tender.version_number = number
    tender.version_hash = sha256
    tender.save(update_fields=["version_number", "version_hash", "submission_deadline"])
    if number > 1 and version.invalidates_bids:
        _invalidate_bids(tender, version, actor)
    return version


def _invalidate_bids(tender: Tender, version: TenderVersion, actor: User | None) -> None:
    from django.apps import apps

    if apps.is_installed("bids"):
        # bids builds on procurement; importing here keeps the dependency one-way.
        from bids.invalidation import invalidate_for_version

        invalidate_for_version(tender, version)


def _amendment_notice(tender: Tender, version: TenderVersion, reason: str) -> str:
    message = _(
        "%(number)s was amended (version %(version)s): %(reason)s. Bids made for an earlier "
        "version must be signed again. The submission deadline is %(deadline)s (Almaty time)."
    ) % {
        "number": tender.number,
        "version": version.number,
        "reason": reason,
        "deadline": local_text(tender.submission_deadline),
    }
    if version.deadline_moved:
        message += " " + _("The deadline was moved out to leave time for the change.")
    return message


def announce(tender: Tender, version: TenderVersion, reason: str) -> int:
    return notify(tender, NoticeKind.AMENDED, _amendment_notice(tender, version, reason))


def version_data(version: TenderVersion) -> dict:
    """What every amending event says about the version it made."""
    return {
        "version": version.number,
        "sha256": version.sha256,
        "changes": version.changes,
        "deadline_moved": version.deadline_moved,
    }
