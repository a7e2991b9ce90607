"""Entering organisations into the registers, and keeping their details."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from suppliers.choices import OrganisationKind
from suppliers.models import Membership, Organisation
from suppliers.permissions import can_register_agency, can_update_organisation

# Fields a registration or an update may set; everything else belongs to a process.
ORGANISATION_FIELDS = (
    "bin",
    "is_sole_trader",
    "legal_name",
    "short_name",
    "region",
    "address",
    "contact_email",
    "contact_phone",
    "parent_ministry",
    "budget_admin_code",
    "time_zone",
)


# The BIN names the legal entity: a different BIN is a different organisation, registered anew.
UPDATABLE_FIELDS = tuple(f for f in ORGANISATION_FIELDS if f not in ("bin", "is_sole_trader"))


def _new_organisation(kind: str, details: dict) -> Organisation:
    unknown = set(details) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"not organisation details: {sorted(unknown)}")
    organisation = Organisation(kind=kind, **details)
    organisation.full_clean(exclude=["status"])
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:
        # Two registrations of one BIN racing: the unique index decides, the loser is told.
        raise ValidationError({"bin": [_("This BIN is already in the register.")]}) from exc
    return organisation


def _public_details(organisation: Organisation) -> dict:
    return {
        "kind": organisation.kind,
        "bin": organisation.bin,
        "legal_name": organisation.legal_name,
        "region": organisation.region,
        "status": organisation.status,
    }


def register_supplier(
    *, details: dict, actor: User | None, new_user: dict | None = None
) -> tuple[Organisation, User]:
    """A company enters the supplier register; the registering person becomes its admin.

    `actor` is the logged-in person, or None when they sign up here with `new_user`
    (email, full_name, password).
    """
    with transaction.atomic():
        if actor is None or not actor.is_authenticated:
            if not new_user:
                raise ValidationError(_("Give your name, email and a password to register."))
            actor = _create_user(**new_user)
        organisation = _new_organisation(OrganisationKind.SUPPLIER, details)
        membership = Membership.objects.create(
            user=actor, organisation=organisation, role=Role.ADMIN, added_by=actor
        )
        record(
            Action.ORGANISATION_REGISTERED,
            subject=organisation,
            actor=actor,
            data={**_public_details(organisation), "admin": actor.pk, "membership": membership.pk},
        )
    return organisation, actor


def _create_user(*, email: str = "", full_name: str = "", password: str = "") -> User:
    missing = {
        name: [_("This field is required.")]
        for name, value in (("email", email), ("full_name", full_name), ("password", password))
        if not (value or "").strip()
    }
    if missing:
        raise ValidationError(missing)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": [
                    _("An account with this email exists; log in first, then register the company.")
                ]
            }
        )
    user = User(email=email, full_name=(full_name or "").strip())
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def register_organisation(*, kind: str, details: dict, actor: User) -> Organisation:
    """An operator enters a buying agency, audit body or review body; it is verified at once."""
    if not can_register_agency(actor):
        raise PermissionDenied(_("Only platform operators keep the register of government bodies."))
    if kind == OrganisationKind.SUPPLIER:
        raise ValidationError(_("Suppliers register themselves."))
    with transaction.atomic():
        organisation = _new_organisation(kind, details)
        organisation.verify(reason=_("Registered by an operator"))
        organisation.save()
        record(
            Action.ORGANISATION_REGISTERED,
            subject=organisation,
            actor=actor,
            data=_public_details(organisation),
        )
    return organisation


def update_organisation(*, organisation: Organisation, changes: dict, actor: User) -> Organisation:
    """Change registered details; the event records each field's old and new value."""
    if not can_update_organisation(organisation, actor):
        raise PermissionDenied(_("Only the organisation's administrators can change its details."))
    if {"bin", "is_sole_trader"} & set(changes):
        raise ValidationError(
            {
                "bin": [
                    _(
                        "The BIN cannot change: a different BIN is a different organisation, register it anew."
                    )
                ]
            }
        )
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"not organisation details: {sorted(unknown)}")
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        diff = {}
        for field, new in changes.items():
            old = getattr(organisation, field)
            if old != new:
                diff[field] = {"old": _plain(old), "new": _plain(new)}
                setattr(organisation, field, new)
        if not diff:
            return organisation
        organisation.full_clean(exclude=["status"])
        organisation.save()
        record(
            Action.ORGANISATION_UPDATED, subject=organisation, actor=actor, data={"changes": diff}
        )
    return organisation


def _plain(value):
    return value.pk if hasattr(value, "pk") else value
