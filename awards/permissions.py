"""May this user do X at the award stage? Pure predicates over the tender's own rows and the
user's memberships (loaded once per request by suppliers.permissions)."""

from accounts.choices import Role
from procurement.choices import CommissionRole
from procurement.permissions import can_manage_tender
from suppliers.choices import OrganisationKind
from suppliers.permissions import is_auditor, is_operator, is_reviewer, memberships


def seat_of(tender, user):
    """The user's commission seat on this tender, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return next((s for s in tender.commission.all() if s.user_id == user.pk), None)


def can_evaluate(tender, user) -> bool:
    """The tender's commission reviews the bids and scores them."""
    return seat_of(tender, user) is not None


def is_chair(tender, user) -> bool:
    seat = seat_of(tender, user)
    return seat is not None and seat.role == CommissionRole.CHAIR


def can_define_requirements(tender, user) -> bool:
    return can_manage_tender(tender, user)


def supplier_organisations_of(user) -> list:
    """The suppliers the user acts for (any role in force)."""
    return [
        m.organisation
        for m in memberships(user)
        if m.organisation.kind == OrganisationKind.SUPPLIER
    ]


def acts_for(user, organisation) -> bool:
    return any(m.organisation_id == organisation.pk for m in memberships(user))


def can_decide_complaint(user) -> bool:
    return is_reviewer(user)


def can_view_complaint(complaint, user) -> bool:
    """Decided complaints are public. Pending ones: the complainant, the buyer's agency, the
    review body, auditors and operators."""
    if not complaint.is_pending:
        return True
    return (
        acts_for(user, complaint.complainant)
        or can_manage_tender(complaint.tender, user)
        or can_evaluate(complaint.tender, user)
        or is_reviewer(user)
        or is_auditor(user)
        or is_operator(user)
    )


def can_see_reviews_in_progress(tender, user) -> bool:
    """Before the results are published the commission's work is internal (auditors may
    watch); afterwards everything in the protocol is public."""
    return can_evaluate(tender, user) or can_manage_tender(tender, user) or is_auditor(user)


def is_agency_signer(agency, user) -> bool:
    """Who signs contracts for the agency: its buyers and administrators."""
    return any(
        m.organisation_id == agency.pk and m.role in (Role.BUYER, Role.ADMIN)
        for m in memberships(user)
    )
