"""Refreshing the CRL cache: one event per call, new rows only for changed lists."""

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import Entry
from pki.models import CertificateRevocationList
from pki.services import refresh_crls
from tests.pki.ca import PEM, TestCA


def write(folder, name, crl):
    path = folder / name
    path.write_bytes(crl.public_bytes(PEM))
    return path


@pytest.fixture
def sources(db, trust_store, test_ca):
    return [
        write(trust_store, "crl.pem", test_ca.crl()),
        write(trust_store, "root-crl.pem", test_ca.crl(by_root=True)),
    ]


def test_stores_each_list_with_one_event(sources):
    before = Entry.objects.count()
    rows = refresh_crls(sources=sources)
    assert [r.issuer for r in rows] == ["C=KZ,CN=Test Issuing CA", "C=KZ,CN=Test Root CA"]
    assert CertificateRevocationList.objects.count() == 2
    assert Entry.objects.count() == before + 1
    event = Entry.objects.get(seq=before)
    assert event.action == "pki.crl.refreshed"
    assert [s["id"] for s in event.data["stored"]] == [r.pk for r in rows]
    assert event.data["failed"] == []


def test_reads_settings_and_file_urls(sources, settings):
    settings.PKI_CRL_SOURCES = [sources[0], f"file://{sources[1]}"]
    assert len(refresh_crls()) == 2


def test_the_same_list_again_stores_nothing_but_counts_as_fetched(sources):
    first = refresh_crls(sources=sources)
    before = Entry.objects.count()
    again = refresh_crls(sources=sources)
    assert [r.pk for r in again] == [r.pk for r in first]
    assert CertificateRevocationList.objects.count() == 2
    stored = CertificateRevocationList.objects.get(pk=first[0].pk)
    assert stored.fetched_at == again[0].fetched_at > first[0].fetched_at
    event = Entry.objects.get(seq=before)
    assert event.data["stored"] == [] and len(event.data["confirmed"]) == 2


def test_a_newer_list_is_stored_and_used(sources, trust_store, test_ca):
    refresh_crls(sources=sources)
    newer = test_ca.crl(revoked=[1234], this_update=timezone.now() - dt.timedelta(minutes=1))
    write(trust_store, "crl.pem", newer)
    refresh_crls(sources=sources)
    latest = CertificateRevocationList.objects.latest_per_issuer()
    assert latest.count() == 2
    assert latest.get(issuer="C=KZ,CN=Test Issuing CA").this_update == newer.last_update_utc


def test_an_older_list_never_rolls_the_cache_back(sources, trust_store, test_ca):
    refresh_crls(sources=sources)
    older = test_ca.crl(this_update=timezone.now() - dt.timedelta(days=2))
    write(trust_store, "crl.pem", older)
    rows = refresh_crls(sources=sources)
    assert rows.failed == [
        {
            "source": "crl.pem",
            "reason": "the list of C=KZ,CN=Test Issuing CA is older than the cached one",
        }
    ]
    assert CertificateRevocationList.objects.count() == 2


def test_a_list_from_an_untrusted_ca_is_refused_and_named(db, trust_store, other_ca):
    forged = write(trust_store, "forged.pem", other_ca.crl())
    before = Entry.objects.count()
    rows = refresh_crls(sources=[forged, trust_store / "missing.pem"])
    assert list(rows) == []
    assert not CertificateRevocationList.objects.exists()
    assert Entry.objects.count() == before + 1
    assert Entry.objects.get(seq=before).data["failed"] == [
        {
            "source": "forged.pem",
            "reason": "the list of C=KZ,CN=Rogue Issuing CA is not signed by a CA in the trust store",
        },
        {"source": "missing.pem", "reason": "No such file or directory"},
    ]


def test_a_list_signed_by_a_namesake_of_a_trusted_ca_is_refused(db, trust_store):
    namesake = TestCA("Test")  # same names as the trusted CA, other keys
    forged = write(trust_store, "crl.pem", namesake.crl())
    assert (
        refresh_crls(sources=[forged])
        .failed[0]["reason"]
        .endswith("is not signed by a CA in the trust store")
    )
    assert not CertificateRevocationList.objects.exists()
