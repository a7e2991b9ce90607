from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member may do inside their organisation."""

    ADMIN = "admin", _("Organisation administrator")
    BUYER = "buyer", _("Buyer")
    COMMISSION_MEMBER = "commission_member", _("Commission member")
    SUPPLIER_STAFF = "supplier_staff", _("Supplier staff")
    AUDITOR = "auditor", _("Auditor")
    REVIEWER = "reviewer", _("Complaint reviewer")
