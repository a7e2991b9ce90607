"""A published tender in tendering, two suppliers with registered certificates (ECDSA and
RSA) from a trusted test CA with fresh CRLs, and the commission's private keys."""

import datetime as dt

import pytest
import time_machine

from tests.bids.blacklist_window import listed, listed_for_good  # noqa: F401 (fixtures)
from tests.bids.support import register, tendering_tender
from tests.pki.ca import TestCA, cache, pem


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
    return tendering_tender(cast)


@pytest.fixture
def at_deadline(tendering):
    """Travel to an instant relative to the tendering tender's deadline."""

    def travel(seconds: float):
        return time_machine.travel(
            tendering.submission_deadline + dt.timedelta(seconds=seconds), tick=False
        )

    return travel
