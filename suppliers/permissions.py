"""May this user do X? Pure predicates over a user and the memberships loaded for them."""

from accounts.choices import Role
from suppliers.choices import OrganisationKind, OrganisationStatus


def memberships(user) -> list:
    """The user's memberships in force, loaded once per user object (so once per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_memberships_in_force", None)
    if cached is None:
        cached = list(user.memberships.in_force().select_related("organisation"))
        user._memberships_in_force = cached
    return cached


def forget_memberships(user) -> None:
    user.__dict__.pop("_memberships_in_force", None)


def is_operator(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def roles_in(user, organisation) -> set[str]:
    return {m.role for m in memberships(user) if m.organisation_id == organisation.pk}


def has_role(user, role: str) -> bool:
    """Whether the user holds `role` in any organisation in force."""
    return any(m.role == role for m in memberships(user))


def organisations_where(user, *roles: str) -> list:
    return [m.organisation for m in memberships(user) if not roles or m.role in roles]


def can_manage_members(organisation, user) -> bool:
    if is_operator(user):
        return True
    return organisation.status != OrganisationStatus.SUSPENDED and Role.ADMIN in roles_in(
        user, organisation
    )


def can_view_members(organisation, user) -> bool:
    return is_operator(user) or bool(roles_in(user, organisation))


def can_verify_organisation(organisation, user) -> bool:
    return is_operator(user)


def can_update_organisation(organisation, user) -> bool:
    return can_manage_members(organisation, user)


def can_manage_blacklist(user) -> bool:
    return is_operator(user)


def can_register_agency(user) -> bool:
    return is_operator(user)


def can_view_audit_log(user) -> bool:
    return is_operator(user) or has_role(user, Role.AUDITOR)


def is_buyer(user) -> bool:
    return has_role(user, Role.BUYER)


def is_supplier_member(user) -> bool:
    return any(m.organisation.kind == OrganisationKind.SUPPLIER for m in memberships(user))


def is_reviewer(user) -> bool:
    return has_role(user, Role.REVIEWER)


def is_auditor(user) -> bool:
    return has_role(user, Role.AUDITOR)
