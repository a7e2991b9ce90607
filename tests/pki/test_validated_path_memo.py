"""A validated path is remembered, and what would change its answer sends it back to pyhanko:
a new CRL, a CRL no longer fresh, a changed trust store, a revocation date passing."""

import datetime as dt

import pytest
from django.utils import timezone

from pki import validation
from pki.errors import CertificateRefused
from pki.validation import forget_validated_paths, validate_certificate
from tests.factories import make_bin
from tests.pki.ca import cache, der, pem

BIN = make_bin()


@pytest.fixture
def validations(monkeypatch):
    """How many times pyhanko built and checked a path."""
    forget_validated_paths()
    built = []
    real = validation.CertificateValidator

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(validation, "CertificateValidator", counting)
    return built


def code(certificate, at) -> str:
    with pytest.raises(CertificateRefused) as caught:
        validate_certificate(der(certificate), bin=BIN, at=at)
    return caught.value.code


def test_the_second_use_of_a_certificate_needs_no_path_validation(fresh_crls, test_ca, validations):
    _key, certificate = test_ca.issue(BIN)
    now = timezone.now()
    first = validate_certificate(der(certificate), bin=BIN, at=now)
    again = validate_certificate(der(certificate), bin=BIN, at=now + dt.timedelta(seconds=5))
    assert again == first
    assert len(validations) == 1


def test_a_certificate_revoked_after_its_first_use_is_refused_once_the_new_crl_is_loaded(
    fresh_crls, test_ca, validations
):
    _key, certificate = test_ca.issue(BIN)
    validate_certificate(der(certificate), bin=BIN, at=timezone.now())
    cache(test_ca.crl(revoked=[certificate.serial_number]))
    assert code(certificate, timezone.now()) == "certificate_revoked"
    assert len(validations) == 2


def test_an_intermediate_revoked_after_first_use_is_refused_too(fresh_crls, test_ca, validations):
    _key, certificate = test_ca.issue(BIN)
    validate_certificate(der(certificate), bin=BIN, at=timezone.now())
    cache(test_ca.crl(by_root=True, revoked=[test_ca.intermediate.serial_number]))
    assert code(certificate, timezone.now()) == "certificate_revoked"


def test_a_revocation_date_passing_under_the_same_crl_is_seen(db, trust_store, test_ca):
    forget_validated_paths()
    _key, certificate = test_ca.issue(BIN)
    cache(test_ca.crl(revoked=[certificate.serial_number]))  # revoked two hours ago
    cache(test_ca.crl(by_root=True))
    before = timezone.now() - dt.timedelta(hours=3)
    assert validate_certificate(der(certificate), bin=BIN, at=before).subject_bin == BIN
    assert code(certificate, timezone.now()) == "certificate_revoked"


def test_a_crl_past_its_next_update_refuses_a_remembered_path(fresh_crls, test_ca, validations):
    _key, certificate = test_ca.issue(BIN)
    now = timezone.now()
    validate_certificate(der(certificate), bin=BIN, at=now)
    # The test CA's lists are good for seven days; the certificate for a year.
    assert code(certificate, now + dt.timedelta(days=8)) == "certificate_revocation_unknown"


def test_a_crl_fetched_too_long_ago_refuses_a_remembered_path(
    fresh_crls, test_ca, settings, validations
):
    _key, certificate = test_ca.issue(BIN)
    now = timezone.now()
    validate_certificate(der(certificate), bin=BIN, at=now)
    settings.PKI_CRL_MAX_AGE_SECONDS = 60
    assert code(certificate, now + dt.timedelta(minutes=2)) == "certificate_revocation_unknown"


def test_a_changed_trust_store_refuses_a_remembered_path(
    fresh_crls, test_ca, other_ca, trust_store, validations
):
    _key, certificate = test_ca.issue(BIN)
    validate_certificate(der(certificate), bin=BIN, at=timezone.now())
    (trust_store / "root.pem").write_bytes(pem(other_ca.root))
    assert code(certificate, timezone.now()) == "certificate_untrusted"


def test_a_path_is_remembered_only_while_every_certificate_on_it_is_valid(
    fresh_crls, test_ca, validations
):
    _key, certificate = test_ca.issue(BIN)
    validate_certificate(der(certificate), bin=BIN, at=timezone.now())
    (remembered,) = validation._paths.values()
    assert remembered.valid_from == certificate.not_valid_before_utc  # the latest start
    assert remembered.valid_until == certificate.not_valid_after_utc  # the earliest end
