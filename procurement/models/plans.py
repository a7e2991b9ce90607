from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from procurement.choices import PlanItemStatus
from procurement.models.budget import currency_code
from procurement.money import DEFAULT_CURRENCY
from procurement.querysets import PlanItemQuerySet
from suppliers.choices import OrganisationKind


class PlanItem(FSMModelMixin, models.Model):
    """A line of an agency's annual procurement plan: what it means to buy, from which budget
    line, by which procedure and when. Tenders are created from approved items only."""

    agency = models.ForeignKey(
        "suppliers.Organisation",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="plan_items",
        limit_choices_to={"kind": OrganisationKind.AGENCY},
    )
    budget_line = models.ForeignKey(
        "procurement.BudgetLine",
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        related_name="plan_items",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    subject = models.CharField(_("subject"), max_length=500)
    nomenclature_code = models.CharField(
        _("ENS TRU code"),
        max_length=40,
        help_text=_("Code of the goods, works or service in the unified nomenclature (ENS TRU)."),
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=18,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit = models.CharField(_("unit"), max_length=40)
    planned_amount = models.DecimalField(
        _("planned amount"),
        max_digits=18,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(
        _("currency"), max_length=3, default=DEFAULT_CURRENCY, validators=[currency_code]
    )
    procedure = models.ForeignKey(
        "procurement.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        related_name="plan_items",
    )
    planned_month = models.PositiveSmallIntegerField(
        _("planned month"),
        choices=sorted(MONTHS.items()),
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    status = FSMField(
        _("status"),
        max_length=20,
        choices=PlanItemStatus.choices,
        default=PlanItemStatus.DRAFT,
        protected=True,
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=400, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["fiscal_year", "planned_month", "pk"]
        indexes = [models.Index(fields=["agency", "fiscal_year", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_amount__gt=0), name="planitem_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="planitem_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(planned_month__gte=1, planned_month__lte=12),
                name="planitem_month_of_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.fiscal_year})"

    # --- transitions: fields only -------------------------------------------------------
    @transition(field=status, source=PlanItemStatus.DRAFT, target=PlanItemStatus.APPROVED)
    def approve(self) -> None:
        self.approved_at = timezone.now()

    @transition(field=status, source=PlanItemStatus.DRAFT, target=PlanItemStatus.CANCELLED)
    def cancel(self, *, reason: str) -> None:
        self.cancelled_at = timezone.now()
        self.cancel_reason = reason
