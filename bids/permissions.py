"""Who may do what with bids, keys and shares (the services check again)."""

from accounts.choices import Role
from suppliers.permissions import memberships


def is_commission_member(user) -> bool:
    return any(m.role == Role.COMMISSION_MEMBER for m in memberships(user))
