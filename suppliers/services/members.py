"""Who works for an organisation: direct additions, invitations, and ending a membership."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from suppliers.models import Invitation, Membership, Organisation
from suppliers.permissions import can_manage_members, forget_memberships
from suppliers.services.registration import _create_user


def _check_role(organisation: Organisation, role: str) -> None:
    if role not in organisation.allowed_roles:
        allowed = ", ".join(str(Role(r).label) for r in organisation.allowed_roles)
        raise ValidationError(
            {
                "role": [
                    _("%(org)s can have these roles only: %(allowed)s.")
                    % {"org": organisation, "allowed": allowed}
                ]
            }
        )


def _check_manager(organisation: Organisation, actor: User) -> None:
    if not can_manage_members(organisation, actor):
        raise PermissionDenied(_("Only the organisation's administrators can manage its members."))


def add_member(*, organisation: Organisation, user: User, role: str, actor: User) -> Membership:
    """Give an existing user a role in the organisation."""
    _check_manager(organisation, actor)
    _check_role(organisation, role)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if Membership.objects.filter(
            user=user, organisation=organisation, role=role, is_active=True
        ).exists():
            message = _("%(user)s already has this role here.") % {"user": user.email}
            raise ValidationError(
                {"email": [ValidationError(message, code="duplicate_membership")]}
            )
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=role, added_by=actor
        )
        record(
            Action.MEMBERSHIP_ADDED,
            subject=membership,
            actor=actor,
            data={"organisation": organisation.pk, "user": user.pk, "role": role},
        )
    forget_memberships(user)
    return membership


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invite_member(
    *, organisation: Organisation, email: str, role: str, actor: User
) -> tuple[Invitation, str]:
    """Invite someone by email; returns the invitation and its single-use secret token."""
    _check_manager(organisation, actor)
    _check_role(organisation, role)
    email = (email or "").strip().lower()
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=_token_hash(raw),
            invited_by=actor,
            expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        invitation.full_clean()
        record(
            Action.INVITATION_SENT,
            subject=invitation,
            actor=actor,
            data={
                "organisation": organisation.pk,
                "role": role,
                "expires_at": invitation.expires_at,
            },
        )
    return invitation, raw


def find_open_invitation(raw: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=_token_hash(raw or ""))
        .first()
    )
    if invitation is None:
        raise ValidationError(
            _("This invitation link is not valid. Ask your administrator for a new one.")
        )
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.revoked_at:
        raise ValidationError(_("This invitation was withdrawn by the organisation."))
    if timezone.now() >= invitation.expires_at:
        raise ValidationError(_("This invitation expired; ask your administrator for a new one."))
    return invitation


def accept_invitation(
    *, raw_token: str, actor: User | None, new_user: dict | None = None
) -> Membership:
    """The invited person takes up the role, signing up first if they have no account."""
    with transaction.atomic():
        invitation = find_open_invitation(raw_token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        find_open_invitation(raw_token)  # again under the lock: two clicks, one membership
        if actor is None or not actor.is_authenticated:
            actor = _create_user(**{**(new_user or {}), "email": invitation.email})
        if actor.email.lower() != invitation.email.lower():
            raise PermissionDenied(
                _("This invitation is for %(email)s; log in with that account to accept it.")
                % {"email": invitation.email}
            )
        membership, _created = Membership.objects.get_or_create(
            user=actor,
            organisation=invitation.organisation,
            role=invitation.role,
            is_active=True,
            defaults={"added_by": invitation.invited_by},
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = actor
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record(
            Action.INVITATION_ACCEPTED,
            subject=invitation,
            actor=actor,
            data={"membership": membership.pk, "user": actor.pk, "role": invitation.role},
        )
    forget_memberships(actor)
    return membership


def revoke_invitation(*, invitation: Invitation, actor: User) -> Invitation:
    _check_manager(invitation.organisation, actor)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.revoked_at:
            raise ValidationError(_("Only an open invitation can be withdrawn."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(Action.INVITATION_REVOKED, subject=invitation, actor=actor, data={})
    return invitation


def deactivate_membership(*, membership: Membership, actor: User) -> Membership:
    """End a membership; an organisation is never left without an administrator."""
    _check_manager(membership.organisation, actor)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if not membership.is_active:
            raise ValidationError(_("This membership has already ended."))
        if membership.role == Role.ADMIN:
            admins = Membership.objects.filter(
                organisation_id=membership.organisation_id, role=Role.ADMIN, is_active=True
            )
            if admins.count() <= 1:
                raise ValidationError(
                    _("This is the organisation's last administrator; appoint another one first."),
                    code="last_admin",
                )
        membership.is_active = False
        membership.ended_at = timezone.now()
        membership.save(update_fields=["is_active", "ended_at"])
        record(
            Action.MEMBERSHIP_DEACTIVATED,
            subject=membership,
            actor=actor,
            data={
                "organisation": membership.organisation_id,
                "user": membership.user_id,
                "role": membership.role,
            },
        )
    forget_memberships(membership.user)
    return membership
