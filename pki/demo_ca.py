"""A demo certification authority, standing in for a national CA: a root, an issuing
intermediate, a CRL from each, and a PKCS#12 file (password "demo") per demo supplier.

Everything lives under settings.DEMO_DIR / "pki" and every function is idempotent. Never for
production: the CA keys sit unencrypted beside the certificates.

    root.pem, root.key                  the trust anchor (ECDSA P-256)
    intermediate.pem, intermediate.key  issues suppliers' certificates
    crl.pem                             the intermediate's CRL (suppliers' revocations)
    root-crl.pem                        the root's CRL (validation needs one for every CA)
    index.json                          issued and revoked serials, the CRL number
    suppliers/<BIN>.p12, <BIN>.pem      key, certificate and chain; the certificate alone
"""

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone

from pki.choices import KeyType

DEMO_PASSWORD = b"demo"
ORGANISATION = "Open Tender Platform (demo CA)"
ROOT_VALIDITY = dt.timedelta(days=20 * 365)
INTERMEDIATE_VALIDITY = dt.timedelta(days=10 * 365)
SUPPLIER_VALIDITY = dt.timedelta(days=2 * 365)
CRL_VALIDITY = dt.timedelta(days=7)
# Re-issued by ensure_demo_pki when this close to nextUpdate, so a demo never goes stale.
CRL_RENEW_BEFORE = dt.timedelta(days=1)
# X.520 upper bound for CN and O.
NAME_MAX = 64


def pki_dir() -> Path:
    return Path(settings.DEMO_DIR) / "pki"


def _name(common_name: str, *extra: x509.NameAttribute) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:NAME_MAX]),
            *extra,
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )


def _write(path: Path, data: bytes, *, secret: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    temporary.replace(path)  # a reader never sees half a file


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def _ca(stem: str, common_name: str, *, parent=None, validity: dt.timedelta):
    """(key, certificate) of a CA, made once and read back afterwards."""
    key_path, cert_path = pki_dir() / f"{stem}.key", pki_dir() / f"{stem}.pem"
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(common_name, x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION))
    issuer_key, issuer = parent or (key, None)
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + validity)
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None if parent is None else 0), critical=True
        )
        .add_extension(_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )
    _write(key_path, _key_pem(key), secret=True)
    _write(cert_path, _pem(certificate))
    return key, certificate


def root():
    return _ca("root", "Demo Root CA", validity=ROOT_VALIDITY)


def intermediate():
    return _ca("intermediate", "Demo Issuing CA", parent=root(), validity=INTERMEDIATE_VALIDITY)


def _index() -> dict:
    path = pki_dir() / "index.json"
    if path.exists():
        return json.loads(path.read_text())
    return {"issued": {}, "revoked": {}, "crl_number": 0}


def _save_index(index: dict) -> None:
    _write(pki_dir() / "index.json", json.dumps(index, indent=2, sort_keys=True).encode())


def init_ca() -> Path:
    """The root, the intermediate and their CRLs, made when missing; returns the folder."""
    intermediate()
    if not (pki_dir() / "crl.pem").exists() or not (pki_dir() / "root-crl.pem").exists():
        issue_crls()
    return pki_dir()


def normalise_serial(serial: str) -> str:
    """ "01:AB", "0x1ab" and "1AB" are the same serial: lowercase hex, no leading zeros."""
    text = serial.strip().lower().replace(":", "").removeprefix("0x")
    return f"{int(text, 16):x}"


