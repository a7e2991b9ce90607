"""Awards: the winner proposed for a lot, waiting out standstill, then active until its
contract is signed, or ended (declined, not signed in time, set aside by a complaint)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from awards.choices import AwardStatus


class Award(FSMModelMixin, models.Model):
    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="awards"
    )
    lot = models.ForeignKey("procurement.Lot", on_delete=models.PROTECT, related_name="awards")
    bid = models.ForeignKey("bids.Bid", on_delete=models.PROTECT, related_name="awards", null=True)
    supplier = models.ForeignKey(
        "suppliers.Organisation", on_delete=models.PROTECT, related_name="awards"
    )
    protocol = models.ForeignKey(
        "awards.ResultsProtocol",
        on_delete=models.PROTECT,
        related_name="awards",
        null=True,
        blank=True,
    )
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)
    price = models.DecimalField(_("price"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=AwardStatus.choices,
        default=AwardStatus.PENDING,
        protected=True,
    )
    standstill_end = models.DateTimeField(_("standstill ends"))
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    activated_at = models.DateTimeField(_("active since"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(_("why it ended"), blank=True)
    # Why a single-source purchase went to this supplier without competition (public).
    justification = models.TextField(_("justification"), blank=True)
    # The buyer proposed the winner who evaded signing for the register of unreliable suppliers.
    blacklist_proposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["tender", "lot__number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot"],
                condition=models.Q(status__in=["pending", "active"]),
                name="one_standing_award_per_lot",
            ),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="award_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.tender_id} lot {self.lot_id}: {self.supplier_id} ({self.status})"

    @transition(field=status, source=AwardStatus.PENDING, target=AwardStatus.ACTIVE)
    def activate(self) -> None:
        self.activated_at = timezone.now()

    @transition(field=status, source=AwardStatus.ACTIVE, target=AwardStatus.DECLINED)
    def decline(self, *, reason: str) -> None:
        self.ended_at, self.end_reason = timezone.now(), reason

    @transition(field=status, source=AwardStatus.ACTIVE, target=AwardStatus.LAPSED)
    def lapse(self, *, reason: str) -> None:
        self.ended_at, self.end_reason = timezone.now(), reason

    @transition(
        field=status, source=[AwardStatus.PENDING, AwardStatus.ACTIVE], target=AwardStatus.CANCELLED
    )
    def cancel(self, *, reason: str) -> None:
        self.ended_at, self.end_reason = timezone.now(), reason
