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


class PlanItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    CANCELLED = "cancelled", _("Cancelled")
