import pytest

from tests.pki.ca import TestCA, cache, pem


@pytest.fixture(scope="session")
def test_ca():
    return TestCA("Test")


@pytest.fixture(scope="session")
def other_ca():
    """A CA the platform does not trust."""
    return TestCA("Rogue")


@pytest.fixture
def trust_store(settings, tmp_path, test_ca):
    """Settings trust `test_ca` only; its CRL files lie in the test's own folder."""
    folder = tmp_path / "trust"
    folder.mkdir()
    (folder / "root.pem").write_bytes(pem(test_ca.root))
    (folder / "intermediate.pem").write_bytes(pem(test_ca.intermediate))
    settings.PKI_TRUST_ROOTS = [folder / "root.pem"]
    settings.PKI_INTERMEDIATES = [folder / "intermediate.pem"]
    settings.PKI_CRL_SOURCES = []
    settings.PKI_CRL_MAX_AGE_SECONDS = 86400
    return folder


@pytest.fixture
def fresh_crls(db, trust_store, test_ca):
    """Fresh, empty CRLs of the intermediate and the root in the cache."""
    return [cache(test_ca.crl()), cache(test_ca.crl(by_root=True))]
