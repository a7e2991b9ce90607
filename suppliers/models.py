from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition
from simple_history.models import HistoricalRecords

from accounts.choices import Role
from suppliers.bin import identifier_errors
from suppliers.choices import (
    ROLES_BY_KIND,
    BlacklistBasis,
    OrganisationKind,
    OrganisationStatus,
    Region,
)
from suppliers.querysets import BlacklistEntryQuerySet, MembershipQuerySet, OrganisationQuerySet


class Organisation(models.Model):
    """An entry of the registers: a supplier, a buying agency, an audit or a review body."""

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    bin = models.CharField(
        _("BIN / IIN"),
        max_length=12,
        unique=True,
        help_text=_("12-digit business (or, for sole traders, individual) identification number."),
    )
    is_sole_trader = models.BooleanField(_("sole trader"), default=False)
    legal_name = models.CharField(_("legal name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=30, choices=Region.choices)
    address = models.CharField(_("legal address"), max_length=400)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.PENDING,
        protected=True,
    )
    status_reason = models.CharField(_("reason for the status"), max_length=400, blank=True)
    # Buying agencies only.
    parent_ministry = models.ForeignKey(
        "self",
        verbose_name=_("parent ministry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subordinates",
        limit_choices_to={"kind": OrganisationKind.AGENCY},
    )
    budget_admin_code = models.CharField(
        _("budget administrator code"),
        max_length=3,
        blank=True,
        help_text=_("Three-digit code of the budget programme administrator."),
    )
    time_zone = models.CharField(_("time zone"), max_length=40, default="Asia/Almaty")
    registered_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["legal_name"]
        indexes = [models.Index(fields=["kind", "status", "legal_name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=OrganisationKind.AGENCY) | models.Q(budget_admin_code=""),
                name="organisation_budget_code_agencies_only",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.legal_name

    def get_absolute_url(self) -> str:
        return reverse("suppliers:organisation-detail", args=[self.bin])

    def clean(self) -> None:
        # An empty BIN is already reported as a missing field.
        errors = identifier_errors(self.bin, sole_trader=self.is_sole_trader) if self.bin else []
        if errors:
            raise ValidationError({"bin": errors})
        if self.kind != OrganisationKind.AGENCY and (
            self.parent_ministry_id or self.budget_admin_code
        ):
            raise ValidationError(_("Only buying agencies have a parent ministry and budget code."))
        if self.budget_admin_code and not (
            self.budget_admin_code.isdigit() and len(self.budget_admin_code) == 3
        ):
            raise ValidationError({"budget_admin_code": _("The code has exactly three digits.")})

    @property
    def allowed_roles(self) -> tuple[str, ...]:
        return ROLES_BY_KIND[self.kind]

    @property
    def is_verified(self) -> bool:
        return self.status == OrganisationStatus.VERIFIED

    # --- transitions: fields only -------------------------------------------------------
    @transition(
        field=status, source=[OrganisationStatus.PENDING], target=OrganisationStatus.VERIFIED
    )
    def verify(self, *, reason: str = "") -> None:
        self.verified_at = timezone.now()
        self.status_reason = reason

    @transition(
        field=status,
        source=[OrganisationStatus.PENDING, OrganisationStatus.VERIFIED],
        target=OrganisationStatus.SUSPENDED,
    )
    def suspend(self, *, reason: str) -> None:
        self.status_reason = reason

    @transition(
        field=status,
        source=[OrganisationStatus.SUSPENDED],
        target=RETURN_VALUE(OrganisationStatus.VERIFIED, OrganisationStatus.PENDING),
    )
    def reinstate(self, *, reason: str) -> str:
        """Back to where it was: an organisation suspended before verification still awaits it."""
        self.status_reason = reason
        return OrganisationStatus.VERIFIED if self.verified_at else OrganisationStatus.PENDING


class Membership(models.Model):
    """A user's role in an organisation. Ended by deactivation, never deleted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__legal_name", "user__email", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=models.Q(is_active=True),
                name="membership_one_active_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


class Invitation(models.Model):
    """An invitation for a colleague to join an organisation in a role; single use."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.role})"

    def is_open_at(self, instant) -> bool:
        return self.accepted_at is None and self.revoked_at is None and instant < self.expires_at


class BlacklistEntry(models.Model):
    """An entry of the register of unreliable suppliers. Ended, never deleted."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="blacklist_entries",
        limit_choices_to={"kind": OrganisationKind.SUPPLIER},
    )
    basis = models.CharField(_("legal basis"), max_length=30, choices=BlacklistBasis.choices)
    basis_details = models.TextField(_("details of the basis"), blank=True)
    decision_reference = models.CharField(
        _("decision reference"), max_length=200, help_text=_("Number and date of the decision.")
    )
    decided_by = models.CharField(_("decided by"), max_length=300)
    starts_at = models.DateTimeField(_("in force from"))
    ends_at = models.DateTimeField(_("in force until"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=400, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = BlacklistEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["organisation", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="blacklistentry_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.decision_reference}"

    def in_force_at(self, instant) -> bool:
        return self.starts_at <= instant and (self.ends_at is None or instant < self.ends_at)

    @property
    def in_force_now(self) -> bool:
        return self.in_force_at(timezone.now())
