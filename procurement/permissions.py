"""May this user do X to this agency's plan and budget? Pure predicates, like suppliers'."""

from accounts.choices import Role
from suppliers.choices import OrganisationKind
from suppliers.permissions import is_auditor, is_operator, memberships, roles_in

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


# Who runs an agency's tenders: its buyers and administrators. Operators keep the registers
# but are no party to a procurement, so they do not act on tenders.
TENDER_RUNNERS = frozenset({Role.BUYER, Role.ADMIN})


def can_create_tender(agency, user) -> bool:
    if agency.kind != OrganisationKind.AGENCY:
        return False
    return bool(TENDER_RUNNERS & roles_in(user, agency))


def can_manage_tender(tender, user) -> bool:
    return can_create_tender(tender.agency, user)


def can_view_tender(tender, user) -> bool:
    """Published tenders are public; a draft is seen by its agency's members and operators."""
    if tender.status != "draft":
        return True
    return is_operator(user) or bool(roles_in(user, tender.agency))


def is_commission_member_of(agency, user) -> bool:
    return Role.COMMISSION_MEMBER in roles_in(user, agency)


def asking_organisations(user) -> list:
    """The verified suppliers the user acts for: who may ask about a published tender. The
    blacklist is checked by the service at the instant of asking, as it needs the database."""
    return [
        m.organisation
        for m in memberships(user)
        if m.organisation.kind == OrganisationKind.SUPPLIER and m.organisation.is_verified
    ]


def can_ask_question(tender, user) -> bool:
    return tender.status != "draft" and bool(asking_organisations(user))


def can_answer_question(question, user) -> bool:
    return can_manage_tender(question.tender, user)
