"""Published OCDS releases (immutable, one per public audit event) and the publisher's place
in the audit log."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Release(models.Model):
    """One OCDS release exactly as published: its JSON bytes and their SHA-256. Never changed
    (append-only triggers); records and compiled releases are built from these rows."""

    ocid = models.CharField(max_length=80, db_index=True)
    release_id = models.CharField(max_length=120, unique=True)
    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="releases"
    )
    # The audit entry this release publishes (its `seq`): the link an auditor follows back.
    entry_seq = models.PositiveBigIntegerField(unique=True)
    date = models.DateTimeField(db_index=True)
    tags = models.JSONField()
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("OCDS release")
        verbose_name_plural = _("OCDS releases")
        ordering = ["entry_seq"]
        indexes = [models.Index(fields=["ocid", "entry_seq"])]

    def __str__(self) -> str:
        return self.release_id


class PublicationCursor(models.Model):
    """The last audit entry the publisher has looked at; its row is the publishers' lock."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=-1)

    def __str__(self) -> str:
        return f"published up to #{self.last_seq}"
