"""POST and GET /api/v1/certificates: the caller's suppliers' certificates, the error shape."""

import pytest
from django.test import Client

from accounts.choices import Role
from audit.models import Entry
from pki.models import SigningCertificate
from tests.factories import MembershipFactory
from tests.pki.ca import pem

pytestmark = pytest.mark.urls("tests.pki.urls")
URL = "/api/v1/certificates"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user, body):
    return client_for(user).post(URL, body, content_type="application/json")


def test_a_supplier_registers_and_lists_its_certificate(cast, fresh_crls, test_ca):
    certificate = test_ca.issue(cast.supplier_org_a.bin)[1]
    before = Entry.objects.count()
    response = post(cast.supplier_a, {"pem": pem(certificate).decode()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisation_bin"] == cast.supplier_org_a.bin
    assert body["serial"] == f"{certificate.serial_number:x}"
    assert body["key_type"] == "ecdsa"
    assert body["pem"] == pem(certificate).decode()
    assert Entry.objects.count() == before + 1
    listed = client_for(cast.supplier_a).get(URL).json()
    assert [c["id"] for c in listed] == [body["id"]]
    assert client_for(cast.supplier_b).get(URL).json() == []


def test_a_refused_certificate_is_422_with_its_code(cast, fresh_crls, test_ca):
    certificate = test_ca.issue(cast.supplier_org_b.bin)[1]
    response = post(cast.supplier_a, {"pem": pem(certificate).decode()})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "certificate_wrong_bin"
    assert cast.supplier_org_b.bin in error["message"]
    assert not SigningCertificate.objects.exists()


def test_garbage_is_422_malformed(cast, fresh_crls):
    response = post(
        cast.supplier_a, {"pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "certificate_malformed"


def test_a_member_of_two_suppliers_names_the_bin(cast, fresh_crls, test_ca):
    MembershipFactory(
        user=cast.supplier_a, organisation=cast.supplier_org_b, role=Role.SUPPLIER_STAFF
    )
    certificate = test_ca.issue(cast.supplier_org_b.bin)[1]
    response = post(cast.supplier_a, {"pem": pem(certificate).decode()})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["bin"]
    response = post(
        cast.supplier_a, {"pem": pem(certificate).decode(), "bin": cast.supplier_org_b.bin}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("who", ["buyer", "outsider"])
def test_non_suppliers_are_forbidden(cast, fresh_crls, test_ca, who):
    certificate = test_ca.issue(cast.supplier_org_a.bin)[1]
    response = post(getattr(cast, who), {"pem": pem(certificate).decode()})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_anonymous_callers_are_401(db):
    assert Client().get(URL).status_code == 401
