"""May this user do X? Pure predicates, on the memberships suppliers.permissions loads."""

from suppliers.choices import OrganisationKind
from suppliers.permissions import organisations_where, roles_in

# Suppliers sign bids and contracts; agencies' staff sign results protocols and contracts with
# certificates the national CA issues to civil servants under their agency's BIN.
SIGNING_KINDS = (OrganisationKind.SUPPLIER, OrganisationKind.AGENCY)


def can_register_certificate(organisation, user) -> bool:
    """Any member in force of a supplier or an agency (suspended ones have none in force)."""
    return organisation.kind in SIGNING_KINDS and bool(roles_in(user, organisation))


def supplier_organisations(user) -> list:
    """The suppliers whose certificates the user may see: those they are a member of."""
    return [o for o in organisations_where(user) if o.kind == OrganisationKind.SUPPLIER]
