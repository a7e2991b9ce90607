from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    """How a procedure's periods are counted (see procurement/calendar.py)."""

    WORKING = "working", _("working days")
    CALENDAR = "calendar", _("calendar days")


class AwardCriterion(models.TextChoices):
    LOWEST_PRICE = "lowest_price", _("Lowest price")
    WEIGHTED_SCORING = "weighted_scoring", _("Weighted scoring")


class EntryKind(models.TextChoices):
    """The four moves of budget money; BudgetLine's docstring says what each one does."""

    RESERVE = "reserve", _("Reserve")
    RELEASE = "release", _("Release")
    OBLIGATE = "obligate", _("Obligate")
    PAY = "pay", _("Pay")
    DEOBLIGATE = "deobligate", _("Free an obligation")


class PlanItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    CANCELLED = "cancelled", _("Cancelled")


class TenderStatus(models.TextChoices):
    """DESIGN.md, "The tender as a state machine"."""

    DRAFT = "draft", _("Draft")
    ENQUIRIES = "enquiries", _("Enquiries")
    TENDERING = "tendering", _("Tendering")
    OPENING = "opening", _("Opening")
    EVALUATION = "evaluation", _("Evaluation")
    STANDSTILL = "standstill", _("Standstill")
    CONTRACTING = "contracting", _("Contracting")
    COMPLETE = "complete", _("Complete")
    CANCELLED = "cancelled", _("Cancelled")
    UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")


# A tender in one of these may still be cancelled by its buyer.
ACTIVE_TENDER_STATUSES = (
    TenderStatus.DRAFT,
    TenderStatus.ENQUIRIES,
    TenderStatus.TENDERING,
    TenderStatus.OPENING,
    TenderStatus.EVALUATION,
    TenderStatus.STANDSTILL,
    TenderStatus.CONTRACTING,
)


class LotStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")
    UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")


class CancelReason(models.TextChoices):
    NO_DEMAND = "no_demand", _("The need no longer exists")
    BUDGET_CUT = "budget_cut", _("Budget cut")
    VIOLATIONS = "violations", _("Violations found")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    OTHER = "other", _("Other")


class CommissionRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", _("Member")
