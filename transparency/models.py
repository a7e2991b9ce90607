"""Published OCDS releases (immutable, one per public audit event) and the publisher's place
in the audit log."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition


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


class FlagStatus(models.TextChoices):
    OPEN = "open", _("To review")
    REVIEWED = "reviewed", _("Reviewed: no concern")
    ESCALATED = "escalated", _("Escalated")
    DISMISSED = "dismissed", _("Dismissed")


class RedFlag(FSMModelMixin, models.Model):
    """A red flag for auditors: which indicator fired on what, the figures and why. Found again
    by the next computation it stays one flag (indicator + subject key), keeping its review."""

    indicator = models.CharField(_("indicator"), max_length=40)
    subject_key = models.CharField(_("subject"), max_length=200)
    tender = models.ForeignKey(
        "procurement.Tender", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "suppliers.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    explanation = models.TextField(_("why it fired"))
    figures = models.JSONField(_("figures"), default=dict)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=FlagStatus.choices,
        default=FlagStatus.OPEN,
        protected=True,
    )
    first_seen_at = models.DateTimeField(_("first raised"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last found"), default=timezone.now)
    # False once a computation no longer finds it (the data changed); kept with its history.
    still_fires = models.BooleanField(_("still fires"), default=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("auditor's note"), blank=True)

    class Meta:
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")
        ordering = ["-last_seen_at", "-pk"]
        # The queue lists open flags first, newest first.
        indexes = [models.Index(fields=["status", "-last_seen_at"], name="flag_queue_order")]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "subject_key"], name="flag_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.subject_key}"

    @transition(
        field=status,
        source=[FlagStatus.OPEN, FlagStatus.ESCALATED],
        target=FlagStatus.REVIEWED,
    )
    def mark_reviewed(self, *, by, note: str) -> None:
        self.reviewed_by, self.reviewed_at, self.note = by, timezone.now(), note

    @transition(field=status, source=FlagStatus.OPEN, target=FlagStatus.ESCALATED)
    def escalate(self, *, by, note: str) -> None:
        self.reviewed_by, self.reviewed_at, self.note = by, timezone.now(), note

    @transition(
        field=status,
        source=[FlagStatus.OPEN, FlagStatus.ESCALATED],
        target=FlagStatus.DISMISSED,
    )
    def dismiss(self, *, by, note: str) -> None:
        self.reviewed_by, self.reviewed_at, self.note = by, timezone.now(), note
