"""Documents attached to a tender: the file in storage, what it is and its SHA-256."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.filetypes import EXTENSIONS, NAME_MAX

SHA256_HEX = RegexValidator(r"^[0-9a-f]{64}$", _("A SHA-256 is 64 lowercase hex digits."))


def document_path(document: "TenderDocument", filename: str) -> str:
    """`tenders/T-2026-000042/<sha256>.pdf`: from the tender and the content, never from the
    uploader's file name, so no name can reach outside the tender's folder."""
    ext = EXTENSIONS.get(document.content_type, "bin")
    return f"tenders/{document.tender.number}/{document.sha256}.{ext}"


class TenderDocument(models.Model):
    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(
        _("file"), upload_to=document_path, storage=default_storage, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=NAME_MAX)
    content_type = models.CharField(_("kind"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField("SHA-256", max_length=64, validators=[SHA256_HEX])
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("tender document")
        verbose_name_plural = _("tender documents")
        ordering = ["tender", "uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "sha256"], name="document_once_per_tender"),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="document_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.tender.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:tender-document", args=[self.tender.number, self.pk])