def issue(bin: str, name: str, *, force: bool = False) -> Path:
    """A PKCS#12 file for the supplier with this BIN, unless one exists; returns its path."""
    if len(bin) != 12 or not bin.isdigit():
        raise ValueError(f"a BIN has 12 digits, not {bin!r}")
    p12_path = pki_dir() / "suppliers" / f"{bin}.p12"
    if p12_path.exists() and not force:
        return p12_path
    init_ca()
    ca_key, ca_certificate = intermediate()
    index = _index()
    # Alternate, so the demo exercises both kinds of signature.
    kind = KeyType.ECDSA if len(index["issued"]) % 2 == 0 else KeyType.RSA
    key = (
        ec.generate_private_key(ec.SECP256R1())
        if kind == KeyType.ECDSA
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    certificate = _supplier_certificate(bin, name, key, ca_key, ca_certificate)
    chain = [ca_certificate, root()[1]]
    p12 = pkcs12.serialize_key_and_certificates(
        name=bin.encode(),
        key=key,
        cert=certificate,
        cas=chain,
        encryption_algorithm=serialization.BestAvailableEncryption(DEMO_PASSWORD),
    )
    _write(p12_path, p12, secret=True)
    _write(p12_path.with_suffix(".pem"), _pem(certificate))
    index["issued"][f"{certificate.serial_number:x}"] = {
        "bin": bin,
        "key_type": kind.value,
        "not_after": certificate.not_valid_after_utc.isoformat(),
    }
    _save_index(index)
    return p12_path


def _supplier_certificate(bin, name, key, ca_key, ca_certificate) -> x509.Certificate:
    subject = _name(
        name,
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"BIN{bin}"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:NAME_MAX]),
    )
    now = timezone.now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + SUPPLIER_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(signing=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def revoke(serial: str) -> str:
    """Put a serial the demo CA issued into its CRL (re-issued now); returns the serial."""
    serial = normalise_serial(serial)
    index = _index()
    if serial not in index["issued"]:
        raise ValueError(f"the demo CA issued no certificate with serial {serial}")
    index["revoked"].setdefault(serial, timezone.now().isoformat())
    _save_index(index)
    issue_crls()
    return serial


def issue_crls() -> tuple[Path, Path]:
    """Sign fresh CRLs: the intermediate's with every revoked serial, and the root's (empty)."""
    index = _index()
    index["crl_number"] += 1
    _save_index(index)
    revoked = {int(s, 16): dt.datetime.fromisoformat(at) for s, at in index["revoked"].items()}
    paths = (pki_dir() / "crl.pem", pki_dir() / "root-crl.pem")
    for path, (key, certificate), entries in (
        (paths[0], intermediate(), revoked),
        (paths[1], root(), {}),
    ):
        _write(path, _crl(key, certificate, entries, number=index["crl_number"]))
    return paths


def _crl(key, certificate, revoked: dict, *, number: int) -> bytes:
    now = timezone.now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(certificate.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
    )
    for serial, revoked_at in sorted(revoked.items()):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(revoked_at)
            .build()
        )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def _crl_due() -> bool:
    path = pki_dir() / "crl.pem"
    if not path.exists():
        return True
    crl = x509.load_pem_x509_crl(path.read_bytes())
    return crl.next_update_utc - timezone.now() < CRL_RENEW_BEFORE


def is_configured() -> bool:
    """Whether settings trust this demo root (not so in tests that move DEMO_DIR alone)."""
    mine = (pki_dir() / "root.pem").resolve()
    return any(Path(p).resolve() == mine for p in settings.PKI_TRUST_ROOTS)


def refresh_demo_cache(*, force: bool = False) -> bool:
    """Load the demo CRLs into the cache when it lacks them or holds them half-way to stale.

    Skipped when settings do not trust the demo root (its lists would be refused). A second
    demo run right after the first finds the cache current and writes nothing.
    """
    from pki.models import CertificateRevocationList
    from pki.services.crls import refresh_crls

    if not is_configured():
        return False
    sources = [pki_dir() / "crl.pem", pki_dir() / "root-crl.pem"]
    recent = timezone.now() - dt.timedelta(seconds=settings.PKI_CRL_MAX_AGE_SECONDS / 2)
    current = all(
        CertificateRevocationList.objects.filter(
            sha256=_der_sha256(path), fetched_at__gte=recent
        ).exists()
        for path in sources
    )
    if current and not force:
        return False
    refresh_crls(sources=sources)
    return True


def _der_sha256(path: Path) -> str:
    crl = x509.load_pem_x509_crl(path.read_bytes())
    return hashlib.sha256(crl.public_bytes(serialization.Encoding.DER)).hexdigest()


def ensure_demo_pki(suppliers) -> list[Path]:
    """The demo CA, a PKCS#12 file for each supplier (anything with .bin and .legal_name),
    fresh CRLs and, when settings trust the demo root, the CRL cache. Returns the files."""
    init_ca()
    paths = [issue(s.bin, s.legal_name) for s in suppliers]
    if _crl_due():
        issue_crls()
    refresh_demo_cache()
    return paths
