"""Changing a published tender: amendments (a new version), and cancelling one lot.

A published tender is what suppliers bid against, so every change makes a new version with
its own hash (procurement/versions.py), gives suppliers the time the procedure demands to
react (the deadline moves out when too little would remain), tells the interested suppliers,
and leaves bids made for the older version invalid until they are signed again.

Lock order as in services/tenders.py: the tender's row, then budget lines.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from procurement.amending import (
    announce,
    checked_text,
    new_version,
    refuse_unless_amendable,
    version_data,
)
from procurement.choices import CancelReason, LotStatus, TenderStatus
from procurement.models import Lot, NoticeKind, Tender, TenderVersion
from procurement.notify import notify
from procurement.periods import local_text
from procurement.permissions import can_manage_tender
from procurement.services.ledger import release, release_held
from procurement.versions import lot_id

TENDER_SUBJECT = "procurement.tender"


def _refuse_unless_manager(tender: Tender, actor: User) -> None:
    if not can_manage_tender(tender, actor):
        raise PermissionDenied(_("Only the agency's buyers and administrators run its tenders."))


def _locked(tender: Tender) -> Tender:
    return (
        Tender.objects.select_for_update().select_related("procedure", "agency").get(pk=tender.pk)
    )


def _checked_enquiry_end(tender: Tender, value: dt.datetime, now: dt.datetime) -> dt.datetime:
    if tender.status != TenderStatus.ENQUIRIES:
        raise ValidationError(
            {"enquiry_end": [_("Enquiries have ended; their end can no longer change.")]}
        )
    if value <= now:
        raise ValidationError({"enquiry_end": [_("The end of enquiries must be in the future.")]})
    if value < tender.enquiry_end:
        raise ValidationError(
            {"enquiry_end": [_("An amendment can extend enquiries, not shorten them.")]}
        )
    return value


def _checked_deadline(tender: Tender, value: dt.datetime) -> dt.datetime:
    if value < tender.submission_deadline:
        raise ValidationError(
            {
                "submission_deadline": [
                    _(
                        "An amendment can move the deadline out, not in: it is %(when)s "
                        "(Almaty time) and suppliers plan on it."
                    )
                    % {"when": local_text(tender.submission_deadline)}
                ]
            }
        )
    return value


def _apply(tender: Tender, fields: dict, now: dt.datetime) -> dict:
    """Set the changed fields on the locked tender; returns {field: [old, new]}."""
    changed = {}
    for field, value in fields.items():
        if value is None:
            continue
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            raise ValidationError({field: [_("Give the instant with its time zone.")]})
        if field == "enquiry_end":
            value = _checked_enquiry_end(tender, value, now)
        elif field == "submission_deadline":
            value = _checked_deadline(tender, value)
        elif field == "title":
            value = value.strip()[:500]
            if not value:
                raise ValidationError({"title": [_("Give the tender a title.")]})
        else:
            value = value.strip()
        old = getattr(tender, field)
        if old != value:
            changed[field] = [old, value]
            setattr(tender, field, value)
    if "enquiry_end" in changed and tender.enquiry_end >= tender.submission_deadline:
        raise ValidationError({"enquiry_end": [_("Enquiries end before the submission deadline.")]})
    return changed


def amend_tender(
    *,
    tender: Tender,
    actor: User,
    reason: str,
    title: str | None = None,
    description: str | None = None,
    enquiry_end: dt.datetime | None = None,
    submission_deadline: dt.datetime | None = None,
) -> TenderVersion:
    """Amend a tender in enquiries or tendering: a new version, with the reason given."""
    _refuse_unless_manager(tender, actor)
    reason = checked_text(reason, "reason", _("Say why the tender is amended."))
    with transaction.atomic():
        tender = _locked(tender)
        now = timezone.now()
        refuse_unless_amendable(tender, now)
        changed = _apply(
            tender,
            {
                "title": title,
                "description": description,
                "enquiry_end": enquiry_end,
                "submission_deadline": submission_deadline,
            },
            now,
        )
        if not changed:
            raise ValidationError(
                _("Nothing was changed: change a field or attach a document."), code="no_change"
            )
        tender.save(update_fields=list(changed))
        version = new_version(tender, actor=actor, reason=reason, changes=list(changed), now=now)
        sent = announce(tender, version, reason)
        record(
            Action.TENDER_AMENDED,
            subject=tender,
            actor=actor,
            data={
                **version_data(version),
                "reason": reason,
                "fields": {f: {"from": old, "to": new} for f, (old, new) in changed.items()},
                "submission_deadline": tender.submission_deadline,
                "notices": sent,
            },
        )
    return version


def cancel_lot(*, lot: Lot, reason: str, text: str, actor: User) -> Lot:
    """Cancel one lot of an active tender with a reason code; its reservation is released.
    Cancelling the last active lot cancels the tender itself."""
    _refuse_unless_manager(lot.tender, actor)
    if reason not in CancelReason.values:
        raise ValidationError({"reason": [_("Choose one of the reasons for cancelling.")]})
    text = checked_text(text, "text", _("Explain the cancellation."))
    with transaction.atomic():
        tender = _locked(lot.tender)
        lot = Lot.objects.select_for_update().select_related("budget_line").get(pk=lot.pk)
        if lot.status != LotStatus.ACTIVE:
            raise ValidationError(
                _("Lot %(n)s is already %(status)s.")
                % {"n": lot.number, "status": lot.get_status_display().lower()},
                code="invalid_status",
            )
        if not tender.is_active:
            raise ValidationError(
                _("%(number)s is %(status)s: its lots can no longer be cancelled.")
                % {"number": tender.number, "status": tender.get_status_display().lower()},
                code="invalid_status",
            )
        now = timezone.now()
        Lot.objects.filter(pk=lot.pk).update(status=LotStatus.CANCELLED)
        lot.status = LotStatus.CANCELLED
        published = tender.status != TenderStatus.DRAFT
        if published:
            release(
                line=lot.budget_line,
                amount=lot.amount,
                reference=(TENDER_SUBJECT, tender.pk),
                actor=actor,
                note=f"{tender.number} lot {lot.number} cancelled",
            )
        last = not tender.lots.filter(status=LotStatus.ACTIVE).exists()
        data = {
            "tender": tender.number,
            "lot": lot_id(lot),
            "reason": reason,
            "text": text,
            "released": lot.amount if published else "0.00",
            "tender_cancelled": last,
        }
        if last:
            tender.cancel(reason=reason, text=text)
            tender.save()
            release_held(
                reference=(TENDER_SUBJECT, tender.pk),
                actor=actor,
                note=f"{tender.number} cancelled",
            )
            data["notices"] = notify(
                tender,
                NoticeKind.CANCELLED,
                _("%(number)s was cancelled: %(text)s") % {"number": tender.number, "text": text},
            )
        elif published:
            version = new_version(
                tender,
                actor=actor,
                reason=_("Lot %(n)s cancelled: %(text)s") % {"n": lot.number, "text": text},
                changes=["lots"],
                now=now,
                give_time=False,
            )
            data.update(version_data(version))
            data["notices"] = notify(
                tender,
                NoticeKind.LOT_CANCELLED,
                _("Lot %(n)s of %(number)s was cancelled: %(text)s")
                % {"n": lot.number, "number": tender.number, "text": text},
            )
        record(Action.LOT_CANCELLED, subject=lot, actor=actor, data=data)
    return lot
