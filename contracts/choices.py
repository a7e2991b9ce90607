from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ContractStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting signatures")
    ACTIVE = "active", _("Signed, in force")
    COMPLETED = "completed", _("Fulfilled and paid")
    TERMINATED = "terminated", _("Terminated")
    DECLINED = "declined", _("Declined by the supplier")
    LAPSED = "lapsed", _("Not signed in time")
    CANCELLED = "cancelled", _("Cancelled with the tender")


# A contract in one of these was signed by both sides.
SIGNED_STATUSES = (ContractStatus.ACTIVE, ContractStatus.COMPLETED, ContractStatus.TERMINATED)


class Party(models.TextChoices):
    BUYER = "buyer", pgettext_lazy("contract party", "Buyer")
    SUPPLIER = "supplier", _("Supplier")


class AcceptanceStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PAID = "paid", _("Paid in full")


class PaymentStatus(models.TextChoices):
    PAID = "paid", _("Paid")
