"""The signed attributes of a CMS SignerInfo, read in one pass and checked as the standards say.

RFC 5652 section 11: content-type and message-digest are each present once with one value,
signing-time at most once. RFC 5035: a signing-certificate(-v2) attribute, when present,
names the signer's certificate (its hash, and its issuer and serial if given). RFC 6211: an
algorithm-protection attribute, when present, names the algorithms the SignerInfo claims.

pyhanko answers the same questions by searching the attribute list once per question and
decoding every attribute type's name each time: most of a bid's verification CPU. Here the
list is walked once, by dotted OID, and only the attributes asked about are decoded.
"""

from dataclasses import dataclass

from asn1crypto import cms, tsp
from django.utils.translation import gettext as _
from pyhanko.sign.general import check_ess_certid

CONTENT_TYPE = "1.2.840.113549.1.9.3"
MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
SIGNING_TIME = "1.2.840.113549.1.9.5"
SIGNING_CERTIFICATE = "1.2.840.113549.1.9.16.2.12"
SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"
ALGORITHM_PROTECTION = "1.2.840.113549.1.9.52"
DATA = "1.2.840.113549.1.7.1"
# The attributes a signature may carry at most once (with exactly one value).
SINGLE = {
    CONTENT_TYPE: "content type",
    MESSAGE_DIGEST: "message digest",
    SIGNING_TIME: "signing time",
    SIGNING_CERTIFICATE: "signing certificate",
    SIGNING_CERTIFICATE_V2: "signing certificate",
    ALGORITHM_PROTECTION: "algorithm protection",
}


class BadAttributes(ValueError):
    """A signed attribute is missing, repeated or contradicts the signature: `reason` says which,
    in words for the supplier."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignedAttributes:
    message_digest: bytes
    signing_time: object  # datetime or None
    signing_certificate: tsp.ESSCertID | tsp.ESSCertIDv2 | None
    protection: cms.CMSAlgorithmProtection | None


def read(signed_attrs: cms.CMSAttributes) -> SignedAttributes:
    """The attributes the platform checks, each refused if repeated or multi-valued."""
    found: dict[str, object] = {}
    for attribute in signed_attrs:
        oid = attribute["type"].dotted
        if oid not in SINGLE:
            continue  # other attributes (SMIMECapabilities, ...) are signed but not interpreted
        values = attribute["values"]
        if oid in found or len(values) != 1:
            raise BadAttributes(
                _("the %(attribute)s attribute must appear once, with one value.")
                % {"attribute": SINGLE[oid]}
            )
        found[oid] = values[0]
    if CONTENT_TYPE not in found or found[CONTENT_TYPE].dotted != DATA:
        raise BadAttributes(_("its signed content type is missing or is not plain data."))
    if MESSAGE_DIGEST not in found:
        raise BadAttributes(_("it has no message digest attribute."))
    # RFC 5035: where both are present, version 2 is the one relied on.
    certificate = found.get(SIGNING_CERTIFICATE_V2) or found.get(SIGNING_CERTIFICATE)
    signing_time = found.get(SIGNING_TIME)
    return SignedAttributes(
        message_digest=found[MESSAGE_DIGEST].native,
        signing_time=signing_time.native if signing_time is not None else None,
        signing_certificate=certificate["certs"][0] if certificate is not None else None,
        protection=found.get(ALGORITHM_PROTECTION),
    )


def check_signing_certificate(attributes: SignedAttributes, certificate) -> None:
    """The ESS attribute, when present, must name the certificate that verifies the signature:
    otherwise a certificate could be swapped for another with the same key."""
    certid = attributes.signing_certificate
    if certid is not None and not check_ess_certid(certificate, certid):
        raise BadAttributes(
            _("its signing-certificate attribute names another certificate than its signer's.")
        )


def check_algorithm_protection(attributes: SignedAttributes, signer_info: cms.SignerInfo) -> None:
    """RFC 6211: the unsigned algorithm fields must say what the signed attribute says."""
    protection = attributes.protection
    if protection is None:
        return
    same_digest = protection["digest_algorithm"].native == signer_info["digest_algorithm"].native
    same_signature = (
        protection["signature_algorithm"].native == signer_info["signature_algorithm"].native
    )
    if not (same_digest and same_signature):
        raise BadAttributes(
            _("its algorithm-protection attribute contradicts the algorithms it claims.")
        )
