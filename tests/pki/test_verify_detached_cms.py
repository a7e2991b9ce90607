"""Detached CMS signatures over bid statements: who signed, and refusals when it does not hold."""

import datetime as dt
import subprocess

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from django.utils import timezone

from pki.cms import verify_detached_cms
from pki.errors import CertificateRefused
from tests.factories import make_bin
from tests.pki.ca import der, new_key

CONTENT = b'{"bidder":"123456789012","tender":"T-1"}'
DETACHED = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def sign(certificate, key, content=CONTENT, *, options=(), rsa_padding=None, digest=None):
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(certificate, key, digest or hashes.SHA256(), rsa_padding=rsa_padding)
        .sign(serialization.Encoding.DER, [*DETACHED, *options])
    )


def refusal(signature, content=CONTENT) -> CertificateRefused:
    with pytest.raises(CertificateRefused) as caught:
        verify_detached_cms(signature, content, at=timezone.now())
    return caught.value


@pytest.fixture(scope="module", params=["rsa", "ecdsa"])
def signer(request, test_ca):
    return test_ca.issue(make_bin(), kind=request.param)


def test_returns_the_signer_certificate_and_signing_time(signer):
    key, certificate = signer
    signed_by = verify_detached_cms(sign(certificate, key), CONTENT, at=timezone.now())
    assert signed_by.certificate_der == der(certificate)
    assert signed_by.digest_algorithm == "sha256"
    assert abs(signed_by.signing_time - timezone.now()) < dt.timedelta(minutes=1)


def test_verifies_rsa_pss(test_ca):
    key, certificate = test_ca.issue(make_bin(), kind="rsa")
    signature = sign(certificate, key, rsa_padding=PSS)
    assert verify_detached_cms(signature, CONTENT, at=timezone.now()).certificate_der == der(
        certificate
    )


def test_refuses_changed_content(signer):
    key, certificate = signer
    refused = refusal(sign(certificate, key), CONTENT.replace(b"T-1", b"T-2"))
    assert refused.code == "signature_invalid"
    assert "changed after signing" in refused.message


def test_refuses_a_signature_by_another_key(signer):
    _key, certificate = signer
    other_key = new_key("rsa" if isinstance(signer[0], rsa.RSAPrivateKey) else "ecdsa")
    refused = refusal(sign(certificate, other_key))
    assert refused.code == "signature_invalid"
    assert "does not verify" in refused.message


def test_refuses_sha512(signer):
    key, certificate = signer
    refused = refusal(sign(certificate, key, digest=hashes.SHA512()))
    assert refused.code == "signature_malformed"
    assert "only SHA-256" in refused.message


def test_refuses_a_signature_without_signed_attributes(signer):
    key, certificate = signer
    refused = refusal(sign(certificate, key, options=[pkcs7.PKCS7Options.NoAttributes]))
    assert refused.code == "signature_malformed"
    assert "no signed attributes" in refused.message


def test_refuses_a_signature_without_the_signer_certificate(signer):
    key, certificate = signer
    refused = refusal(sign(certificate, key, options=[pkcs7.PKCS7Options.NoCerts]))
    assert refused.code == "signature_malformed"


def test_refuses_bytes_that_are_no_cms(signer):
    assert refusal(b"\x30\x03\x02\x01\x01").code == "signature_malformed"


def test_refuses_a_signing_time_in_the_future(signer):
    key, certificate = signer
    with pytest.raises(CertificateRefused, match="later than now") as caught:
        verify_detached_cms(
            sign(certificate, key), CONTENT, at=timezone.now() - dt.timedelta(hours=1)
        )
    assert caught.value.code == "signature_invalid"


def _openssl_sign(tmp_path, certificate, key, *extra) -> bytes:
    (tmp_path / "content").write_bytes(CONTENT)
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    out = tmp_path / "signature.der"
    subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256",
         "-in", tmp_path / "content", "-signer", tmp_path / "cert.pem",
         "-inkey", tmp_path / "key.pem", "-out", out, *extra],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return out.read_bytes()


def test_verifies_a_signature_made_by_openssl_cms(tmp_path, signer):
    key, certificate = signer
    signature = _openssl_sign(tmp_path, certificate, key)
    assert verify_detached_cms(signature, CONTENT, at=timezone.now()).certificate_der == der(
        certificate
    )


def test_refuses_an_openssl_signature_that_carries_the_content(tmp_path, signer):
    key, certificate = signer
    refused = refusal(_openssl_sign(tmp_path, certificate, key, "-nodetach"))
    assert refused.code == "signature_malformed"
    assert "detached signature is expected" in refused.message


def test_refuses_a_signature_whose_unsigned_digest_list_was_altered(signer):
    """The SignedData's digestAlgorithms SET is not covered by the signature: altered, the
    signature would still verify, so the platform refuses any list but exactly SHA-256."""
    from asn1crypto import algos, cms

    key, certificate = signer
    signature = sign(certificate, key)
    info = cms.ContentInfo.load(signature)
    info["content"]["digest_algorithms"] = cms.DigestAlgorithms(
        [
            algos.DigestAlgorithm({"algorithm": "sha256"}),
            algos.DigestAlgorithm({"algorithm": "sha1"}),
        ]
    )
    assert refusal(info.dump(force=True)).code == "signature_malformed"


def test_a_remembered_signer_certificate_does_not_spare_the_signature_check(signer):
    # The first signature fills the memo of signer certificates; a second one carrying the
    # very same certificates and signer identifier, made with another key, must still fail.
    key, certificate = signer
    assert verify_detached_cms(sign(certificate, key), CONTENT, at=timezone.now())
    other_key = new_key("rsa" if isinstance(key, rsa.RSAPrivateKey) else "ecdsa")
    forged = sign(certificate, other_key)
    refused = refusal(forged)
    assert refused.code == "signature_invalid"
    assert "does not verify" in refused.message
    # And changed content under the remembered certificate is refused as before.
    assert refusal(sign(certificate, key), CONTENT + b" ").code == "signature_invalid"


def test_each_signer_is_found_among_the_same_certificates(test_ca):
    first_key, first = test_ca.issue(make_bin())
    second_key, second = test_ca.issue(make_bin())

    def signed_by(key, certificate, other):
        signature = (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(CONTENT)
            .add_signer(certificate, key, hashes.SHA256())
            .add_certificate(other)
            .sign(serialization.Encoding.DER, DETACHED)
        )
        return verify_detached_cms(signature, CONTENT, at=timezone.now()).certificate_der

    for _ in range(2):  # the second round is answered from the memo
        assert signed_by(first_key, first, second) == der(first)
        assert signed_by(second_key, second, first) == der(second)
