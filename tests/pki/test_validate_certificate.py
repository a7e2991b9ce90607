"""Which certificates may sign for a supplier, and the one refusal code per cause."""

import datetime as dt

import pytest
from django.utils import timezone

from pki.errors import CertificateRefused
from pki.validation import validate_certificate
from tests.factories import make_bin
from tests.pki.ca import build, cache, der, name, new_key, usage

BIN = make_bin()


def refusal(certificate, *, bin=BIN, at=None) -> CertificateRefused:
    with pytest.raises(CertificateRefused) as caught:
        validate_certificate(der(certificate), bin=bin, at=at or timezone.now())
    return caught.value


@pytest.mark.parametrize("kind", ["rsa", "ecdsa"])
def test_accepts_a_supplier_certificate_and_states_its_facts(fresh_crls, test_ca, kind):
    _key, certificate = test_ca.issue(BIN, kind=kind)
    facts = validate_certificate(der(certificate), bin=BIN, at=timezone.now())
    assert facts.subject_bin == BIN
    assert facts.key_type == kind
    assert facts.serial == f"{certificate.serial_number:x}"
    assert facts.issuer == "C=KZ,CN=Test Issuing CA"
    assert facts.not_after == certificate.not_valid_after_utc
    assert len(facts.fingerprint_sha256) == 64


def test_reads_the_bin_from_the_organisational_unit_too(fresh_crls, test_ca):
    _key, certificate = test_ca.issue(BIN, serial_number=f"IIN{make_bin()}", ou=f"BIN{BIN}")
    assert validate_certificate(der(certificate), bin=BIN, at=timezone.now()).subject_bin == BIN


def test_refuses_bytes_that_are_no_certificate(fresh_crls):
    with pytest.raises(CertificateRefused, match=r"not an X\.509 certificate") as caught:
        validate_certificate(b"not a certificate", bin=BIN, at=timezone.now())
    assert caught.value.code == "certificate_malformed"


def test_refuses_a_certificate_from_an_untrusted_authority(fresh_crls, other_ca):
    _key, certificate = other_ca.issue(BIN)
    refused = refusal(certificate)
    assert refused.code == "certificate_untrusted"
    assert "Rogue Issuing CA" in refused.message


def test_refuses_an_expired_certificate_naming_the_date(fresh_crls, test_ca):
    end = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)
    _key, certificate = test_ca.issue(BIN, start=end - dt.timedelta(days=30), end=end)
    refused = refusal(certificate, at=end + dt.timedelta(seconds=1))
    assert refused.code == "certificate_expired"
    assert refused.message == "The certificate expired on 2026-05-01 10:00 UTC."


def test_refuses_a_certificate_not_yet_valid(fresh_crls, test_ca):
    start = timezone.now() + dt.timedelta(days=2)
    _key, certificate = test_ca.issue(BIN, start=start, end=start + dt.timedelta(days=30))
    refused = refusal(certificate)
    assert refused.code == "certificate_not_yet_valid"
    assert f"{start:%Y-%m-%d %H:%M} UTC" in refused.message


def test_accepts_a_certificate_at_the_last_second_of_its_validity(fresh_crls, test_ca):
    end = (timezone.now() + dt.timedelta(hours=1)).replace(microsecond=0)
    _key, certificate = test_ca.issue(BIN, end=end)
    assert validate_certificate(der(certificate), bin=BIN, at=end).subject_bin == BIN


def test_refuses_a_revoked_certificate(db, trust_store, test_ca):
    _key, certificate = test_ca.issue(BIN)
    cache(test_ca.crl(revoked=[certificate.serial_number]))
    cache(test_ca.crl(by_root=True))
    refused = refusal(certificate)
    assert refused.code == "certificate_revoked"
    assert refused.message.startswith("The certificate was revoked on ")


def test_refuses_a_certificate_of_a_revoked_intermediate(db, trust_store, test_ca):
    _key, certificate = test_ca.issue(BIN)
    cache(test_ca.crl())
    cache(test_ca.crl(by_root=True, revoked=[test_ca.intermediate.serial_number]))
    refused = refusal(certificate)
    assert refused.code == "certificate_revoked"
    assert "Test Issuing CA" in refused.message


