"""Notices to a supplier about a tender they take part in (an amendment, a cancellation).

They are the platform's inbox: the supplier's members see them on their notices page and
in the API, and a mail backend can send them on. A notice is written by the service whose
change it announces, in the same transaction.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    AMENDED = "amended", _("Tender amended")
    LOT_CANCELLED = "lot_cancelled", _("Lot cancelled")
    CANCELLED = "cancelled", _("Tender cancelled")
    BID_INVALIDATED = "bid_invalidated", _("Bid must be signed again")
    CORRECTION = "correction", _("Correction requested")
    RESULTS = "results", _("Results published")
    CONTRACT = "contract", _("Contract to sign")
    COMPLAINT = "complaint", _("Complaint decided")


class Notice(models.Model):
    supplier = models.ForeignKey(
        "suppliers.Organisation", on_delete=models.PROTECT, related_name="notices"
    )
    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["supplier", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.supplier}: {self.get_kind_display()} {self.tender.number}"
