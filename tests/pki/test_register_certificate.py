"""A supplier's member registers a signing certificate; one event, or a refusal and nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.choices import Role
from audit.models import Entry
from pki.errors import CertificateRefused
from pki.models import SigningCertificate
from pki.services import register_certificate
from tests.factories import member
from tests.pki.ca import der, pem


@pytest.fixture
def cert_a(test_ca, cast):
    return test_ca.issue(cast.supplier_org_a.bin, kind="rsa")[1]


def test_a_member_registers_a_pem_certificate_with_one_event(cast, fresh_crls, cert_a):
    before = Entry.objects.count()
    registered = register_certificate(
        organisation=cast.supplier_org_a, actor=cast.supplier_a, pem_or_der=pem(cert_a)
    )
    assert bytes(registered.der) == der(cert_a)
    assert registered.subject_bin == cast.supplier_org_a.bin
    assert registered.key_type == "rsa"
    assert registered.registered_by == cast.supplier_a
    event = Entry.objects.get(seq=before)
    assert Entry.objects.count() == before + 1
    assert event.action == "pki.certificate.registered"
    assert event.subject_id == str(registered.pk)
    assert event.data["fingerprint_sha256"] == registered.fingerprint_sha256
    assert event.data["serial"] == f"{cert_a.serial_number:x}"


def test_staff_may_register_der_too(cast, fresh_crls, cert_a):
    staff = member(cast.supplier_org_a, Role.SUPPLIER_STAFF, email="staff@example.kz")
    register_certificate(organisation=cast.supplier_org_a, actor=staff, pem_or_der=der(cert_a))
    assert cast.supplier_org_a.certificates.count() == 1


def _refused(cast, **kwargs):
    before = Entry.objects.count()
    with pytest.raises((CertificateRefused, PermissionDenied)) as caught:
        register_certificate(**{"organisation": cast.supplier_org_a, **kwargs})
    assert Entry.objects.count() == before
    return caught.value


def test_refuses_a_second_registration_of_the_same_certificate(cast, fresh_crls, cert_a):
    register_certificate(
        organisation=cast.supplier_org_a, actor=cast.supplier_a, pem_or_der=pem(cert_a)
    )
    refused = _refused(cast, actor=cast.supplier_a, pem_or_der=pem(cert_a))
    assert refused.code == "certificate_already_registered"
    assert SigningCertificate.objects.count() == 1


@pytest.mark.parametrize("who", ["supplier_b", "buyer", "outsider", "operator"])
def test_only_members_of_the_supplier_register(cast, fresh_crls, cert_a, who):
    _refused(cast, actor=getattr(cast, who), pem_or_der=pem(cert_a))
    assert not SigningCertificate.objects.exists()


def test_refuses_an_organisation_that_signs_nothing(cast, fresh_crls, test_ca):
    # Suppliers sign bids and contracts, agencies protocols and contracts; an audit body signs
    # nothing on the platform.
    certificate = test_ca.issue(cast.audit_body.bin)[1]
    with pytest.raises(PermissionDenied):
        register_certificate(
            organisation=cast.audit_body, actor=cast.auditor, pem_or_der=pem(certificate)
        )


def test_an_agency_member_registers_the_agencys_certificate(cast, fresh_crls, test_ca):
    certificate = test_ca.issue(cast.agency.bin)[1]
    registered = register_certificate(
        organisation=cast.agency, actor=cast.agency_admin, pem_or_der=pem(certificate)
    )
    assert registered.organisation == cast.agency


def test_refuses_another_suppliers_certificate(cast, fresh_crls, test_ca):
    certificate = test_ca.issue(cast.supplier_org_b.bin)[1]
    refused = _refused(cast, actor=cast.supplier_a, pem_or_der=pem(certificate))
    assert refused.code == "certificate_wrong_bin"
    assert not SigningCertificate.objects.exists()


def test_refuses_a_chain_instead_of_one_certificate(cast, fresh_crls, cert_a, test_ca):
    refused = _refused(
        cast, actor=cast.supplier_a, pem_or_der=pem(cert_a) + pem(test_ca.intermediate)
    )
    assert refused.code == "certificate_malformed"
    assert "not a chain" in refused.message


def test_refuses_when_revocation_cannot_be_checked(cast, trust_store, cert_a):
    refused = _refused(cast, actor=cast.supplier_a, pem_or_der=pem(cert_a))
    assert refused.code == "certificate_revocation_unknown"
    assert not SigningCertificate.objects.exists()
