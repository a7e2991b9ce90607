"""Operators verify, suspend and reinstate registered organisations."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from suppliers.models import Organisation
from suppliers.permissions import can_verify_organisation

_MOVES = {
    "verify": (
        Action.ORGANISATION_VERIFIED,
        gettext_lazy("Only an organisation awaiting verification can be verified."),
    ),
    "suspend": (
        Action.ORGANISATION_SUSPENDED,
        gettext_lazy("This organisation is already suspended."),
    ),
    "reinstate": (
        Action.ORGANISATION_REINSTATED,
        gettext_lazy("Only a suspended organisation can be reinstated."),
    ),
}


def _move(verb: str, organisation: Organisation, actor: User, reason: str) -> Organisation:
    if not can_verify_organisation(organisation, actor):
        raise PermissionDenied(_("Only platform operators verify or suspend organisations."))
    action, refusal = _MOVES[verb]
    reason = (reason or "").strip()
    if verb != "verify" and not reason:
        raise ValidationError({"reason": [_("Give the reason; the organisation will see it.")]})
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        transition = getattr(organisation, verb)
        if not can_proceed(transition):
            raise ValidationError(refusal, code="invalid_status")
        before = organisation.status
        transition(reason=reason)
        organisation.save()
        record(
            action,
            subject=organisation,
            actor=actor,
            data={"from": before, "to": organisation.status, "reason": reason},
        )
    return organisation


def verify_organisation(
    *, organisation: Organisation, actor: User, reason: str = ""
) -> Organisation:
    return _move("verify", organisation, actor, reason)


def suspend_organisation(*, organisation: Organisation, actor: User, reason: str) -> Organisation:
    return _move("suspend", organisation, actor, reason)


def reinstate_organisation(*, organisation: Organisation, actor: User, reason: str) -> Organisation:
    return _move("reinstate", organisation, actor, reason)
