"""Verifying a detached CMS SignedData (CAdES-BES) over given bytes. No database, no trust:
the caller passes the returned certificate to `pki.validation.validate_certificate`.

SHA-256 only, RSA (PKCS#1 v1.5 or PSS) or ECDSA, and signed attributes required: the
messageDigest attribute is what ties the signature to the content.
"""

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from pyhanko.sign.general import (
    MultivaluedAttributeError,
    NonexistentAttributeError,
    find_unique_cms_attribute,
)
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import (
    extract_certs_for_validation,
    validate_sig_integrity,
)

from pki.errors import CertificateRefused

# The generic OIDs take their hash from the digest algorithm, which must be SHA-256.
SIGNATURE_ALGORITHMS = {"rsassa_pkcs1v15", "sha256_rsa", "rsassa_pss", "ecdsa", "sha256_ecdsa"}
# Clocks differ; a signing time further ahead of `at` than this is a claim about the future.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class SignedBy:
    certificate_der: bytes
    signing_time: dt.datetime | None
    digest_algorithm: str


def malformed(reason: str) -> CertificateRefused:
    return CertificateRefused(
        "signature_malformed",
        _("The signature is not a detached CMS signature the platform accepts: %(reason)s")
        % {"reason": reason},
    )


def verify_detached_cms(signature_der: bytes, content: bytes, *, at: dt.datetime) -> SignedBy:
    """Who signed `content`; CertificateRefused("signature_…") when the signature does not hold."""
    try:
        signed_data = _signed_data(bytes(signature_der))
        signer_info = _only_signer(signed_data)
        _check_algorithms(signer_info)
        certificate = _signer_certificate(signed_data, signer_info)
        intact, valid = validate_sig_integrity(
            signer_info, certificate, "data", hashlib.sha256(content).digest()
        )
        signing_time = _signing_time(signer_info)
    except SignatureValidationError as exc:
        raise malformed(exc.failure_message) from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise malformed(_("it cannot be decoded.")) from exc
    if not intact:
        raise CertificateRefused(
            "signature_invalid",
            _(
                "The signature is not over this content: it was changed after signing, or "
                "another document was signed."
            ),
        )
    if not valid:
        raise CertificateRefused(
            "signature_invalid", _("The signature does not verify with the signer's certificate.")
        )
    if signing_time is not None and signing_time > at + CLOCK_SKEW:
        raise CertificateRefused(
            "signature_invalid",
            _("The signature claims to be made at %(time)s, which is later than now.")
            % {"time": f"{signing_time.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"},
        )
    return SignedBy(certificate.dump(), signing_time, "sha256")


# Finding the signer's certificate among those a signature carries compares names the LDAP
# way (string preparation of every attribute): about half of the verification's CPU, for an
# answer that depends only on the certificates and the signer identifier, the same bytes in
# every bid a supplier signs. It is remembered per those bytes (a pure function: nothing about
# the request or the moment); the signature, every signed attribute (the signing-certificate
# attribute included) and the content are checked anew each time by validate_sig_integrity,
# and whether the certificate may sign is validate_certificate's question, asked every time.
SIGNER_MEMO_SIZE = 4096
_signers: dict[tuple[bytes, bytes], bytes] = {}
_signers_lock = threading.Lock()


def _signer_certificate(signed_data: cms.SignedData, signer_info: cms.SignerInfo):
    carried = signed_data["certificates"]
    if isinstance(carried, core.Void):
        return extract_certs_for_validation(signed_data).signer_cert  # pyhanko's refusal
    key = (hashlib.sha256(carried.dump()).digest(), signer_info["sid"].dump())
    der = _signers.get(key)
    if der is not None:
        return asn1_x509.Certificate.load(der)
    certificate = extract_certs_for_validation(signed_data).signer_cert
    with _signers_lock:
        if len(_signers) >= SIGNER_MEMO_SIZE:
            _signers.pop(next(iter(_signers)))
        _signers[key] = certificate.dump()
    return certificate


def _signed_data(signature_der: bytes) -> cms.SignedData:
    info = cms.ContentInfo.load(signature_der, strict=True)
    if info["content_type"].native != "signed_data":
        raise malformed(_("it is not SignedData."))
    signed_data = info["content"]
    encapsulated = signed_data["encap_content_info"]
    if encapsulated["content_type"].native != "data":
        raise malformed(_("the signed content type is not plain data."))
    if encapsulated["content"].native is not None:
        raise malformed(_("it carries the content inside; a detached signature is expected."))
    # The set is outside what the signer signed, so it could be altered without breaking the
    # signature: accept only the one algorithm the signer used, so the bytes kept are as sent.
    digests = [a["algorithm"].native for a in signed_data["digest_algorithms"]]
    if digests != ["sha256"]:
        raise malformed(
            _("it lists the digest algorithms %(list)s; only SHA-256 is accepted.")
            % {"list": ", ".join(str(d) for d in digests) or "-"}
        )
    return signed_data


def _only_signer(signed_data: cms.SignedData) -> cms.SignerInfo:
    signers = list(signed_data["signer_infos"])
    if len(signers) != 1:
        raise malformed(_("it must have exactly one signer, not %(n)d.") % {"n": len(signers)})
    signer_info = signers[0]
    if not signer_info["signed_attrs"]:
        raise malformed(_("it has no signed attributes (the message digest is missing)."))
    return signer_info


def _check_algorithms(signer_info: cms.SignerInfo) -> None:
    digest = signer_info["digest_algorithm"]["algorithm"].native
    signature = signer_info["signature_algorithm"]
    name = signature["algorithm"].native
    if digest != "sha256" or name not in SIGNATURE_ALGORITHMS:
        raise malformed(
            _("it uses %(digest)s with %(signature)s; only SHA-256 with RSA or ECDSA is accepted.")
            % {"digest": digest, "signature": name}
        )
    if name == "rsassa_pss":
        params = signature["parameters"]
        hashes = {params["hash_algorithm"]["algorithm"].native}
        hashes.add(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
        if hashes != {"sha256"}:
            raise malformed(_("its RSA-PSS parameters must use SHA-256 throughout."))


def _signing_time(signer_info: cms.SignerInfo) -> dt.datetime | None:
    try:
        return find_unique_cms_attribute(signer_info["signed_attrs"], "signing_time").native
    except NonexistentAttributeError:
        return None
    except MultivaluedAttributeError as exc:
        raise malformed(_("it has more than one signing time.")) from exc
