"""What the commission checks bids against, its review of each bid, and the signed results."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from awards.choices import RequirementKind, ReviewStatus


class Requirement(models.Model):
    """One line of the tender's checklist: a document or a qualification every bid must meet,
    or, in weighted scoring, a non-price criterion with its weight in the score."""

    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="requirements"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=RequirementKind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    # Percent of the score (criteria only); the price carries 100 minus the criteria's sum.
    weight = models.DecimalField(
        _("weight (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["tender", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="requirement_number_once"),
            models.CheckConstraint(
                condition=models.Q(kind=RequirementKind.CRITERION, weight__gt=0)
                | (~models.Q(kind=RequirementKind.CRITERION) & models.Q(weight__isnull=True)),
                name="requirement_weight_for_criteria_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class BidReview(FSMModelMixin, models.Model):
    """The commission's decision on one opened, valid bid."""

    bid = models.OneToOneField("bids.Bid", on_delete=models.PROTECT, related_name="review")
    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="reviews"
    )
    status = FSMField(
        _("status"),
        max_length=20,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PENDING,
        protected=True,
    )
    # The conditional discount applies: the commission saw the domestic-origin evidence.
    domestic = models.BooleanField(_("domestic supplier"), default=False)
    note = models.TextField(_("note"), blank=True)
    correction_request = models.TextField(_("correction requested"), blank=True)
    correction_deadline = models.DateTimeField(_("correct by"), null=True, blank=True)
    correction_answer = models.TextField(_("bidder's correction"), blank=True)
    correction_answered_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bid review")
        verbose_name_plural = _("bid reviews")
        ordering = ["tender", "bid__received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.bid_id}: {self.status}"

    @property
    def correction_open(self) -> bool:
        return self.status == ReviewStatus.CORRECTION

    @transition(field=status, source=ReviewStatus.PENDING, target=ReviewStatus.CORRECTION)
    def ask_correction(self, *, text: str, deadline) -> None:
        self.correction_request = text
        self.correction_deadline = deadline
        self.correction_answer = ""
        self.correction_answered_at = None

    @transition(field=status, source=ReviewStatus.CORRECTION, target=ReviewStatus.PENDING)
    def close_correction(self) -> None:
        """Answered, or the window closed unanswered: the commission decides now."""

    @transition(
        field=status,
        source=[ReviewStatus.PENDING, ReviewStatus.QUALIFIED, ReviewStatus.DISQUALIFIED],
        target=ReviewStatus.QUALIFIED,
    )
    def qualify(self, *, by, note: str = "") -> None:
        self.decided_by, self.decided_at, self.note = by, timezone.now(), note

    @transition(
        field=status,
        source=[ReviewStatus.PENDING, ReviewStatus.QUALIFIED, ReviewStatus.DISQUALIFIED],
        target=ReviewStatus.DISQUALIFIED,
    )
    def disqualify(self, *, by, note: str = "") -> None:
        self.decided_by, self.decided_at, self.note = by, timezone.now(), note


class RequirementCheck(models.Model):
    """Whether a bid meets one requirement (with the reason when it does not), or its score."""

    review = models.ForeignKey(BidReview, on_delete=models.CASCADE, related_name="checks")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("met"), default=True)
    reason = models.TextField(_("reason"), blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["review", "requirement__number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "requirement"], name="check_once"),
            models.CheckConstraint(
                condition=models.Q(met=True) | ~models.Q(reason=""),
                name="check_unmet_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.requirement_id}: {self.met}"


class ResultsProtocol(models.Model):
    """The results as the chair signed them: canonical JSON, its SHA-256 and a detached CMS.
    A satisfied complaint sets a protocol aside; the next one is a new revision."""

    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="results_protocols"
    )
    revision = models.PositiveSmallIntegerField()
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    signature = models.BinaryField()
    certificate = models.ForeignKey(
        "pki.SigningCertificate", on_delete=models.PROTECT, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"))
    log_index = models.PositiveBigIntegerField(null=True)
    set_aside_at = models.DateTimeField(_("set aside"), null=True, blank=True)

    class Meta:
        verbose_name = _("results protocol")
        verbose_name_plural = _("results protocols")
        ordering = ["tender", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "revision"], name="results_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.tender_id} results r{self.revision}"
