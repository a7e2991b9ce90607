from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.choices import EntryKind
from procurement.money import DEFAULT_CURRENCY, ZERO
from procurement.querysets import BudgetEntryQuerySet, BudgetLineQuerySet
from suppliers.choices import OrganisationKind

three_digits = RegexValidator(r"^[0-9]{3}\Z", _("The code has exactly three digits."))
currency_code = RegexValidator(r"^[A-Z]{3}\Z", _("An ISO 4217 code: three capital letters."))


class BudgetLine(models.Model):
    """An approved appropriation of one agency for one fiscal year: a budget programme and
    subprogramme (the codes of the budget classification), and the amount approved for it.

    The line's money is in one of four states; the ledger (BudgetEntry rows, never changed)
    moves it between them and the balances are derived from the ledger, never stored:

        available --reserve--> reserved      a tender is published for it
        reserved  --release--> available     the tender is cancelled or fails, or a contract
                                             came in below the reservation (the savings)
        reserved  --obligate-> obligated     a contract is signed, at the contract price;
                                             the caller releases the remainder separately
        obligated --pay------> paid          a payment is made under the contract
        obligated --deobligate-> available   a contract's price is cut, or the contract is
                                             terminated with part of it unpaid

    so that, with Σkind the sum of the line's entries of that kind:

        reserved  = Σreserve − Σrelease − Σobligate
        obligated = Σobligate − Σpay − Σdeobligate
        paid      = Σpay
        available = approved − reserved − obligated − paid
                  (= approved − Σreserve + Σrelease + Σdeobligate)

    None of the four may go below zero: every move checks its source state under a row lock on
    the line (procurement/services/ledger.py), and the approved amount may not be cut below
    what is already committed (reserved + obligated + paid).
    """

    agency = models.ForeignKey(
        "suppliers.Organisation",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="budget_lines",
        limit_choices_to={"kind": OrganisationKind.AGENCY},
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000)]
    )
    programme_code = models.CharField(
        _("budget programme"), max_length=3, validators=[three_digits]
    )
    subprogramme_code = models.CharField(
        _("subprogramme"), max_length=3, blank=True, validators=[three_digits]
    )
    specifics_code = models.CharField(
        _("specifics of economic classification"),
        max_length=3,
        blank=True,
        validators=[three_digits],
    )
    name = models.CharField(_("name"), max_length=300)
    approved_amount = models.DecimalField(
        _("approved amount"), max_digits=18, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    currency = models.CharField(
        _("currency"), max_length=3, default=DEFAULT_CURRENCY, validators=[currency_code]
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["fiscal_year", "programme_code", "subprogramme_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "fiscal_year", "programme_code", "subprogramme_code"],
                name="budgetline_one_per_programme_and_year",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_amount__gte=0), name="budgetline_approved_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year__gte=2000), name="budgetline_fiscal_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} “{self.name}”"

    def clean(self) -> None:
        if self.agency_id and self.agency.kind != OrganisationKind.AGENCY:
            raise ValidationError({"agency": _("Only buying agencies have budget lines.")})

    @property
    def code(self) -> str:
        """`001/015`: programme and subprogramme, the way budget documents cite them."""
        if self.subprogramme_code:
            return f"{self.programme_code}/{self.subprogramme_code}"
        return self.programme_code


class BudgetEntry(models.Model):
    """One move of a budget line's money. Appended, never updated or deleted (database
    triggers, audit/guards.py). Amounts are in the line's currency and always positive: the
    kind says which way the money goes."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    # What caused the move: ("procurement.tender", "42"), the way audit events name subjects.
    reference_type = models.CharField(_("caused by"), max_length=80)
    reference_id = models.CharField(_("id of the cause"), max_length=64)
    note = models.CharField(_("note"), max_length=400, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = BudgetEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget entry")
        verbose_name_plural = _("budget entries")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["line", "kind"]),
            models.Index(fields=["reference_type", "reference_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="budgetentry_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=EntryKind.values), name="budgetentry_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} — {self.line.code}"
