"""Who may do what with bids, keys and shares (the services check again)."""

from accounts.choices import Role
from suppliers.permissions import memberships


def is_commission_member(user) -> bool:
    return any(m.role == Role.COMMISSION_MEMBER for m in memberships(user))


def bidding_suppliers(user, *, verified_only: bool = True) -> list:
    """The suppliers `user` acts for (verified ones only, unless asked otherwise)."""
    from suppliers.choices import OrganisationKind

    return [
        m.organisation
        for m in memberships(user)
        if m.organisation.kind == OrganisationKind.SUPPLIER
        and (m.organisation.is_verified or not verified_only)
    ]
