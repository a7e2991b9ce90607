"""Suppliers' signing certificates: register one (PEM), list those of your organisations.

A certificate is public (it is sent with every signature), so the list holds it whole.
"""

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from accounts.auth import API_AUTH
from config.api_errors import ERROR_RESPONSES
from pki.models import SigningCertificate
from pki.permissions import supplier_organisations
from pki.services.certificates import register_certificate

router = Router(tags=["signing certificates"])


class CertificateIn(Schema):
    pem: str = Field(..., min_length=1, max_length=20_000, description="One PEM certificate")
    bin: str | None = Field(
        None,
        pattern=r"^[0-9]{12}$",
        description="The supplier it is for; needed only when you belong to several",
    )


class CertificateOut(Schema):
    id: int
    organisation_bin: str
    fingerprint_sha256: str
    serial: str = Field(..., description="hex")
    issuer: str
    subject: str
    subject_bin: str
    key_type: str
    not_before: dt.datetime
    not_after: dt.datetime
    registered_at: dt.datetime
    pem: str

    @staticmethod
    def resolve_organisation_bin(obj) -> str:
        return obj.organisation.bin

    @staticmethod
    def resolve_pem(obj) -> str:
        certificate = x509.load_der_x509_certificate(bytes(obj.der))
        return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _organisation(user, bin: str | None):
    mine = supplier_organisations(user)
    if bin is not None:
        organisation = next((o for o in mine if o.bin == bin), None)
        if organisation is None:
            raise PermissionDenied(
                _("You are not a member of the supplier with BIN %(bin)s.") % {"bin": bin}
            )
        return organisation
    if not mine:
        raise PermissionDenied(_("Only members of a supplier register signing certificates."))
    if len(mine) > 1:
        raise ValidationError(
            {"bin": [_("You belong to several suppliers: say which one this certificate is for.")]}
        )
    return mine[0]


@router.post(
    "",
    response={201: CertificateOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Register a signing certificate of your supplier (checked against the trust store)",
    url_name="register_certificate",
)
def register(request, payload: CertificateIn):
    organisation = _organisation(request.auth, payload.bin)
    certificate = register_certificate(
        organisation=organisation, actor=request.auth, pem_or_der=payload.pem.encode()
    )
    return Status(201, certificate)


@router.get(
    "",
    response={200: list[CertificateOut], **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="The signing certificates of the suppliers you belong to, newest first",
    url_name="list_certificates",
)
def list_certificates(request):
    organisations = supplier_organisations(request.auth)
    return SigningCertificate.objects.of_organisations(organisations).select_related("organisation")
