"""Verifying a detached CMS SignedData (CAdES-BES) over given bytes. No database, no trust:
the caller passes the returned certificate to `pki.validation.validate_certificate`.

SHA-256 only, RSA (PKCS#1 v1.5 or PSS) or ECDSA, and signed attributes required: the
messageDigest attribute is what ties the signature to the content. The structure is read
with asn1crypto, the signed attributes are checked by pki/cms_attributes.py and the
signature over them by `cryptography` (OpenSSL), with the signer's public key loaded once
per certificate.
"""

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.utils.translation import gettext as _
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import extract_certs_for_validation

from pki import cms_attributes
from pki.errors import CertificateRefused

# The generic OIDs take their hash from the digest algorithm, which must be SHA-256.
SIGNATURE_ALGORITHMS = {"rsassa_pkcs1v15", "sha256_rsa", "rsassa_pss", "ecdsa", "sha256_ecdsa"}
RSA_ALGORITHMS = {"rsassa_pkcs1v15", "sha256_rsa", "rsassa_pss"}
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
        signer = _signer(signed_data, signer_info)
        attributes = cms_attributes.read(signer_info["signed_attrs"])
        cms_attributes.check_algorithm_protection(attributes, signer_info)
        cms_attributes.check_signing_certificate(attributes, signer.certificate())
        valid = _signature_holds(signer_info, signer.public_key)
    except cms_attributes.BadAttributes as exc:
        raise malformed(exc.reason) from exc
    except SignatureValidationError as exc:
        raise malformed(exc.failure_message) from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise malformed(_("it cannot be decoded.")) from exc
    if attributes.message_digest != hashlib.sha256(content).digest():
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
    signing_time = attributes.signing_time
    if signing_time is not None and signing_time > at + CLOCK_SKEW:
        raise CertificateRefused(
            "signature_invalid",
            _("The signature claims to be made at %(time)s, which is later than now.")
            % {"time": f"{signing_time.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"},
        )
    return SignedBy(signer.der, signing_time, "sha256")


def _signature_holds(signer_info: cms.SignerInfo, public_key) -> bool:
    """Whether the signature is the signer's over the DER of the signed attributes (RFC 5652
    5.4: re-tagged as a SET OF, as sent: not re-encoded)."""
    signed = signer_info["signed_attrs"].untag().dump()
    signature = signer_info["signature"].native
    algorithm = signer_info["signature_algorithm"]
    name = algorithm["algorithm"].native
    try:
        if name in RSA_ALGORITHMS:
            if not isinstance(public_key, rsa.RSAPublicKey):
                return False
            public_key.verify(signature, signed, _rsa_padding(algorithm), hashes.SHA256())
        else:
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                return False
            public_key.verify(signature, signed, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _rsa_padding(algorithm) -> padding.AsymmetricPadding:
    if algorithm["algorithm"].native != "rsassa_pss":
        return padding.PKCS1v15()
    # _check_algorithms made sure the hash and the mask generation both use SHA-256.
    salt = algorithm["parameters"]["salt_length"].native
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt)


# Finding the signer's certificate among those a signature carries compares names the LDAP
# way (string preparation of every attribute), and loading its public key parses it again: most
# of the verification's CPU, for answers that depend only on the certificates and the signer
# identifier, the same bytes in every bid a supplier signs. They are remembered per those bytes
# (pure functions: nothing about the request or the moment). The signature, every signed
# attribute (the signing-certificate attribute included) and the content are checked anew
# each time, and whether the certificate may sign is validate_certificate's question, asked
# every time.
SIGNER_MEMO_SIZE = 4096


@dataclass(frozen=True)
class _Signer:
    der: bytes
    public_key: object  # cryptography's public key: immutable, shared between threads

    def certificate(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.der)  # parsed lazily, so cheap; one per call


_signers: dict[tuple[bytes, bytes], _Signer] = {}
_signers_lock = threading.Lock()


def _signer(signed_data: cms.SignedData, signer_info: cms.SignerInfo) -> _Signer:
    carried = signed_data["certificates"]
    if isinstance(carried, core.Void):
        extract_certs_for_validation(signed_data)  # raises pyhanko's refusal, in its words
    key = (hashlib.sha256(carried.dump()).digest(), signer_info["sid"].dump())
    found = _signers.get(key)
    if found is not None:
        return found
    certificate = extract_certs_for_validation(signed_data).signer_cert
    found = _Signer(certificate.dump(), _public_key(certificate))
    with _signers_lock:
        if len(_signers) >= SIGNER_MEMO_SIZE:
            _signers.pop(next(iter(_signers)))
        _signers[key] = found
    return found


def _public_key(certificate: asn1_x509.Certificate):
    info = certificate["tbs_certificate"]["subject_public_key_info"]
    if info["algorithm"]["algorithm"].native == "rsassa_pss":
        # A key restricted to PSS: OpenSSL loads it as the RSA key it is; _check_algorithms
        # has fixed the parameters the signature may use.
        info = info.copy()
        info["algorithm"] = {"algorithm": "rsa"}
    return serialization.load_der_public_key(info.dump())


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
        used = {params["hash_algorithm"]["algorithm"].native}
        used.add(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
        if used != {"sha256"}:
            raise malformed(_("its RSA-PSS parameters must use SHA-256 throughout."))
