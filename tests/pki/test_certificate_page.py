"""The signing certificates page: a supplier's member registers a certificate file and sees
it listed; a refused certificate comes back under the file field with the reason and leaves
nothing; an agency's buyer registers the agency's certificate (they sign protocols and
contracts); people of no supplier or agency cannot register."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from pki.models import SigningCertificate
from tests.awards.world import trusted_ca
from tests.pki.ca import pem

pytestmark = pytest.mark.django_db
URL = "/certificates/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, bin_, data: bytes, name="cert.pem"):
    return client.post(URL, {"organisation": bin_, "file": SimpleUploadedFile(name, data)})


def test_the_route_is_the_certificates_page():
    assert reverse("pki:certificates") == URL


def test_a_supplier_registers_its_certificate_and_sees_it(cast):
    with trusted_ca() as ca:
        _key, certificate = ca.issue(cast.supplier_org_a.bin)
        client = client_for(cast.supplier_a)
        response = upload(client, cast.supplier_org_a.bin, pem(certificate))
        assert response.status_code == 302
        page = client.get(URL).content.decode()
    registered = SigningCertificate.objects.get(organisation=cast.supplier_org_a)
    assert registered.serial in page


def test_a_certificate_naming_another_bin_is_refused_under_the_file(cast):
    with trusted_ca() as ca:
        _key, certificate = ca.issue(cast.supplier_org_b.bin)
        response = upload(client_for(cast.supplier_a), cast.supplier_org_a.bin, pem(certificate))
    assert response.status_code == 400
    assert "BIN" in response.content.decode()
    assert not SigningCertificate.objects.exists()


def test_a_file_that_is_not_a_certificate_is_refused(cast):
    with trusted_ca():
        response = upload(client_for(cast.supplier_a), cast.supplier_org_a.bin, b"hello")
    assert response.status_code == 400
    assert not SigningCertificate.objects.exists()


def test_an_agency_buyer_registers_the_agencys_certificate(cast):
    with trusted_ca() as ca:
        _key, certificate = ca.issue(cast.agency.bin)
        response = upload(client_for(cast.buyer), cast.agency.bin, pem(certificate))
    assert response.status_code == 302
    assert SigningCertificate.objects.get().organisation == cast.agency


def test_a_member_cannot_register_for_an_organisation_they_are_not_in(cast):
    with trusted_ca() as ca:
        _key, certificate = ca.issue(cast.supplier_org_b.bin)
        response = upload(client_for(cast.supplier_a), cast.supplier_org_b.bin, pem(certificate))
    assert response.status_code == 400
    assert not SigningCertificate.objects.exists()


def test_an_outsider_sees_the_page_but_cannot_register(cast):
    client = client_for(cast.outsider)
    assert "nothing to register" in client.get(URL).content.decode()
    assert upload(client, cast.supplier_org_a.bin, b"x").status_code == 403
