"""Who may use the Ministry of Finance's workspace and the red-flag queue. Pure predicates."""

from suppliers.permissions import is_auditor, is_operator


def can_view_workspace(user) -> bool:
    """The budget, competition and supplier figures: auditors and the platform's operators."""
    return is_auditor(user) or is_operator(user)


def can_view_flags(user) -> bool:
    return is_auditor(user) or is_operator(user)


def can_review_flags(user) -> bool:
    """Only auditors decide on a flag (transparency/services/flags.py checks it again)."""
    return is_auditor(user)
