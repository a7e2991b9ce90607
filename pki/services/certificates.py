"""Registering a supplier's signing certificate."""

from cryptography.hazmat.primitives import serialization
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from pki.errors import CertificateRefused
from pki.models import SigningCertificate
from pki.permissions import can_register_certificate
from pki.trust import PEM_CERTIFICATE, load_certificates
from pki.validation import validate_certificate
from suppliers.models import Organisation


def _certificate_der(pem_or_der: bytes) -> bytes:
    """The one certificate in a PEM or DER upload, as DER."""
    data = bytes(pem_or_der or b"")
    if PEM_CERTIFICATE not in data:
        return data  # DER, or garbage that validation will name as such
    try:
        certificates = load_certificates(data)
    except ValueError as exc:
        raise CertificateRefused(
            "certificate_malformed", _("The PEM text does not hold a readable certificate.")
        ) from exc
    if len(certificates) != 1:
        raise CertificateRefused(
            "certificate_malformed",
            _("Upload only your own certificate, not a chain (this file holds %(n)d).")
            % {"n": len(certificates)},
        )
    return certificates[0].public_bytes(serialization.Encoding.DER)


def register_certificate(
    *, organisation: Organisation, actor: User, pem_or_der: bytes
) -> SigningCertificate:
    """Check a certificate against the trust store now, then keep it for the supplier."""
    if not can_register_certificate(organisation, actor):
        raise PermissionDenied(
            _("Only members of a supplier or an agency register its signing certificates.")
        )
    facts = validate_certificate(
        _certificate_der(pem_or_der), bin=organisation.bin, at=timezone.now()
    )
    with transaction.atomic():
        # Serialises registrations for one supplier, so a double submit finds the first.
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if SigningCertificate.objects.filter(fingerprint_sha256=facts.fingerprint_sha256).exists():
            raise CertificateRefused(
                "certificate_already_registered",
                _("This certificate (serial %(serial)s) is already registered.")
                % {"serial": facts.serial},
            )
        certificate = SigningCertificate.objects.create(
            organisation=organisation,
            der=facts.der,
            fingerprint_sha256=facts.fingerprint_sha256,
            serial=facts.serial,
            issuer=facts.issuer,
            subject=facts.subject,
            subject_bin=facts.subject_bin,
            key_type=facts.key_type,
            not_before=facts.not_before,
            not_after=facts.not_after,
            registered_by=actor,
        )
        record(
            Action.CERTIFICATE_REGISTERED,
            subject=certificate,
            actor=actor,
            data={
                "organisation": organisation.pk,
                "bin": organisation.bin,
                "fingerprint_sha256": facts.fingerprint_sha256,
                "serial": facts.serial,
                "issuer": facts.issuer,
                "key_type": facts.key_type,
                "not_after": facts.not_after,
            },
        )
    return certificate
