from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role


class OrganisationKind(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    AGENCY = "agency", _("Buying agency")
    AUDIT_BODY = "audit_body", _("Audit body")
    REVIEW_BODY = "review_body", _("Review body")


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    SUSPENDED = "suspended", _("Suspended")


# The roles a member may hold, by kind of organisation.
ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    OrganisationKind.SUPPLIER: (Role.ADMIN, Role.SUPPLIER_STAFF),
    OrganisationKind.AGENCY: (Role.ADMIN, Role.BUYER, Role.COMMISSION_MEMBER),
    OrganisationKind.AUDIT_BODY: (Role.ADMIN, Role.AUDITOR),
    OrganisationKind.REVIEW_BODY: (Role.ADMIN, Role.REVIEWER),
}


class Region(models.TextChoices):
    ASTANA = "astana", _("Astana")
    ALMATY_CITY = "almaty_city", _("Almaty")
    SHYMKENT = "shymkent", _("Shymkent")
    ABAI = "abai", _("Abai Region")
    AKMOLA = "akmola", _("Akmola Region")
    AKTOBE = "aktobe", _("Aktobe Region")
    ALMATY = "almaty", _("Almaty Region")
    ATYRAU = "atyrau", _("Atyrau Region")
    EAST_KAZAKHSTAN = "east_kazakhstan", _("East Kazakhstan Region")
    JAMBYL = "jambyl", _("Jambyl Region")
    JETISU = "jetisu", _("Jetisu Region")
    WEST_KAZAKHSTAN = "west_kazakhstan", _("West Kazakhstan Region")
    KARAGANDA = "karaganda", _("Karaganda Region")
    KOSTANAY = "kostanay", _("Kostanay Region")
    KYZYLORDA = "kyzylorda", _("Kyzylorda Region")
    MANGYSTAU = "mangystau", _("Mangystau Region")
    PAVLODAR = "pavlodar", _("Pavlodar Region")
    NORTH_KAZAKHSTAN = "north_kazakhstan", _("North Kazakhstan Region")
    TURKISTAN = "turkistan", _("Turkistan Region")
    ULYTAU = "ulytau", _("Ulytau Region")


class BlacklistBasis(models.TextChoices):
    """Grounds for entry in the register of unreliable suppliers (Law on Public Procurement)."""

    CONTRACT_EVASION = "contract_evasion", _("Evaded signing a contract as the winner")
    CONTRACT_BREACH = "contract_breach", _("Failed to perform or improperly performed a contract")
    FALSE_INFORMATION = "false_information", _("Submitted false information on qualification")
    COURT_DECISION = "court_decision", _("Court decision")
    OTHER = "other", _("Other ground named in the decision")
