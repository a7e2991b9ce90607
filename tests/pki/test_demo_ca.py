"""The demo CA: idempotent files, PKCS#12 files that open with "demo", and revocation."""

import io
import json
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import Entry
from pki import demo_ca
from pki.errors import CertificateRefused
from pki.models import CertificateRevocationList
from pki.services.crls import refresh_crls
from pki.validation import validate_certificate
from tests.factories import make_bin
from tests.pki.ca import der

FILES = ("root.pem", "root.key", "intermediate.pem", "intermediate.key", "crl.pem", "root-crl.pem")


@pytest.fixture
def demo_trust(settings):
    """Settings trust the demo CA in this test's DEMO_DIR, as they do outside tests."""
    folder = settings.DEMO_DIR / "pki"
    settings.PKI_TRUST_ROOTS = [folder / "root.pem"]
    settings.PKI_INTERMEDIATES = [folder / "intermediate.pem"]
    settings.PKI_CRL_SOURCES = [folder / "crl.pem", f"file://{folder / 'root-crl.pem'}"]
    return folder


def _open(p12_path):
    return pkcs12.load_key_and_certificates(p12_path.read_bytes(), demo_ca.DEMO_PASSWORD)


def test_init_makes_the_ca_files_once(settings):
    folder = demo_ca.init_ca()
    first = {name: (folder / name).read_bytes() for name in FILES}
    demo_ca.init_ca()
    assert {name: (folder / name).read_bytes() for name in FILES} == first
    assert oct((folder / "root.key").stat().st_mode & 0o777) == "0o600"


def test_a_supplier_file_opens_with_the_demo_password_and_holds_the_chain():
    bin = make_bin()
    key, certificate, chain = _open(demo_ca.issue(bin, "Medservice Plus LLP"))
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert certificate.subject.rfc4514_string() == (
        f"C=KZ,O=Medservice Plus LLP,2.5.4.5=BIN{bin},CN=Medservice Plus LLP"
    )
    assert [c.subject.rfc4514_string() for c in chain] == [
        "C=KZ,O=Open Tender Platform (demo CA),CN=Demo Issuing CA",
        "C=KZ,O=Open Tender Platform (demo CA),CN=Demo Root CA",
    ]
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert (certificate.not_valid_after_utc - certificate.not_valid_before_utc).days >= 730


def test_keys_alternate_between_ecdsa_and_rsa_and_issuing_again_changes_nothing():
    first, second = make_bin(), make_bin()
    path = demo_ca.issue(first, "First LLP")
    demo_ca.issue(second, "Second LLP")
    assert isinstance(_open(demo_ca.issue(second, "Second LLP"))[0], rsa.RSAPrivateKey)
    assert demo_ca.issue(first, "First LLP") == path
    assert len(json.loads((demo_ca.pki_dir() / "index.json").read_text())["issued"]) == 2


def test_a_long_name_is_cut_to_what_x509_allows():
    _key, certificate, _chain = _open(demo_ca.issue(make_bin(), "A" * 300))
    assert len(certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value) == 64


def test_a_demo_certificate_validates_once_the_crls_are_cached(db, demo_trust):
    bin = make_bin()
    _key, certificate, _chain = _open(demo_ca.issue(bin, "Medservice Plus LLP"))
    refresh_crls()
    assert validate_certificate(der(certificate), bin=bin, at=timezone.now()).key_type == "ecdsa"


def test_revoking_puts_the_serial_in_the_crl_and_validation_says_revoked(db, demo_trust):
    bin = make_bin()
    _key, certificate, _chain = _open(demo_ca.issue(bin, "Medservice Plus LLP"))
    demo_ca.revoke(f"{certificate.serial_number:X}")
    crl = x509.load_pem_x509_crl((demo_trust / "crl.pem").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None
    refresh_crls()
    with pytest.raises(CertificateRefused, match="revoked") as caught:
        validate_certificate(der(certificate), bin=bin, at=timezone.now())
    assert caught.value.code == "certificate_revoked"


def test_revoking_an_unknown_serial_is_refused():
    demo_ca.init_ca()
    with pytest.raises(ValueError, match="issued no certificate"):
        demo_ca.revoke("abc123")


def test_ensure_demo_pki_issues_for_each_supplier_and_fills_the_cache_once(db, demo_trust):
    suppliers = [SimpleNamespace(bin=make_bin(), legal_name=f"Supplier {i}") for i in (1, 2)]
    paths = demo_ca.ensure_demo_pki(suppliers)
    assert [p.name for p in paths] == [f"{s.bin}.p12" for s in suppliers]
    assert CertificateRevocationList.objects.count() == 2
    events = Entry.objects.count()
    demo_ca.ensure_demo_pki(suppliers)
    assert Entry.objects.count() == events


def test_ensure_demo_pki_leaves_the_cache_alone_when_settings_trust_another_root(db, settings):
    settings.PKI_TRUST_ROOTS = [settings.DEMO_DIR / "elsewhere" / "root.pem"]
    demo_ca.ensure_demo_pki([SimpleNamespace(bin=make_bin(), legal_name="Supplier")])
    assert not CertificateRevocationList.objects.exists()
    assert not Entry.objects.exists()


def test_the_command_issues_revokes_and_refreshes_the_cache(db, demo_trust):
    bin = make_bin()
    out = io.StringIO()
    call_command("demo_ca", "init", stdout=out)
    call_command("demo_ca", "issue", bin, "--name", "Steppe LLP", stdout=out)
    _key, certificate, _chain = _open(demo_trust / "suppliers" / f"{bin}.p12")
    call_command("demo_ca", "revoke", f"{certificate.serial_number:x}", stdout=out)
    assert "CRL cache refreshed" in out.getvalue()
    with pytest.raises(CertificateRefused, match="revoked"):
        validate_certificate(der(certificate), bin=bin, at=timezone.now())
    with pytest.raises(CommandError, match="issued no certificate"):
        call_command("demo_ca", "revoke", "ff", stdout=out)


def test_refresh_crls_command_reports_failed_sources(db, demo_trust, tmp_path):
    demo_ca.init_ca()
    out = io.StringIO()
    call_command("refresh_crls", stdout=out)
    assert "Demo Issuing CA" in out.getvalue()
    with pytest.raises(CommandError, match=r"missing\.pem"):
        call_command("refresh_crls", str(tmp_path / "missing.pem"), stdout=out)
