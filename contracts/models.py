"""Contracts drafted from awards, signed by both sides (detached CMS over the contract's
canonical bytes), and what happens under them: price amendments, acceptance of deliveries
and payments. Money moves only through procurement/services/ledger.py."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from contracts.choices import AcceptanceStatus, ContractStatus, PaymentStatus

MONEY = {"max_digits": 18, "decimal_places": 2}


class Contract(FSMModelMixin, models.Model):
    number = models.CharField(_("number"), max_length=40, unique=True)
    award = models.OneToOneField("awards.Award", on_delete=models.PROTECT, related_name="contract")
    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="contracts"
    )
    lot = models.ForeignKey("procurement.Lot", on_delete=models.PROTECT, related_name="contracts")
    agency = models.ForeignKey(
        "suppliers.Organisation", on_delete=models.PROTECT, related_name="contracts_bought"
    )
    supplier = models.ForeignKey(
        "suppliers.Organisation", on_delete=models.PROTECT, related_name="contracts_won"
    )
    original_price = models.DecimalField(_("price at signature"), **MONEY)
    price = models.DecimalField(_("price"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    terms = models.TextField(_("delivery terms and conditions"), blank=True)
    # The document both sides sign: canonical JSON (contracts/documents.py) and its SHA-256.
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=ContractStatus.choices,
        default=ContractStatus.PENDING,
        protected=True,
    )
    sign_deadline = models.DateTimeField(_("sign by"))
    buyer_signature = models.BinaryField(null=True, blank=True)
    buyer_certificate = models.ForeignKey(
        "pki.SigningCertificate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    buyer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    buyer_signed_at = models.DateTimeField(_("signed by the buyer"), null=True, blank=True)
    supplier_signature = models.BinaryField(null=True, blank=True)
    supplier_certificate = models.ForeignKey(
        "pki.SigningCertificate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supplier_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supplier_signed_at = models.DateTimeField(_("signed by the supplier"), null=True, blank=True)
    signed_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    created_at = models.DateTimeField(_("drafted"), default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(_("why it ended"), blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["tender", "lot__number", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="contract_price_positive")
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("contracts:contract-detail", args=[self.number])

    @property
    def both_signed(self) -> bool:
        return self.buyer_signed_at is not None and self.supplier_signed_at is not None

    def accepted_total(self) -> Decimal:
        return self.acceptances.aggregate(t=models.Sum("amount", default=Decimal("0.00")))["t"]

    def paid_total(self) -> Decimal:
        return self.payments.aggregate(t=models.Sum("amount", default=Decimal("0.00")))["t"]

    @transition(field=status, source=ContractStatus.PENDING, target=ContractStatus.ACTIVE)
    def enter_into_force(self) -> None:
        self.signed_at = timezone.now()

    @transition(field=status, source=ContractStatus.PENDING, target=ContractStatus.DECLINED)
    def decline(self, *, reason: str) -> None:
        self.ended_at, self.end_reason = timezone.now(), reason

    @transition(field=status, source=ContractStatus.PENDING, target=ContractStatus.LAPSED)
    def lapse(self, *, reason: str) -> None:
        self.ended_at, self.end_reason = timezone.now(), reason

    @transition(field=status, source=ContractStatus.PENDING, target=ContractStatus.CANCELLED)
    def cancel(self, *, reason: str) -> None:
        self.ended_at, self.end_reason = timezone.now(), reason

    @transition(field=status, source=ContractStatus.ACTIVE, target=ContractStatus.COMPLETED)
    def fulfil(self) -> None:
        self.ended_at = timezone.now()

    @transition(field=status, source=ContractStatus.ACTIVE, target=ContractStatus.TERMINATED)
    def terminate(self, *, reason: str) -> None:
        self.ended_at, self.end_reason = timezone.now(), reason


class ContractAmendment(FSMModelMixin, models.Model):
    """A change of the contract's price, within the procedure's limit, with its reason."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("number"))
    old_price = models.DecimalField(_("price before"), **MONEY)
    new_price = models.DecimalField(_("price after"), **MONEY)
    reason = models.TextField(_("reason"))
    status = FSMField(max_length=20, default="in_force", protected=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="amendment_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} amendment {self.number}"


class Acceptance(FSMModelMixin, models.Model):
    """An acceptance act: the buyer confirms goods, works or services delivered for an amount."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="acceptances")
    number = models.PositiveSmallIntegerField(_("number"))
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.TextField(_("what was delivered"))
    status = FSMField(
        max_length=20,
        choices=AcceptanceStatus.choices,
        default=AcceptanceStatus.ACCEPTED,
        protected=True,
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="acceptance_number_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="acceptance_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} act {self.number}"

    @transition(field=status, source=AcceptanceStatus.ACCEPTED, target=AcceptanceStatus.PAID)
    def settle(self) -> None:
        """Payments under the contract now cover this act in full."""


class Payment(FSMModelMixin, models.Model):
    """Money paid under a contract (a budget `pay` entry), never more than was accepted."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    number = models.PositiveSmallIntegerField(_("number"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reference = models.CharField(_("treasury payment order"), max_length=100)
    status = FSMField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PAID, protected=True
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="payment_number_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} payment {self.number}"
