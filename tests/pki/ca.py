"""A throwaway CA for tests, built with cryptography's x509 builders: a root, an issuing
intermediate, certificates for suppliers (good and broken ones) and CRLs."""

import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.utils import timezone

from pki.models import CertificateRevocationList

DER = serialization.Encoding.DER
PEM = serialization.Encoding.PEM


def new_key(kind: str = "ecdsa"):
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def name(common_name: str, *, serial_number: str | None = None, ou: str | None = None):
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if serial_number:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    if ou:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"))
    return x509.Name(attributes)


def usage(*, signing: bool = True, non_repudiation: bool | None = None, ca: bool = False):
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing if non_repudiation is None else non_repudiation,
        key_encipherment=not signing and not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def build(subject, key, issuer_name, issuer_key, *, start, end, ca=False, key_usage=None):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    )
    key_usage = usage(signing=False, ca=True) if ca else key_usage
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


class TestCA:
    """A root and an intermediate; `issue` makes suppliers' certificates, `crl` their lists."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, label: str = "Test"):
        now = timezone.now()
        self.root_key = new_key()
        self.root = build(
            name(f"{label} Root CA"),
            self.root_key,
            name(f"{label} Root CA"),
            self.root_key,
            start=now - dt.timedelta(days=365),
            end=now + dt.timedelta(days=3650),
            ca=True,
        )
        self.key = new_key()
        self.intermediate = build(
            name(f"{label} Issuing CA"),
            self.key,
            self.root.subject,
            self.root_key,
            start=now - dt.timedelta(days=365),
            end=now + dt.timedelta(days=3650),
            ca=True,
        )

    def issue(self, bin: str, *, kind="ecdsa", start=None, end=None, key_usage="signing", **names):
        """(key, certificate) for BIN; `names` override the subject (serial_number, ou)."""
        now = timezone.now()
        key = new_key(kind)
        subject_fields = {"serial_number": f"BIN{bin}", **names}
        key_usage = usage() if key_usage == "signing" else key_usage
        certificate = build(
            name("Supplier LLP", **subject_fields),
            key,
            self.intermediate.subject,
            self.key,
            start=start or now - dt.timedelta(days=1),
            end=end or now + dt.timedelta(days=365),
            key_usage=key_usage,
        )
        return key, certificate

    def crl(self, *, by_root=False, revoked=(), this_update=None, next_update=None):
        now = timezone.now()
        key, issuer = (self.root_key, self.root) if by_root else (self.key, self.intermediate)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.subject)
            .last_update(this_update or now - dt.timedelta(hours=1))
            .next_update(next_update or now + dt.timedelta(days=7))
            .add_extension(x509.CRLNumber(1), critical=False)
        )
        for serial in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - dt.timedelta(hours=2))
                .build()
            )
        return builder.sign(key, hashes.SHA256())


def cache(crl: x509.CertificateRevocationList, *, fetched_at=None) -> CertificateRevocationList:
    """Put a CRL in the cache directly, as if refreshed (no service, no event)."""
    der = crl.public_bytes(DER)
    return CertificateRevocationList.objects.create(
        issuer=crl.issuer.rfc4514_string(),
        der=der,
        this_update=crl.last_update_utc,
        next_update=crl.next_update_utc,
        fetched_at=fetched_at or timezone.now(),
        sha256=hashlib.sha256(der).hexdigest(),
    )


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(DER)


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(PEM)
