"""Signed, sealed bids and what opens them (DESIGN.md, "Signed, sealed bids").

Until opening the database holds, for each bid, only what the supplier signed in the clear
(the outer statement: tender, version, lots, bidder, the sealed payload's hash) and the
ciphertext. Prices and documents exist in plaintext only after the commission has opened
the tender, and are then written by the opening service.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CommissionKey(models.Model):
    """A commission member's X25519 public key, made on their own machine. Shares of every
    tender they sit on are sealed to the key that is active when the tender is published."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opening_keys"
    )
    public_key = models.BinaryField()
    key_id = models.CharField(max_length=16, unique=True)
    registered_at = models.DateTimeField(default=timezone.now, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("commission member's opening key")
        verbose_name_plural = _("commission members' opening keys")
        ordering = ["user", "-registered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(retired_at__isnull=True),
                name="one_active_opening_key_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.key_id}"


class OpeningKey(models.Model):
    """A tender's opening public key. Its private key exists only as t-of-n shares sealed to
    the commission and, after opening, nowhere: the service rebuilds, uses and drops it."""

    tender = models.OneToOneField(
        "procurement.Tender", on_delete=models.PROTECT, related_name="opening_key"
    )
    public_key = models.BinaryField()
    key_id = models.CharField(max_length=16, unique=True)
    threshold = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("opening key")
        verbose_name_plural = _("opening keys")

    def __str__(self) -> str:
        return f"{self.tender_id} {self.key_id}"


class KeyShare(models.Model):
    """One member's share of a tender's opening key, sealed to their CommissionKey; after the
    deadline the member posts it back decrypted."""

    opening_key = models.ForeignKey(OpeningKey, on_delete=models.PROTECT, related_name="shares")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    commission_key = models.ForeignKey(CommissionKey, on_delete=models.PROTECT, related_name="+")
    sealed_share = models.BinaryField()
    # SHA-256 of the share, taken when it was made: a posted share is checked against it at
    # once, so a wrong one is refused with the member's name instead of spoiling the opening.
    share_sha256 = models.CharField(max_length=64)
    posted_share = models.BinaryField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("key share")
        verbose_name_plural = _("key shares")
        constraints = [
            models.UniqueConstraint(fields=["opening_key", "member"], name="one_share_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.opening_key} {self.member}"


class UsedNonce(models.Model):
    """A nonce that a bid or a withdrawal has used. Nonces are issued without a row (an HMAC
    over tender, bidder and expiry, bids/nonces.py); the unique value here burns each one."""

    value = models.CharField(max_length=200, unique=True)
    used_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.value


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Replaced by a later bid")
    INVALIDATED = "invalidated", _("Invalid after an amendment: sign again")
    VALID = "valid", _("Opened: valid")
    INVALID = "invalid", _("Opened: invalid")


class Bid(models.Model):
    # Public, unguessable id: `B-` and 20 hex digits.
    public_id = models.CharField(_("bid"), max_length=24, unique=True)
    tender = models.ForeignKey("procurement.Tender", on_delete=models.PROTECT, related_name="bids")
    supplier = models.ForeignKey(
        "suppliers.Organisation", on_delete=models.PROTECT, related_name="bids"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(
        "pki.SigningCertificate", on_delete=models.PROTECT, related_name="bids"
    )
    # The outer statement exactly as signed, its CMS signature, and the sealed payload.
    statement = models.BinaryField()
    statement_sha256 = models.CharField(max_length=64)
    signature = models.BinaryField()
    sealed = models.BinaryField()
    sealed_sha256 = models.CharField(max_length=64)
    lots = models.JSONField(_("lots"))
    tender_version = models.CharField(max_length=64)
    opening_key_id = models.CharField(max_length=16)
    signed_at = models.DateTimeField(_("signed"))
    received_at = models.DateTimeField(_("received"))
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BidStatus.choices, default=BidStatus.SUBMITTED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The audit log index of the submission event; the receipt is built from it and a
    # checkpoint that covers it (bids/receipts.py), so it need not be stored.
    log_index = models.PositiveBigIntegerField(_("audit log index"), null=True)
    # Written only by the opening: the decrypted inner statement and what it says.
    opened_content = models.BinaryField(null=True, blank=True)
    prices = models.JSONField(null=True, blank=True)
    invalid_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["tender", "received_at", "pk"]
        indexes = [models.Index(fields=["tender", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["sealed_sha256"], name="bid_sealed_once"),
        ]

    def __str__(self) -> str:
        return self.public_id


class RefusalCount(models.Model):
    """How many submissions were refused, per tender, day and reason. A refused bid leaves no
    row and no event; this counter is what the operators and auditors see of it."""

    tender = models.ForeignKey("procurement.Tender", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    code = models.CharField(max_length=50)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender", "day", "code"], name="refusal_count_once")
        ]

    def __str__(self) -> str:
        return f"{self.tender_id} {self.day} {self.code}: {self.count}"


class OpeningProtocol(models.Model):
    """The published result of opening: canonical JSON, hashed, one per tender."""

    tender = models.OneToOneField(
        "procurement.Tender", on_delete=models.PROTECT, related_name="opening_protocol"
    )
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    opened_at = models.DateTimeField()
    log_index = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("opening protocol")
        verbose_name_plural = _("opening protocols")

    def __str__(self) -> str:
        return f"{self.tender_id} opening"
