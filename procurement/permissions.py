"""May this user do X to this agency's plan and budget? Pure predicates, like suppliers'."""

from accounts.choices import Role
from suppliers.choices import OrganisationKind
from suppliers.permissions import is_auditor, is_operator, roles_in

# Who keeps an agency's budget lines and plan: its buyers and its administrators.
BUDGET_KEEPERS = frozenset({Role.BUYER, Role.ADMIN})


def can_manage_budget(agency, user) -> bool:
    if agency.kind != OrganisationKind.AGENCY:
        return False
    return is_operator(user) or bool(BUDGET_KEEPERS & roles_in(user, agency))


def can_view_budget(agency, user) -> bool:
    """The agency's own members, auditors (they watch every budget) and operators."""
    if agency.kind != OrganisationKind.AGENCY:
        return False
    return is_operator(user) or is_auditor(user) or bool(roles_in(user, agency))
