"""Who signed a document (a results protocol, a contract): a detached CMS over its exact bytes,
by a certificate the organisation registered, valid and unrevoked at the moment of signing."""

import datetime as dt

from django.utils.translation import gettext as _

from pki.cms import verify_detached_cms
from pki.errors import CertificateRefused
from pki.models import SigningCertificate
from pki.validation import validate_certificate


def document_signer(
    content: bytes, signature: bytes, *, organisation, at: dt.datetime
) -> SigningCertificate:
    """The organisation's registered certificate that signed `content`; CertificateRefused
    with the reason when the signature, the certificate or its registration does not hold."""
    signed = verify_detached_cms(signature, content, at=at)
    facts = validate_certificate(signed.certificate_der, bin=organisation.bin, at=at)
    certificate = SigningCertificate.objects.filter(
        organisation=organisation, fingerprint_sha256=facts.fingerprint_sha256
    ).first()
    if certificate is None:
        raise CertificateRefused(
            "certificate_not_registered",
            _(
                "The document was signed with a certificate (SHA-256 %(fp)s…) that %(org)s has "
                "not registered on the platform; register it first."
            )
            % {"fp": facts.fingerprint_sha256[:16], "org": organisation},
        )
    return certificate
