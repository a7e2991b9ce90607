"""Questions suppliers ask about a published tender, and the buyer's answers: all public."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suppliers.choices import OrganisationKind

QUESTION_TEXT_MAX = 4000


class Question(models.Model):
    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="questions"
    )
    lot = models.ForeignKey(
        "procurement.Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    supplier = models.ForeignKey(
        "suppliers.Organisation",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="questions",
        limit_choices_to={"kind": OrganisationKind.SUPPLIER},
    )
    text = models.TextField(_("question"), max_length=QUESTION_TEXT_MAX)
    asked_at = models.DateTimeField(_("asked"), default=timezone.now, editable=False)
    answer = models.TextField(_("answer"), max_length=QUESTION_TEXT_MAX, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["tender", "asked_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(answered_at__isnull=True, answer="")
                    | models.Q(answered_at__isnull=False) & ~models.Q(answer="")
                ),
                name="question_answer_with_its_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tender.number} Q{self.pk}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
