"""The signed attributes of a detached CMS signature: each one the platform relies on must be
there once, say what the signature claims, and name the signer's certificate when it names one.

Every signature here is signed properly by the signer over the attributes it carries, so what
is refused is refused for the attribute, not for a broken signature.
"""

import hashlib

import pytest
from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from django.utils import timezone

from pki.cms import verify_detached_cms
from pki.errors import CertificateRefused
from tests.factories import make_bin
from tests.pki.ca import der
from tests.pki.test_verify_detached_cms import CONTENT, sign


@pytest.fixture(scope="module", params=["rsa", "ecdsa"])
def signer(request, test_ca):
    return test_ca.issue(make_bin(), kind=request.param)


def resign(signature: bytes, key, edit) -> bytes:
    """`signature` with its signed attributes changed by `edit(list_of_attributes)` and the
    signer's signature made again over them, as a verifier reads them."""
    info = cms.ContentInfo.load(signature)
    signer_info = info["content"]["signer_infos"][0]
    attributes = [cms.CMSAttribute.load(a.dump()) for a in signer_info["signed_attrs"]]
    edit(attributes)
    signer_info["signed_attrs"] = cms.CMSAttributes(attributes)
    info = cms.ContentInfo.load(info.dump(force=True))
    signer_info = info["content"]["signer_infos"][0]
    payload = signer_info["signed_attrs"].untag().dump()  # SET OF, as RFC 5652 5.4 signs it
    if isinstance(key, ec.EllipticCurvePrivateKey):
        signer_info["signature"] = key.sign(payload, ec.ECDSA(hashes.SHA256()))
    else:
        signer_info["signature"] = key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
    return info.dump(force=True)


def attribute(kind: str, value) -> cms.CMSAttribute:
    return cms.CMSAttribute({"type": kind, "values": [value]})


def named(attributes: list, kind: str) -> cms.CMSAttribute:
    return next(a for a in attributes if a["type"].native == kind)


def refusal(signature: bytes) -> CertificateRefused:
    with pytest.raises(CertificateRefused) as caught:
        verify_detached_cms(signature, CONTENT, at=timezone.now())
    return caught.value


def accepted(signature: bytes) -> bytes:
    return verify_detached_cms(signature, CONTENT, at=timezone.now()).certificate_der


def test_a_resigned_signature_with_its_attributes_unchanged_verifies(signer):
    key, certificate = signer
    assert accepted(resign(sign(certificate, key), key, lambda attributes: None)) == der(
        certificate
    )


def _second_content_type(attributes):
    attributes.append(attribute("content_type", "data"))


def _two_digest_values(attributes):
    named(attributes, "message_digest")["values"] = [
        hashlib.sha256(CONTENT).digest(),
        b"\x00" * 32,
    ]


def _no_message_digest(attributes):
    attributes.remove(named(attributes, "message_digest"))


def _signed_data_content_type(attributes):
    named(attributes, "content_type")["values"] = ["signed_data"]


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (_second_content_type, "content type attribute must appear once"),
        (_two_digest_values, "message digest attribute must appear once"),
        (_no_message_digest, "no message digest"),
        (_signed_data_content_type, "content type is missing or is not plain data"),
    ],
    ids=["two content types", "two digest values", "no digest", "content type not data"],
)
def test_refuses_signed_attributes_the_standard_forbids(signer, edit, reason):
    key, certificate = signer
    refused = refusal(resign(sign(certificate, key), key, edit))
    assert refused.code == "signature_malformed"
    assert reason in refused.message


def _essv2(certificate_der: bytes, *, issuer_serial=None) -> tsp.SigningCertificateV2:
    certid = {"cert_hash": hashlib.sha256(certificate_der).digest()}
    if issuer_serial is not None:
        certid["issuer_serial"] = issuer_serial
    return tsp.SigningCertificateV2({"certs": [certid]})


def test_accepts_a_signing_certificate_attribute_that_names_the_signer(signer):
    key, certificate = signer
    parsed = asn1_x509.Certificate.load(der(certificate))
    issuer_serial = {
        "issuer": [asn1_x509.GeneralName({"directory_name": parsed.issuer})],
        "serial_number": parsed.serial_number,
    }
    value = _essv2(der(certificate), issuer_serial=issuer_serial)
    signature = resign(
        sign(certificate, key),
        key,
        lambda a: a.append(attribute("signing_certificate_v2", value)),
    )
    assert accepted(signature) == der(certificate)


