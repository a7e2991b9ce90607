"""The register of unreliable suppliers: entries are added and ended, never deleted."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from suppliers.choices import OrganisationKind
from suppliers.models import BlacklistEntry, Organisation
from suppliers.permissions import can_manage_blacklist

ENTRY_FIELDS = (
    "basis",
    "basis_details",
    "decision_reference",
    "decided_by",
    "starts_at",
    "ends_at",
)


def add_blacklist_entry(*, organisation: Organisation, actor: User, **details) -> BlacklistEntry:
    if not can_manage_blacklist(actor):
        raise PermissionDenied(
            _("Only platform operators keep the register of unreliable suppliers.")
        )
    unknown = set(details) - set(ENTRY_FIELDS)
    if unknown:
        raise ValueError(f"not blacklist details: {sorted(unknown)}")
    if organisation.kind != OrganisationKind.SUPPLIER:
        raise ValidationError(
            _("Only suppliers can be entered in the register of unreliable suppliers.")
        )
    with transaction.atomic():
        entry = BlacklistEntry(organisation=organisation, created_by=actor, **details)
        if (
            entry.ends_at is not None
            and entry.starts_at is not None
            and entry.ends_at <= entry.starts_at
        ):
            raise ValidationError({"ends_at": [_("The end must come after the start.")]})
        entry.full_clean()
        entry.save()
        record(
            Action.BLACKLIST_ENTRY_ADDED,
            subject=entry,
            actor=actor,
            data={
                "organisation": organisation.pk,
                "bin": organisation.bin,
                "basis": entry.basis,
                "decision_reference": entry.decision_reference,
                "starts_at": entry.starts_at,
                "ends_at": entry.ends_at,
            },
        )
    return entry


def end_blacklist_entry(
    *, entry: BlacklistEntry, reason: str, actor: User, ends_at: dt.datetime | None = None
) -> BlacklistEntry:
    """End an entry early (a court set the decision aside, say); it stays in the register."""
    if not can_manage_blacklist(actor):
        raise PermissionDenied(
            _("Only platform operators keep the register of unreliable suppliers.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"end_reason": [_("Give the reason for ending the entry.")]})
    ends_at = ends_at or timezone.now()
    with transaction.atomic():
        entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.ends_at is not None and entry.ends_at <= ends_at:
            raise ValidationError(
                {
                    "ends_at": [
                        _("The entry already ends at %(end)s; it can only be ended earlier.")
                        % {"end": entry.ends_at}
                    ]
                }
            )
        if ends_at <= entry.starts_at:
            raise ValidationError({"ends_at": [_("The end must come after the start.")]})
        previous = entry.ends_at
        entry.ends_at = ends_at
        entry.end_reason = reason
        entry.save(update_fields=["ends_at", "end_reason"])
        record(
            Action.BLACKLIST_ENTRY_ENDED,
            subject=entry,
            actor=actor,
            data={
                "organisation": entry.organisation_id,
                "ends_at": ends_at,
                "previous_end": previous,
                "reason": reason,
            },
        )
    return entry
