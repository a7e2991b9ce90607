"""Versions of a published tender: what suppliers bid against, frozen as canonical JSON.

Version 1 is made at publication and every amendment makes the next. A bid names the hash
of the version it was made for, so a supplier can prove what the tender said when they
signed, and a bid for an older version is recognisably out of date.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.models.documents import SHA256_HEX


class TenderVersion(models.Model):
    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    # The exact RFC 8785 bytes that were hashed: a re-serialisation could differ.
    content = models.BinaryField()
    sha256 = models.CharField("SHA-256", max_length=64, unique=True, validators=[SHA256_HEX])
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("what changed"), default=list, blank=True)
    deadline_moved = models.BooleanField(_("deadline moved out"), default=False)
    # An amendment changes what is bid for, so earlier bids must be signed again; cancelling
    # one lot changes nothing the other lots' bids said.
    invalidates_bids = models.BooleanField(_("earlier bids must be re-signed"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("tender version")
        verbose_name_plural = _("tender versions")
        ordering = ["tender", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="tender_version_once"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="tender_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.tender.number} v{self.number}"
