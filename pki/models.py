from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pki.choices import KeyType
from pki.querysets import CertificateRevocationListQuerySet, SigningCertificateQuerySet


class SigningCertificate(models.Model):
    """A supplier's signing certificate, checked against the trust store when registered.

    Registration is a convenience for the supplier's pages; every signature is checked again
    (path, validity, revocation) at the moment it is made, whatever is registered here.
    """

    organisation = models.ForeignKey(
        "suppliers.Organisation",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    der = models.BinaryField(_("certificate (DER)"))
    fingerprint_sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    serial = models.CharField(_("serial number (hex)"), max_length=80)
    issuer = models.TextField(_("issuer"))
    subject = models.TextField(pgettext_lazy("certificate", "subject"))
    subject_bin = models.CharField(_("BIN in the subject"), max_length=12)
    key_type = models.CharField(_("key type"), max_length=10, choices=KeyType.choices)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)

    objects = SigningCertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("signing certificate")
        verbose_name_plural = _("signing certificates")
        ordering = ["-registered_at", "-pk"]
        indexes = [models.Index(fields=["issuer", "serial"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(not_after__gt=models.F("not_before")),
                name="signingcertificate_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_bin} {self.serial} ({self.issuer})"

    def is_valid_at(self, instant) -> bool:
        """Within its validity period; says nothing about trust or revocation."""
        return self.not_before <= instant <= self.not_after


class CertificateRevocationList(models.Model):
    """A cached CRL. The newest per issuer is the one validation uses (`latest_per_issuer`)."""

    issuer = models.TextField(_("issuer"), db_index=True)
    der = models.BinaryField(_("CRL (DER)"))
    this_update = models.DateTimeField(_("this update"))
    next_update = models.DateTimeField(_("next update"))
    # Moved forward each time the same list is fetched again: the age check is about how long
    # ago the platform last looked, not how long ago the CA signed.
    fetched_at = models.DateTimeField(_("last fetched"), default=timezone.now)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    source = models.TextField(_("fetched from"), blank=True)

    objects = CertificateRevocationListQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate revocation list")
        verbose_name_plural = _("certificate revocation lists")
        ordering = ["issuer", "-this_update", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "sha256"], name="crl_unique_per_issuer"),
            models.CheckConstraint(
                condition=models.Q(next_update__gt=models.F("this_update")),
                name="crl_update_times_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} @ {self.this_update:%Y-%m-%d %H:%M}"
