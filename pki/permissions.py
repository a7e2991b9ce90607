"""May this user do X? Pure predicates, on the memberships suppliers.permissions loads."""

from suppliers.choices import OrganisationKind
from suppliers.permissions import organisations_where, roles_in


def can_register_certificate(organisation, user) -> bool:
    """Any member in force of the supplier (suspended organisations have none in force)."""
    return organisation.kind == OrganisationKind.SUPPLIER and bool(roles_in(user, organisation))


def supplier_organisations(user) -> list:
    """The suppliers whose certificates the user may see: those they are a member of."""
    return [o for o in organisations_where(user) if o.kind == OrganisationKind.SUPPLIER]
