"""A published tender in tendering, two suppliers with registered certificates (ECDSA and
RSA) from a trusted test CA with fresh CRLs, and the commission's private keys."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from pki.models import SigningCertificate
from pki.validation import certificate_facts, read_certificate, subject_bin
from procurement.models import Tender
from procurement.services.tenders import publish_tender
from tests.bids.support import Signer
from tests.pki.ca import TestCA, cache, der, pem
from tests.procurement.factories import ready_tender


@pytest.fixture(scope="session")
def bid_ca():
    return TestCA("Bids")


@pytest.fixture
def trusted(settings, tmp_path, bid_ca, db):
    folder = tmp_path / "trust"
    folder.mkdir()
    (folder / "root.pem").write_bytes(pem(bid_ca.root))
    (folder / "intermediate.pem").write_bytes(pem(bid_ca.intermediate))
    settings.PKI_TRUST_ROOTS = [folder / "root.pem"]
    settings.PKI_INTERMEDIATES = [folder / "intermediate.pem"]
    settings.PKI_CRL_SOURCES = []
    cache(bid_ca.crl())
    cache(bid_ca.crl(by_root=True))
    return bid_ca


def register(organisation, user, key, certificate) -> Signer:
    """Register the certificate directly (the pki tests cover the service)."""
    cert = read_certificate(der(certificate))
    facts = certificate_facts(cert, subject_bin=subject_bin(cert, organisation.bin))
    SigningCertificate.objects.create(
        organisation=organisation,
        der=facts.der,
        fingerprint_sha256=facts.fingerprint_sha256,
        serial=facts.serial,
        issuer=facts.issuer,
        subject=facts.subject,
        subject_bin=facts.subject_bin,
        key_type=facts.key_type,
        not_before=facts.not_before,
        not_after=facts.not_after,
        registered_by=user,
    )
    return Signer(key, certificate)


@pytest.fixture
def signer_a(cast, trusted):
    key, certificate = trusted.issue(cast.supplier_org_a.bin, kind="ecdsa")
    return register(cast.supplier_org_a, cast.supplier_a, key, certificate)


@pytest.fixture
def signer_b(cast, trusted):
    key, certificate = trusted.issue(cast.supplier_org_b.bin, kind="rsa")
    return register(cast.supplier_org_b, cast.supplier_b, key, certificate)


@pytest.fixture
def tendering(cast):
    """A published open tender (one lot of 3,000,000.00) whose bidding opened a minute ago
    and closes in an hour."""
    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    now = timezone.now().replace(microsecond=0)
    Tender.objects.filter(pk=tender.pk).update(
        status="tendering",
        enquiry_end=now - dt.timedelta(minutes=1),
        submission_deadline=now + dt.timedelta(hours=1),
    )
    return Tender.objects.select_related("opening_key", "procedure").get(pk=tender.pk)


@pytest.fixture
def at_deadline(tendering):
    """Travel to an instant relative to the tendering tender's deadline."""

    def travel(seconds: float):
        return time_machine.travel(
            tendering.submission_deadline + dt.timedelta(seconds=seconds), tick=False
        )

    return travel