def test_a_signature_made_before_the_revocation_still_holds(db, trust_store, test_ca):
    _key, certificate = test_ca.issue(BIN)
    cache(test_ca.crl(revoked=[certificate.serial_number]))  # revoked two hours ago
    cache(test_ca.crl(by_root=True))
    at = timezone.now() - dt.timedelta(hours=3)
    assert validate_certificate(der(certificate), bin=BIN, at=at).subject_bin == BIN


def test_refuses_when_the_revocation_list_is_past_its_next_update(db, trust_store, test_ca):
    _key, certificate = test_ca.issue(BIN)
    now = timezone.now()
    cache(
        test_ca.crl(this_update=now - dt.timedelta(days=8), next_update=now - dt.timedelta(hours=1))
    )
    cache(test_ca.crl(by_root=True))
    refused = refusal(certificate)
    assert refused.code == "certificate_revocation_unknown"
    assert refused.message == (
        "No fresh revocation list for Test Issuing CA: the platform cannot confirm the "
        "certificate is not revoked; try again later."
    )


def test_refuses_when_the_list_was_fetched_too_long_ago(db, trust_store, test_ca, settings):
    settings.PKI_CRL_MAX_AGE_SECONDS = 3600
    _key, certificate = test_ca.issue(BIN)
    cache(test_ca.crl(), fetched_at=timezone.now() - dt.timedelta(seconds=3601))
    cache(test_ca.crl(by_root=True))
    assert refusal(certificate).code == "certificate_revocation_unknown"


def test_refuses_when_no_revocation_list_is_cached(db, trust_store, test_ca):
    _key, certificate = test_ca.issue(BIN)
    assert refusal(certificate).code == "certificate_revocation_unknown"


def test_refuses_when_only_the_root_list_is_missing(db, trust_store, test_ca):
    _key, certificate = test_ca.issue(BIN)
    cache(test_ca.crl())
    refused = refusal(certificate)
    assert refused.code == "certificate_revocation_unknown"
    assert "for Test Root CA" in refused.message


def test_refuses_a_certificate_naming_another_bin(fresh_crls, test_ca):
    other = make_bin()
    _key, certificate = test_ca.issue(other)
    refused = refusal(certificate)
    assert refused.code == "certificate_wrong_bin"
    assert refused.message == (
        f"The certificate names BIN {other}, but it is used here for BIN {BIN}."
    )


def test_refuses_a_certificate_naming_no_bin(fresh_crls, test_ca):
    _key, certificate = test_ca.issue(BIN, serial_number=f"IIN{BIN}")
    refused = refusal(certificate)
    assert refused.code == "certificate_wrong_bin"
    assert "names no BIN" in refused.message


@pytest.mark.parametrize(
    "key_usage",
    [usage(signing=False), None],
    ids=["key-encipherment-only", "no-key-usage"],
)
def test_refuses_a_certificate_not_meant_for_signing(fresh_crls, test_ca, key_usage):
    _key, certificate = test_ca.issue(BIN, key_usage=key_usage)
    refused = refusal(certificate)
    assert refused.code == "certificate_usage"
    assert "digital signature or non-repudiation" in refused.message


def test_accepts_non_repudiation_alone(fresh_crls, test_ca):
    only_nr = usage(signing=False, non_repudiation=True)
    _key, certificate = test_ca.issue(BIN, key_usage=only_nr)
    assert validate_certificate(der(certificate), bin=BIN, at=timezone.now()).subject_bin == BIN


def test_refuses_everything_when_no_root_is_configured(fresh_crls, test_ca, settings):
    settings.PKI_TRUST_ROOTS = []
    _key, certificate = test_ca.issue(BIN)
    assert refusal(certificate).code == "certificate_untrusted"


def test_refuses_a_ca_certificate_as_a_signer(fresh_crls, test_ca):
    now = timezone.now()
    sub_ca = build(
        name("Supplier CA", serial_number=f"BIN{BIN}"),
        new_key(),
        test_ca.intermediate.subject,
        test_ca.key,
        start=now - dt.timedelta(days=1),
        end=now + dt.timedelta(days=30),
        ca=True,
    )
    refused = refusal(sub_ca)
    assert refused.code == "certificate_usage"
    assert "certificate authority's certificate" in refused.message
