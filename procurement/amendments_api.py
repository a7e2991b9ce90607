"""Amendments, versions, lot cancellations and suppliers' notices over the API.

Mounted beside procurement/tenders_api.py under /tenders (and /notices); same permissions as
the web pages, same error shape.
"""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from accounts.auth import API_AUTH, OPTIONAL_AUTH
from config.api_errors import ERROR_RESPONSES, Instant
from procurement.choices import CancelReason
from procurement.models import Lot, Notice, TenderVersion
from procurement.services import amendments as services
from procurement.tenders_api import LotOut, _managed, _visible
from suppliers.choices import OrganisationKind
from suppliers.permissions import memberships

router = Router(tags=["tenders"])
notices_router = Router(tags=["notices"])


class VersionOut(Schema):
    number: int
    sha256: str = Field(..., description="SHA-256 of the version's canonical JSON bytes")
    reason: str
    changes: list[str]
    deadline_moved: bool
    invalidates_bids: bool
    created_at: dt.datetime


class AmendIn(Schema):
    reason: str = Field(..., description="why the tender is amended; shown to suppliers")
    title: str | None = None
    description: str | None = None
    enquiry_end: Instant | None = Field(None, description="only while in enquiries; later")
    submission_deadline: Instant | None = Field(None, description="only later, never earlier")


class CancelLotIn(Schema):
    reason: CancelReason
    text: str


class NoticeOut(Schema):
    tender: str
    supplier_bin: str
    kind: str
    message: str
    created_at: dt.datetime

    @staticmethod
    def resolve_tender(obj) -> str:
        return obj.tender.number

    @staticmethod
    def resolve_supplier_bin(obj) -> str:
        return obj.supplier.bin


@router.get(
    "/{number}/versions",
    response={200: list[VersionOut], **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    summary="The tender's versions, oldest first",
    url_name="list_tender_versions",
)
def list_versions(request, number: str):
    return _visible(request, number).versions.all()


@router.get(
    "/{number}/versions/{version}",
    response={200: None, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    summary="A version's exact canonical JSON bytes (hash them to check a bid's statement)",
    url_name="get_tender_version",
)
def get_version(request, number: str, version: int):
    row = get_object_or_404(TenderVersion, tender=_visible(request, number), number=version)
    return HttpResponse(bytes(row.content), content_type="application/json")


@router.post(
    "/{number}/amendments",
    response={201: VersionOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Amend a tender in enquiries or tendering: a new version",
    description="Give the reason and only the fields that change. The deadline moves out when "
    "less than the procedure's amendment period would remain; interested suppliers are "
    "notified; bids for earlier versions must be signed again.",
    url_name="amend_tender",
)
def amend(request, number: str, payload: AmendIn):
    version = services.amend_tender(
        tender=_managed(request, number), actor=request.auth, **payload.dict()
    )
    return Status(201, version)


@router.post(
    "/{number}/lots/{lot_number}/cancel",
    response={200: LotOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Cancel one lot with a reason; its reservation is released",
    url_name="cancel_lot",
)
def cancel_lot(request, number: str, lot_number: int, payload: CancelLotIn):
    tender = _managed(request, number)
    lot = get_object_or_404(Lot, tender=tender, number=lot_number)
    services.cancel_lot(lot=lot, reason=payload.reason, text=payload.text, actor=request.auth)
    return Lot.objects.select_related("budget_line").get(pk=lot.pk)


@notices_router.get(
    "",
    response={200: list[NoticeOut], **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Notices to the caller's supplier organisations, newest first (last 200)",
    url_name="list_notices",
)
def list_notices(request):
    suppliers = [
        m.organisation_id
        for m in memberships(request.auth)
        if m.organisation.kind == OrganisationKind.SUPPLIER
    ]
    rows = Notice.objects.filter(supplier_id__in=suppliers).select_related("tender", "supplier")
    return rows[:200]
