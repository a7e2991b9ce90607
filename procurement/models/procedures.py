from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.choices import AwardCriterion, DayKind
from procurement.money import DEFAULT_CURRENCY, format_money, round_money


class Procedure(models.Model):
    """A procurement method and its rules: data, not code, so a change of the law is a new row
    or an edited one, never a release. Periods are minimums in `day_kind` days."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    enquiry_days = models.PositiveSmallIntegerField(
        _("enquiry period"), help_text=_("Discussion of the tender documents, at least.")
    )
    submission_days = models.PositiveSmallIntegerField(
        _("submission period"), help_text=_("From publication to the bid deadline, at least.")
    )
    review_days = models.PositiveSmallIntegerField(
        _("review period"), help_text=_("For the commission to review the bids, at most.")
    )
    day_kind = models.CharField(
        _("days counted as"), max_length=10, choices=DayKind.choices, default=DayKind.WORKING
    )
    min_bids = models.PositiveSmallIntegerField(_("minimum number of bids"), default=1)
    award_criterion = models.CharField(
        _("award criterion"),
        max_length=20,
        choices=AwardCriterion.choices,
        default=AwardCriterion.LOWEST_PRICE,
    )
    standstill_days = models.PositiveSmallIntegerField(_("standstill period"), default=0)
    # After an amendment at least this long must remain before the deadline (same day kind);
    # the deadline moves out when less would.
    amendment_days = models.PositiveSmallIntegerField(_("time left after an amendment"), default=0)
    complaint_window_days = models.PositiveSmallIntegerField(_("complaint window"), default=0)
    sealed_bids = models.BooleanField(_("sealed bids"), default=True)
    # Evaluation and contract rules (issue 6). The commission may ask a bidder to correct a
    # formal defect within `correction_hours`; a domestic supplier's price is compared (never
    # paid) lower by the conditional discount; the winner signs within `signature_days`; a
    # signed contract's price may move by at most `contract_change_limit` percent.
    allows_corrections = models.BooleanField(_("corrections of formal defects"), default=False)
    correction_hours = models.PositiveSmallIntegerField(_("correction window (hours)"), default=24)
    domestic_discount = models.DecimalField(
        _("conditional discount for domestic suppliers (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
    )
    signature_days = models.PositiveSmallIntegerField(_("period to sign the contract"), default=5)
    contract_change_limit = models.DecimalField(
        _("largest change of a contract's price (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
    )
    # The ceiling is set in monthly calculation indices (MCI, in Russian МРП) by the law; the
    # MCI itself changes every year with the budget law (3,932 KZT in 2025). Both are kept here
    # rather than in settings so that a new year's MCI is data, visible in the admin and the
    # API; `value_ceiling` is their product, stored so that queries can compare against it.
    ceiling_mci_multiple = models.PositiveIntegerField(
        _("ceiling in MCI"), null=True, blank=True, help_text=_("For example 4000.")
    )
    mci = models.DecimalField(
        _("monthly calculation index"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The MCI of the year, in tenge."),
    )
    value_ceiling = models.DecimalField(
        _("value ceiling"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Largest planned amount this procedure may be used for; empty: no ceiling."),
    )
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value_ceiling__isnull=True) | models.Q(value_ceiling__gt=0),
                name="procedure_value_ceiling_positive",
            ),
            models.CheckConstraint(condition=models.Q(min_bids__gte=1), name="procedure_min_bids"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.ceiling_mci_multiple is None) != (self.mci is None):
            raise ValidationError(_("Give both the MCI and the ceiling in MCI, or neither."))
        if self.mci is not None and self.value_ceiling != round_money(
            self.mci * self.ceiling_mci_multiple
        ):
            raise ValidationError(
                {
                    "value_ceiling": _("The ceiling must be %(ceiling)s (the MCI times %(n)s).")
                    % {
                        "ceiling": format_money(self.mci * self.ceiling_mci_multiple),
                        "n": self.ceiling_mci_multiple,
                    }
                }
            )

    def allows_amount(self, amount) -> bool:
        return self.value_ceiling is None or amount <= self.value_ceiling
