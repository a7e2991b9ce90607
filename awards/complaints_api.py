"""Complaints over the API: a supplier files one with its documents, the review body decides;
pending complaints are seen by those concerned, decided ones by everyone."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from accounts.auth import API_AUTH, OPTIONAL_AUTH
from awards.choices import ComplaintKind, ComplaintStatus
from awards.models import Complaint, ComplaintDocument
from awards.permissions import (
    can_view_complaint,
    supplier_organisations_of,
)
from awards.schemas import (
    A_FILE,
    ComplaintDecisionIn,
    ComplaintFilter,
    ComplaintOut,
)
from awards.services.complaints import decide_complaint, file_complaint
from config.api_errors import ERROR_RESPONSES, PageNumbers
from procurement.tenders_api import _visible
from suppliers.models import Organisation

router = Router()

COMPLAINTS = ["complaints"]


# --- complaints ------------------------------------------------------------------------------


def _complaints():
    return Complaint.objects.select_related(
        "tender__agency", "complainant", "protocol"
    ).prefetch_related(
        "tender__commission",
        Prefetch("documents", ComplaintDocument.objects.select_related("complaint")),
    )


def _visible_complaint(request, number: str) -> Complaint:
    complaint = get_object_or_404(_complaints(), number=number)
    if not can_view_complaint(complaint, request.auth):
        raise Http404
    return complaint


def _seen(request, complaints):
    """Decided complaints are public; pending ones only to those can_view_complaint admits
    (pending complaints are few: they are decided within days)."""
    pending = [
        c.pk
        for c in _complaints().filter(status=ComplaintStatus.PENDING)
        if can_view_complaint(c, request.auth)
    ]
    return complaints.exclude(status=ComplaintStatus.PENDING) | complaints.filter(pk__in=pending)


def _complainant(user, bin: str) -> Organisation:
    if bin:
        complainant = Organisation.objects.filter(bin=bin).first()
        if complainant is None:
            raise ValidationError({"complainant": [_("There is no organisation with this BIN.")]})
        return complainant
    mine = supplier_organisations_of(user)
    if not mine:
        raise PermissionDenied(_("Complaints are filed by a supplier's members, for it."))
    if len(mine) > 1:
        raise ValidationError(
            {"complainant": [_("You act for several suppliers: give the complainant's BIN.")]}
        )
    return mine[0]


@router.post(
    "/tenders/{number}/complaints",
    response={201: ComplaintOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    tags=COMPLAINTS,
    summary="File a complaint (multipart: kind, text, complainant BIN, up to five files)",
    description="Against the conditions: before the submission deadline. Against the "
    "results: a bidder, during the standstill. Pending, it holds what it concerns. "
    "`complainant` may be left out by someone who acts for one supplier only.",
    url_name="file_complaint",
)
def file_against_tender(
    request,
    number: str,
    kind: Form[ComplaintKind],
    text: Form[str],
    complainant: Form[str] = "",
    files: File[list[UploadedFile]] = None,
):
    complaint = file_complaint(
        tender=_visible(request, number),
        actor=request.auth,
        complainant=_complainant(request.auth, complainant),
        kind=kind,
        text=text,
        files=files or [],
    )
    return Status(201, _complaints().get(pk=complaint.pk))


@router.get(
    "/tenders/{number}/complaints",
    response={200: list[ComplaintOut], **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    tags=COMPLAINTS,
    summary="The tender's complaints, newest first",
    description="Decided ones are public; a pending one is seen by its complainant, the "
    "agency, the commission, the review body, auditors and operators.",
    url_name="list_tender_complaints",
)
def list_tender_complaints(request, number: str):
    return _seen(request, _complaints().filter(tender=_visible(request, number)))


@router.get(
    "/complaints",
    response=list[ComplaintOut],
    auth=OPTIONAL_AUTH,
    tags=COMPLAINTS,
    summary="Complaints, newest first; `status=pending` is the reviewers' queue",
    description="Decided complaints are public; pending ones as on the tender's list.",
    url_name="list_complaints",
)
@paginate(PageNumbers, page_size=50)
def list_complaints(request, filters: Query[ComplaintFilter]):
    complaints = _complaints()
    if filters.status:
        complaints = complaints.filter(status=filters.status)
    if filters.tender:
        complaints = complaints.filter(tender__number=filters.tender)
    return _seen(request, complaints).order_by("-filed_at", "-pk")


@router.get(
    "/complaints/{number}",
    response={200: ComplaintOut, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    tags=COMPLAINTS,
    summary="A complaint, its documents and the decision",
    description="Public once decided; while pending, to its complainant, the agency, the "
    "commission, the review body, auditors and operators (others: 404).",
    url_name="get_complaint",
)
def get_complaint(request, number: str):
    return _visible_complaint(request, number)


@router.get(
    "/complaints/{number}/documents/{document_id}",
    response={200: None, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    tags=COMPLAINTS,
    summary="A complaint's document, as a download",
    description="To whoever sees the complaint; its SHA-256 is listed with the complaint.",
    openapi_extra=A_FILE,
    url_name="get_complaint_document",
)
def get_complaint_file(request, number: str, document_id: int):
    complaint = _visible_complaint(request, number)
    document = get_object_or_404(ComplaintDocument, pk=document_id, complaint=complaint)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/complaints/{number}/decision",
    response={200: ComplaintOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    tags=COMPLAINTS,
    summary="Decide a pending complaint, with reasons (the review body's reviewers)",
    description="Satisfied against the conditions: the tender is cancelled. Satisfied against "
    "the results: they are set aside and the commission evaluates again. Dismissed: what it "
    "held goes on.",
    url_name="decide_complaint",
)
def decide_pending_complaint(request, number: str, payload: ComplaintDecisionIn):
    complaint = decide_complaint(
        complaint=_visible_complaint(request, number),
        actor=request.auth,
        satisfied=payload.satisfied,
        decision=payload.decision,
    )
    return _complaints().get(pk=complaint.pk)
