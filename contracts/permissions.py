"""May this user act on a contract? Pure predicates over memberships."""

from awards.permissions import acts_for, is_agency_signer
from suppliers.permissions import is_auditor, is_operator


def party_of(contract, user) -> str | None:
    """Which side the user signs for: "buyer", "supplier" or None."""
    if is_agency_signer(contract.agency, user):
        return "buyer"
    if acts_for(user, contract.supplier):
        return "supplier"
    return None


def can_manage_contract(contract, user) -> bool:
    """The buyer's side records amendments, acceptance acts, payments and terminations."""
    return is_agency_signer(contract.agency, user)


def can_view_contract(contract, user) -> bool:
    """Signed contracts are public; drafts only to the parties, auditors and operators."""
    if contract.signed_at is not None:
        return True
    return party_of(contract, user) is not None or is_auditor(user) or is_operator(user)
