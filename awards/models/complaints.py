"""Complaints to the review body: against a tender's conditions (before the deadline) or its
results (during standstill). Pending, a complaint blocks what it concerns."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from awards.choices import ComplaintKind, ComplaintStatus
from procurement.filetypes import EXTENSIONS, NAME_MAX


class Complaint(FSMModelMixin, models.Model):
    # Public id: `CMP-` and the tender number's digits and a running number, e.g.
    # CMP-2026-000042-1.
    number = models.CharField(_("number"), max_length=40, unique=True)
    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="complaints"
    )
    kind = models.CharField(_("against"), max_length=20, choices=ComplaintKind.choices)
    protocol = models.ForeignKey(
        "awards.ResultsProtocol",
        on_delete=models.PROTECT,
        related_name="complaints",
        null=True,
        blank=True,
    )
    complainant = models.ForeignKey(
        "suppliers.Organisation", on_delete=models.PROTECT, related_name="complaints"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    text = models.TextField(_("complaint"))
    text_sha256 = models.CharField(max_length=64)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.PENDING,
        protected=True,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-filed_at", "-pk"]
        indexes = [models.Index(fields=["tender", "status"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_pending(self) -> bool:
        return self.status == ComplaintStatus.PENDING

    @transition(field=status, source=ComplaintStatus.PENDING, target=ComplaintStatus.SATISFIED)
    def satisfy(self, *, by, decision: str) -> None:
        self.reviewer, self.decision, self.decided_at = by, decision, timezone.now()

    @transition(field=status, source=ComplaintStatus.PENDING, target=ComplaintStatus.DISMISSED)
    def dismiss(self, *, by, decision: str) -> None:
        self.reviewer, self.decision, self.decided_at = by, decision, timezone.now()


def complaint_document_path(document: "ComplaintDocument", filename: str) -> str:
    """From the complaint and the content, never from the uploader's file name."""
    ext = EXTENSIONS.get(document.content_type, "bin")
    return f"complaints/{document.complaint.number}/{document.sha256}.{ext}"


class ComplaintDocument(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to=complaint_document_path, storage=default_storage)
    original_name = models.CharField(_("file name"), max_length=NAME_MAX)
    content_type = models.CharField(_("kind"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        ordering = ["complaint", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.original_name}"