def test_refuses_a_signing_certificate_attribute_that_names_another_certificate(signer, test_ca):
    key, certificate = signer
    _other_key, other = test_ca.issue(make_bin())
    value = _essv2(der(other))
    signature = resign(
        sign(certificate, key),
        key,
        lambda a: a.append(attribute("signing_certificate_v2", value)),
    )
    refused = refusal(signature)
    assert refused.code == "signature_malformed"
    assert "names another certificate" in refused.message


def test_refuses_a_signing_certificate_attribute_with_another_serial(signer):
    key, certificate = signer
    parsed = asn1_x509.Certificate.load(der(certificate))
    issuer_serial = {
        "issuer": [asn1_x509.GeneralName({"directory_name": parsed.issuer})],
        "serial_number": parsed.serial_number + 1,
    }
    value = _essv2(der(certificate), issuer_serial=issuer_serial)
    signature = resign(
        sign(certificate, key),
        key,
        lambda a: a.append(attribute("signing_certificate_v2", value)),
    )
    assert "names another certificate" in refusal(signature).message


def _protection(signature: bytes, *, digest: str = "sha256", same_signature=True):
    info = cms.ContentInfo.load(signature)
    claimed = info["content"]["signer_infos"][0]["signature_algorithm"]
    algorithm = claimed if same_signature else algos.SignedDigestAlgorithm({"algorithm": "md5_rsa"})
    return cms.CMSAlgorithmProtection(
        {
            "digest_algorithm": {"algorithm": digest},
            "signature_algorithm": algos.SignedDigestAlgorithm.load(algorithm.dump()),
        }
    )


def test_accepts_an_algorithm_protection_attribute_that_agrees(signer):
    key, certificate = signer
    original = sign(certificate, key)
    value = _protection(original)
    signature = resign(
        original, key, lambda a: a.append(attribute("cms_algorithm_protection", value))
    )
    assert accepted(signature) == der(certificate)


@pytest.mark.parametrize(
    "kwargs", [{"digest": "sha512"}, {"same_signature": False}], ids=["digest", "signature"]
)
def test_refuses_an_algorithm_protection_attribute_that_contradicts(signer, kwargs):
    key, certificate = signer
    original = sign(certificate, key)
    value = _protection(original, **kwargs)
    signature = resign(
        original, key, lambda a: a.append(attribute("cms_algorithm_protection", value))
    )
    refused = refusal(signature)
    assert refused.code == "signature_malformed"
    assert "algorithm-protection attribute contradicts" in refused.message


def test_other_attributes_are_signed_but_not_interpreted(signer):
    key, certificate = signer
    extra = cms.CMSAttribute(
        {"type": "1.2.3.4.5", "values": [core.UTF8String("anything"), core.Null()]}
    )
    assert accepted(resign(sign(certificate, key), key, lambda a: a.append(extra))) == der(
        certificate
    )


def test_an_attribute_changed_without_signing_again_breaks_the_signature(signer):
    key, certificate = signer
    info = cms.ContentInfo.load(sign(certificate, key))
    signer_info = info["content"]["signer_infos"][0]
    attributes = [cms.CMSAttribute.load(a.dump()) for a in signer_info["signed_attrs"]]
    attributes.append(attribute("signing_certificate_v2", _essv2(der(certificate))))
    signer_info["signed_attrs"] = cms.CMSAttributes(attributes)
    refused = refusal(info.dump(force=True))
    assert refused.code == "signature_invalid"
    assert "does not verify" in refused.message


def test_refuses_a_signature_algorithm_that_does_not_fit_the_certificate_key(signer):
    key, certificate = signer
    info = cms.ContentInfo.load(sign(certificate, key))
    signer_info = info["content"]["signer_infos"][0]
    claimed = "sha256_rsa" if isinstance(key, ec.EllipticCurvePrivateKey) else "sha256_ecdsa"
    signer_info["signature_algorithm"] = {"algorithm": claimed}
    refused = refusal(info.dump(force=True))
    assert refused.code == "signature_invalid"
    assert "does not verify" in refused.message
