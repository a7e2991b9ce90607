"""Tenders, their lots and opening commissions (DESIGN.md, "The tender as a state machine")."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from procurement.choices import (
    ACTIVE_TENDER_STATUSES,
    CancelReason,
    CommissionRole,
    LotStatus,
    TenderStatus,
)
from procurement.models.budget import currency_code
from procurement.money import DEFAULT_CURRENCY
from procurement.querysets import TenderQuerySet
from suppliers.choices import OrganisationKind

# The timed event each status waits for: (name, field holding its instant).
TIMED_EVENTS = {
    TenderStatus.ENQUIRIES: ("start_tendering", "enquiry_end"),
    TenderStatus.TENDERING: ("close_bidding", "submission_deadline"),
    # After opening, the windows belong to bids, awards and contracts; the services that open
    # or close one keep `timer_at` at the earliest that is still running (awards/timers.py).
    TenderStatus.EVALUATION: ("close_correction_windows", "timer_at"),
    TenderStatus.STANDSTILL: ("run_award_timers", "timer_at"),
    TenderStatus.CONTRACTING: ("run_award_timers", "timer_at"),
}


class TenderCounter(models.Model):
    """The last tender number handed out in a year; its row is locked while a number is taken,
    so concurrent creations get consecutive numbers and never the same one."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Tender(FSMModelMixin, models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    agency = models.ForeignKey(
        "suppliers.Organisation",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="tenders",
        limit_choices_to={"kind": OrganisationKind.AGENCY},
    )
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    procedure = models.ForeignKey(
        "procurement.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        related_name="tenders",
    )
    currency = models.CharField(
        _("currency"), max_length=3, default=DEFAULT_CURRENCY, validators=[currency_code]
    )
    status = FSMField(
        _("status"),
        max_length=20,
        choices=TenderStatus.choices,
        default=TenderStatus.DRAFT,
        protected=True,
    )
    enquiry_end = models.DateTimeField(_("end of enquiries"), null=True, blank=True)
    submission_deadline = models.DateTimeField(_("submission deadline"), null=True, blank=True)
    opening_threshold = models.PositiveSmallIntegerField(
        _("members needed to open"), null=True, blank=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=20, choices=CancelReason.choices, blank=True
    )
    cancel_text = models.TextField(_("explanation of the cancellation"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The version in force: its number and SHA-256 (procurement/models/versions.py).
    version_number = models.PositiveSmallIntegerField(_("version"), default=0, editable=False)
    version_hash = models.CharField(_("version hash"), max_length=64, blank=True, editable=False)
    # Delivery terms and the contract template every contract of this tender is drafted from.
    contract_terms = models.TextField(_("delivery terms and contract template"), blank=True)
    # The earliest correction window, standstill or signature deadline still running.
    timer_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The instant of the next timed event, derived from the fields above on every save.
    next_check = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TenderQuerySet.as_manager()

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "agency"]),
            # The public list's order (newest first); its search index is migration 0009's.
            models.Index(
                fields=["-published_at", "-id"],
                condition=~models.Q(status=TenderStatus.DRAFT),
                name="tender_published_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enquiry_end__isnull=True)
                | models.Q(submission_deadline__isnull=True)
                | models.Q(enquiry_end__lt=models.F("submission_deadline")),
                name="tender_enquiries_end_before_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=TenderStatus.values), name="tender_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        self.next_check = self.next_event_at()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "next_check"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("procurement:tender-detail", args=[self.number])

    @property
    def ocid(self) -> str:
        return f"{settings.OCDS_OCID_PREFIX}-{self.number}"

    # --- derived from the row ---------------------------------------------------------------
    def next_event(self) -> tuple[str, dt.datetime] | None:
        """The next timed event and its instant, or None when time alone moves nothing."""
        name, field = TIMED_EVENTS.get(self.status, (None, None))
        if name is None or getattr(self, field) is None:
            return None
        return name, getattr(self, field)

    def next_event_at(self) -> dt.datetime | None:
        event = self.next_event()
        return event[1] if event else None

    def bid_count(self) -> int:
        """Bids that stand: submitted for the version in force, not withdrawn, replaced or
        invalidated by an amendment (bids/models.py)."""
        return self.bids.filter(status="submitted").count() if self.pk else 0

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_TENDER_STATUSES

    def publication_blockers(self) -> list[str]:
        """What stops this draft from being published, in the words the buyer reads."""
        found = []
        if not self.has_lots():
            found.append(gettext("no lots yet"))
        if not self.has_commission():
            found.append(gettext("no commission yet"))
        if not self.has_periods():
            found.append(gettext("no periods yet"))
        if self.procedure.sealed_bids and self.has_commission():
            # bids builds on procurement; the import stays inside so the models load first.
            from bids.opening_keys import members_without_key

            missing = members_without_key(self)
            if missing:
                found.append(
                    gettext("no opening key registered by %(who)s") % {"who": ", ".join(missing)}
                )
        return found

    def what_happens_next(self) -> dict | None:
        """The tender's answer to "why is it waiting?": the next step, when it happens (None
        when a person must act) and what blocks it."""
        if self.status == TenderStatus.DRAFT:
            return {
                "step": gettext("Publication by the buyer"),
                "at": None,
                "blocked_by": self.publication_blockers(),
            }
        if self.status == TenderStatus.ENQUIRIES:
            step = gettext("Enquiries end and bidding opens")
        elif self.status == TenderStatus.TENDERING:
            step = gettext(
                "The submission deadline: bidding closes and the commission opens the bids, "
                "or the tender fails with fewer than %(n)s bids"
            ) % {"n": self.procedure.min_bids}
        elif self.status == TenderStatus.OPENING:
            return {
                "step": gettext("The commission opens the bids"),
                "at": None,
                "blocked_by": self.missing_shares() + self.pending_complaints(),
            }
        elif self.status == TenderStatus.EVALUATION:
            return {
                "step": gettext("The commission reviews the bids and the chair signs the results"),
                "at": self.timer_at,
                "blocked_by": self.open_corrections(),
            }
        elif self.status == TenderStatus.STANDSTILL:
            return {
                "step": gettext("The standstill ends and the awards become active"),
                "at": self.timer_at,
                "blocked_by": self.pending_complaints(),
            }
        elif self.status == TenderStatus.CONTRACTING:
            return {
                "step": gettext("The buyer and the winners sign the contracts"),
                "at": self.timer_at,
                "blocked_by": self.unsigned_contracts(),
            }
        else:
            return None
        return {
            "step": step,
            "at": self.next_event_at(),
            "blocked_by": self.open_questions() + self.pending_complaints(),
        }

    def pending_complaints(self) -> list[str]:
        n = self.complaints.filter(status="pending").count() if self.pk else 0
        if not n:
            return []
        return [ngettext("%(n)s pending complaint", "%(n)s pending complaints", n) % {"n": n}]

    def open_corrections(self) -> list[str]:
        n = self.reviews.filter(status="correction").count()
        if not n:
            return []
        return [
            ngettext("%(n)s bidder correcting a defect", "%(n)s bidders correcting defects", n)
            % {"n": n}
        ]

    def unsigned_contracts(self) -> list[str]:
        n = self.contracts.filter(status="pending").count()
        if not n:
            return []
        return [ngettext("%(n)s contract to sign", "%(n)s contracts to sign", n) % {"n": n}]

    def missing_shares(self) -> list[str]:
        """Opening waits for t of the commission to hand in their key shares."""
        key = getattr(self, "opening_key", None)
        if key is None:
            return []
        posted = key.shares.filter(posted_at__isnull=False).count()
        if posted >= key.threshold:
            return [gettext("the platform to decrypt the bids (all shares are in)")]
        left = key.threshold - posted
        return [
            ngettext(
                "%(n)s more commission member's key share",
                "%(n)s more commission members' key shares",
                left,
            )
            % {"n": left}
        ]

    def open_questions(self) -> list[str]:
        """Unanswered questions, for the buyer to see among what the tender waits for."""
        n = self.questions.filter(answered_at__isnull=True).count() if self.pk else 0
        if not n:
            return []
        return [ngettext("%(n)s unanswered question", "%(n)s unanswered questions", n) % {"n": n}]

    # --- guards -----------------------------------------------------------------------------
    def has_lots(self) -> bool:
        return self.pk is not None and self.lots.filter(status=LotStatus.ACTIVE).exists()

    def has_commission(self) -> bool:
        return (
            self.pk is not None
            and self.opening_threshold is not None
            and self.commission.filter(role=CommissionRole.CHAIR).exists()
        )

    def has_periods(self) -> bool:
        return self.enquiry_end is not None and self.submission_deadline is not None

    # --- transitions: fields only -----------------------------------------------------------
    @transition(
        field=status,
        source=TenderStatus.DRAFT,
        target=TenderStatus.ENQUIRIES,
        conditions=[has_lots, has_commission, has_periods],
    )
    def publish(self) -> None:
        self.published_at = timezone.now()

    @transition(field=status, source=TenderStatus.ENQUIRIES, target=TenderStatus.TENDERING)
    def open_tendering(self) -> None:
        """Only the status moves; the periods were fixed at publication."""

    @transition(field=status, source=TenderStatus.TENDERING, target=TenderStatus.OPENING)
    def close_bidding(self) -> None:
        self.closed_at = timezone.now()

    @transition(field=status, source=TenderStatus.OPENING, target=TenderStatus.EVALUATION)
    def open_bids(self) -> None:
        """The bids were decrypted and the opening protocol published (bids/services)."""

    @transition(
        field=status,
        source=[
            TenderStatus.TENDERING,
            TenderStatus.OPENING,
            TenderStatus.EVALUATION,
            TenderStatus.STANDSTILL,
            TenderStatus.CONTRACTING,
        ],
        target=TenderStatus.UNSUCCESSFUL,
    )
    def fail(self) -> None:
        self.closed_at = self.closed_at or timezone.now()
        self.timer_at = None

    @transition(field=status, source=TenderStatus.EVALUATION, target=TenderStatus.STANDSTILL)
    def publish_results(self) -> None:
        """The chair signed and published the results protocol; awards wait out standstill."""

    @transition(field=status, source=TenderStatus.CONTRACTING, target=TenderStatus.STANDSTILL)
    def restart_standstill(self) -> None:
        """A lot's award moved to the next-ranked bidder, who gets a standstill of their own."""

    @transition(field=status, source=TenderStatus.STANDSTILL, target=TenderStatus.CONTRACTING)
    def start_contracting(self) -> None:
        """No award waits out a standstill any more: contracts are being signed."""

    @transition(
        field=status,
        source=[TenderStatus.STANDSTILL, TenderStatus.CONTRACTING],
        target=TenderStatus.EVALUATION,
    )
    def reopen_evaluation(self) -> None:
        """A complaint against the results was satisfied: the commission evaluates again."""

    @transition(
        field=status,
        source=[TenderStatus.DRAFT, TenderStatus.STANDSTILL, TenderStatus.CONTRACTING],
        target=TenderStatus.COMPLETE,
    )
    def complete(self) -> None:
        """Every lot has a signed contract or failed (from a draft: a single-source purchase
        whose contract is signed)."""
        self.completed_at = timezone.now()
        self.timer_at = None

    @transition(field=status, source=TenderStatus.DRAFT, target=TenderStatus.CONTRACTING)
    def contract_directly(self) -> None:
        """A single-source purchase: no bidding, a justified decision and a contract."""
        self.published_at = timezone.now()

    def has_no_signed_contract(self) -> bool:
        """A tender with a signed contract is no longer the buyer's to cancel: the contract
        is terminated instead (contracts/services/execution.py)."""
        return self.pk is None or not self.contracts.exclude(signed_at=None).exists()

    @transition(
        field=status,
        source=list(ACTIVE_TENDER_STATUSES),
        target=TenderStatus.CANCELLED,
        conditions=[has_no_signed_contract],
    )
    def cancel(self, *, reason: str, text: str) -> None:
        self.cancel_reason = reason
        self.cancel_text = text
        self.cancelled_at = timezone.now()
        self.timer_at = None


class Lot(FSMModelMixin, models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("lot number"))
    title = models.CharField(_("title"), max_length=500)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    budget_line = models.ForeignKey(
        "procurement.BudgetLine",
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        related_name="lots",
    )
    plan_items = models.ManyToManyField(
        "procurement.PlanItem", verbose_name=_("plan items"), related_name="lots"
    )
    status = FSMField(
        _("status"), max_length=20, choices=LotStatus.choices, default=LotStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["tender", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="lot_number_per_tender"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="lot_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.tender.number} lot {self.number}: {self.title}"


class CommissionMember(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="commission")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commission_seats"
    )
    role = models.CharField(_("role"), max_length=10, choices=CommissionRole.choices)

    class Meta:
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        ordering = ["tender", "-role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "user"], name="commission_seat_once"),
            models.UniqueConstraint(
                fields=["tender"],
                condition=models.Q(role="chair"),
                name="commission_one_chair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
