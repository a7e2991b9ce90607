from django.db import models
from django.utils.translation import gettext_lazy as _


class RequirementKind(models.TextChoices):
    """What the commission checks each bid against (a checklist defined on the tender)."""

    DOCUMENT = "document", _("Required document")
    QUALIFICATION = "qualification", _("Qualification criterion")
    # Scored 0-100 in weighted scoring; never disqualifies.
    CRITERION = "criterion", _("Non-price criterion")


# Kinds a bid must meet to be qualified.
PASS_FAIL = (RequirementKind.DOCUMENT, RequirementKind.QUALIFICATION)


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Not yet decided")
    CORRECTION = "correction", _("Correction requested")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")


class AwardStatus(models.TextChoices):
    PENDING = "pending", _("Proposed, in standstill")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined by the winner")
    LAPSED = "lapsed", _("Not signed in time")
    CANCELLED = "cancelled", _("Cancelled")


# An award in one of these no longer stands.
ENDED_AWARD_STATUSES = (AwardStatus.DECLINED, AwardStatus.LAPSED, AwardStatus.CANCELLED)


class ComplaintKind(models.TextChoices):
    CONDITIONS = "conditions", _("Against the tender conditions")
    RESULTS = "results", _("Against the results")


class ComplaintStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    SATISFIED = "satisfied", _("Satisfied")
    DISMISSED = "dismissed", _("Dismissed")
