"""Tenders: the public list and detail, and a buyer's draft-to-publication calls.

Numbers are the tender ids (`T-2026-000042`); instants are ISO 8601 with their offset and
come back in UTC; amounts are decimal strings.
"""

import base64
import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from accounts.auth import API_AUTH, OPTIONAL_AUTH
from accounts.models import User
from config.api_errors import ERROR_RESPONSES, AwareInstant, Instant, PageNumbers
from procurement.choices import CancelReason, TenderStatus
from procurement.models import PlanItem, Procedure, Question, Tender, TenderDocument
from procurement.paging import COUNT_CAP, list_page
from procurement.permissions import (
    can_ask_question,
    can_create_tender,
    can_manage_tender,
    can_view_tender,
)
from procurement.services import documents as document_services
from procurement.services import questions as question_services
from procurement.services import tenders as services
from procurement.versions import lot_id
from suppliers.choices import OrganisationKind
from suppliers.models import Organisation

router = Router(tags=["tenders"])


class LotOut(Schema):
    id: str = Field(..., description="the lot's id in bids and open data")
    number: int
    title: str
    amount: Decimal
    budget_line: str = Field(..., description="the line's code, e.g. 001/015")
    plan_items: list[int]
    status: str

    @staticmethod
    def resolve_id(obj) -> str:
        return lot_id(obj)

    @staticmethod
    def resolve_budget_line(obj) -> str:
        return obj.budget_line.code

    @staticmethod
    def resolve_plan_items(obj) -> list[int]:
        return [item.pk for item in obj.plan_items.all()]


class NextOut(Schema):
    step: str
    at: dt.datetime | None
    blocked_by: list[str]


class TenderOut(Schema):
    number: str
    ocid: str
    agency_bin: str
    title: str
    description: str
    procedure: str
    currency: str
    status: str
    enquiry_end: dt.datetime | None
    submission_deadline: dt.datetime | None
    published_at: dt.datetime | None
    opening_threshold: int | None
    version_number: int = Field(..., description="the version in force; 0 for a draft")
    version_hash: str = Field(..., description="its SHA-256, which bids sign")
    opening_public_key: str | None = Field(
        None, description="base64 raw X25519 key that bids are sealed to (docs/bid-format.md)"
    )
    opening_key_id: str | None = None
    bids_received: int = Field(0, description="bids standing now; their content stays sealed")
    cancel_reason: str
    cancel_text: str
    lots: list[LotOut]
    next: NextOut | None = Field(None, description="the next step, its instant, what blocks it")

    @staticmethod
    def resolve_agency_bin(obj) -> str:
        return obj.agency.bin

    @staticmethod
    def resolve_procedure(obj) -> str:
        return obj.procedure.code

    @staticmethod
    def resolve_lots(obj):
        return obj.lots.select_related("budget_line").prefetch_related("plan_items")

    @staticmethod
    def resolve_next(obj):
        return obj.what_happens_next()

    @staticmethod
    def resolve_opening_public_key(obj) -> str | None:
        key = getattr(obj, "opening_key", None)
        return base64.b64encode(bytes(key.public_key)).decode() if key else None

    @staticmethod
    def resolve_opening_key_id(obj) -> str | None:
        key = getattr(obj, "opening_key", None)
        return key.key_id if key else None

    @staticmethod
    def resolve_bids_received(obj) -> int:
        return obj.bid_count()


class TenderSummaryOut(Schema):
    number: str
    agency_bin: str
    title: str
    procedure: str
    status: str
    submission_deadline: dt.datetime | None
    value: Decimal = Field(..., description="the sum of its active lots' amounts")

    @staticmethod
    def resolve_agency_bin(obj) -> str:
        return obj.agency.bin

    @staticmethod
    def resolve_procedure(obj) -> str:
        return obj.procedure.code


class TenderFilter(Schema):
    q: str | None = Field(
        None,
        description="words that must all begin words of the number, title or description (any "
        "case, any order); a tender number finds that tender",
    )
    status: TenderStatus | None = None
    agency: str | None = Field(None, description="the agency's BIN")
    procedure: str | None = Field(None, description="the procedure's code")
    deadline_from: AwareInstant | None = Field(
        None, description="submission deadline at or after this instant (ISO 8601 with offset)"
    )
    deadline_to: AwareInstant | None = Field(
        None, description="submission deadline before this instant, which is excluded"
    )
    value_min: Decimal | None = Field(
        None, ge=0, max_digits=18, decimal_places=2, description="value at least this (included)"
    )
    value_max: Decimal | None = Field(
        None, ge=0, max_digits=18, decimal_places=2, description="value at most this (included)"
    )

    @field_validator("deadline_to", "value_max")
    @classmethod
    def _range_runs_forwards(cls, end, info):
        starts = {"deadline_to": "deadline_from", "value_max": "value_min"}
        start = info.data.get(starts[info.field_name])
        if start is not None and end is not None and end < start:
            raise PydanticCustomError(
                "backwards_range", _("The end of the range comes before its start.")
            )
        return end


class TenderIn(Schema):
    agency_bin: str
    title: str = Field(..., min_length=1, max_length=500)
    description: str = ""
    procedure: str = Field(..., description="code of an active procedure")


# An id as the database keeps it (64 bits): a larger one in a `pk__in` lookup was a 500, and so
# was a list longer than SQLite's limit on query parameters.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class LotIn(Schema):
    plan_items: list[RowId] = Field(..., max_length=1000, description="ids of approved plan items")
    title: str = Field("", max_length=500)
    amount: Decimal | None = Field(None, gt=0, max_digits=18, decimal_places=2)


class PeriodsIn(Schema):
    enquiry_end: Instant
    submission_deadline: Instant


class CommissionIn(Schema):
    chair: RowId = Field(..., description="user id")
    members: list[RowId] = Field(default_factory=list, max_length=1000, description="user ids")
    threshold: int = Field(..., ge=1)


class CancelTenderIn(Schema):
    reason: CancelReason
    text: str = Field(..., min_length=1, max_length=2000)


def _visible(request, number: str) -> Tender:
    tender = get_object_or_404(Tender.objects.select_related("agency", "procedure"), number=number)
    if not can_view_tender(tender, request.auth):
        raise Http404
    return tender


def _managed(request, number: str) -> Tender:
    tender = _visible(request, number)
    if not can_manage_tender(tender, request.auth):
        raise PermissionDenied(_("Only the agency's buyers and administrators run its tenders."))
    return tender


def _out(tender: Tender) -> Tender:
    return Tender.objects.select_related("agency", "procedure").get(pk=tender.pk)


class TenderPages(PageNumbers):
    """Page numbers whose count stops at paging.COUNT_CAP (issue 7): counting every tender
    that a common word matches cost more than finding the page."""

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            ...,
            description=f"how many tenders match; if count_is_exact is false, counting stopped "
            f"at {COUNT_CAP} and more than that match",
        )
        count_is_exact: bool = Field(..., description="false when more than `count` match")
        has_next: bool = Field(..., description="whether the next page has tenders")

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = list_page(queryset, pagination.page, self._get_page_size(pagination.page_size))
        return {
            "items": page.object_list,
            "count": page.count,
            "count_is_exact": page.count_is_exact,
            "has_next": page.has_next,
        }


@router.get(
    "",
    response=list[TenderSummaryOut],
    summary="Published tenders, newest first, with search and filters",
    url_name="list_tenders",
)
@paginate(TenderPages, page_size=50)
def list_tenders(request, filters: Query[TenderFilter]):
    tenders = Tender.objects.published().select_related("agency", "procedure").with_value()
    tenders = tenders.matching(filters.q or "")
    if filters.status:
        tenders = tenders.filter(status=filters.status)
    if filters.agency:
        tenders = tenders.filter(agency__bin=filters.agency)
    if filters.procedure:
        tenders = tenders.filter(procedure__code=filters.procedure)
    tenders = tenders.deadline_between(filters.deadline_from, filters.deadline_to)
    tenders = tenders.value_between(filters.value_min, filters.value_max)
    return tenders.order_by("-published_at", "-pk")


@router.get(
    "/{number}",
    response={200: TenderOut, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    summary="A tender with its lots and what happens next",
    url_name="get_tender",
)
def get_tender(request, number: str):
    return _visible(request, number)


@router.post(
    "",
    response={201: TenderOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Open a draft tender of an agency (its buyers and administrators)",
    url_name="create_tender",
)
def create(request, payload: TenderIn):
    agency = get_object_or_404(Organisation, bin=payload.agency_bin, kind=OrganisationKind.AGENCY)
    if not can_create_tender(agency, request.auth):
        raise PermissionDenied(_("Only the agency's buyers and administrators run its tenders."))
    procedure = Procedure.objects.filter(code=payload.procedure).first()
    if procedure is None:
        raise ValidationError({"procedure": [_("There is no procedure with this code.")]})
    tender = services.create_tender(
        agency=agency,
        title=payload.title,
        description=payload.description,
        procedure=procedure,
        actor=request.auth,
    )
    return Status(201, _out(tender))


@router.post(
    "/{number}/lots",
    response={201: TenderOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Add a lot from approved plan items",
    url_name="add_tender_lot",
)
def add_lot(request, number: str, payload: LotIn):
    tender = _managed(request, number)
    items = list(PlanItem.objects.filter(pk__in=payload.plan_items))
    if len(items) != len(set(payload.plan_items)):
        raise ValidationError({"plan_items": [_("There is no plan item with one of these ids.")]})
    services.add_lot(
        tender=tender,
        plan_items=items,
        title=payload.title,
        amount=payload.amount,
        actor=request.auth,
    )
    return Status(201, _out(tender))


@router.post(
    "/{number}/periods",
    response={200: TenderOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Set the end of enquiries and the submission deadline",
    url_name="set_tender_periods",
)
def set_periods(request, number: str, payload: PeriodsIn):
    tender = _managed(request, number)
    services.set_periods(tender=tender, actor=request.auth, **payload.dict())
    return _out(tender)


@router.post(
    "/{number}/commission",
    response={200: TenderOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Name the opening commission and how many of it are needed to open",
    url_name="set_tender_commission",
)
def set_commission(request, number: str, payload: CommissionIn):
    tender = _managed(request, number)
    users = {u.pk: u for u in User.objects.filter(pk__in=[payload.chair, *payload.members])}
    if set(users) != {payload.chair, *payload.members}:
        raise ValidationError({"members": [_("There is no user with one of these ids.")]})
    services.set_commission(
        tender=tender,
        chair=users[payload.chair],
        members=[users[pk] for pk in payload.members],
        threshold=payload.threshold,
        actor=request.auth,
    )
    return _out(tender)


@router.post(
    "/{number}/publish",
    response={200: TenderOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Publish a draft and reserve its lots' budget",
    url_name="publish_tender",
)
def publish(request, number: str):
    return _out(services.publish_tender(tender=_managed(request, number), actor=request.auth))


@router.post(
    "/{number}/cancel",
    response={200: TenderOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Cancel an active tender with a reason; its budget is released",
    url_name="cancel_tender",
)
def cancel(request, number: str, payload: CancelTenderIn):
    tender = services.cancel_tender(
        tender=_managed(request, number),
        reason=str(payload.reason),
        text=payload.text,
        actor=request.auth,
    )
    return _out(tender)


class QuestionOut(Schema):
    id: int
    lot: int | None = Field(None, description="the lot's number; null: the whole tender")
    supplier_bin: str
    supplier_name: str
    text: str
    asked_at: dt.datetime
    answer: str | None
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_lot(obj) -> int | None:
        return obj.lot.number if obj.lot_id else None

    @staticmethod
    def resolve_supplier_bin(obj) -> str:
        return obj.supplier.bin

    @staticmethod
    def resolve_supplier_name(obj) -> str:
        return obj.supplier.legal_name

    @staticmethod
    def resolve_answer(obj) -> str | None:
        return obj.answer if obj.is_answered else None


class QuestionIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000)
    lot: int | None = Field(None, description="the lot's number; leave out for the whole tender")


class AnswerIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000)


def _question_out(question: Question) -> Question:
    return Question.objects.select_related("supplier", "lot").get(pk=question.pk)


@router.get(
    "/{number}/questions",
    response={200: list[QuestionOut], **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    summary="The tender's questions and answers, oldest first (public)",
    url_name="list_tender_questions",
)
def list_questions(request, number: str):
    return _visible(request, number).questions.select_related("supplier", "lot")


@router.post(
    "/{number}/questions",
    response={201: QuestionOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Ask a question during enquiries (verified suppliers not on the blacklist)",
    url_name="ask_tender_question",
)
def ask(request, number: str, payload: QuestionIn):
    tender = _visible(request, number)
    if not can_ask_question(tender, request.auth):
        raise PermissionDenied(_("Only members of a verified supplier ask questions."))
    lot = None
    if payload.lot is not None:
        lot = tender.lots.filter(number=payload.lot).first()
        if lot is None:
            raise ValidationError({"lot": [_("The tender has no lot with this number.")]})
    question = question_services.ask_question(
        tender=tender, text=payload.text, lot=lot, actor=request.auth
    )
    return Status(201, _question_out(question))


@router.post(
    "/{number}/questions/{question_id}/answer",
    response={200: QuestionOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Answer a question, once (the agency's buyers and administrators)",
    url_name="answer_tender_question",
)
def answer(request, number: str, question_id: int, payload: AnswerIn):
    tender = _managed(request, number)
    question = get_object_or_404(Question, pk=question_id, tender=tender)
    question = question_services.answer_question(
        question=question, text=payload.text, actor=request.auth
    )
    return _question_out(question)


class DocumentOut(Schema):
    id: int
    title: str
    original_name: str
    content_type: str = Field(..., description="told from the file's first bytes")
    size: int = Field(..., description="bytes")
    sha256: str = Field(..., description="64 hex digits")
    uploaded_at: dt.datetime
    download_url: str

    @staticmethod
    def resolve_download_url(obj) -> str:
        return obj.get_absolute_url()


def _document_out(document: TenderDocument) -> TenderDocument:
    return TenderDocument.objects.select_related("tender").get(pk=document.pk)


@router.get(
    "/{number}/documents",
    response={200: list[DocumentOut], **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    summary="The tender's documents with their sizes and SHA-256 (whoever sees the tender)",
    url_name="list_tender_documents",
)
def list_documents(request, number: str):
    return _visible(request, number).documents.select_related("tender")


@router.post(
    "/{number}/documents",
    response={201: DocumentOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Attach a document (multipart: file, title; and reason once published)",
    description="A published tender (enquiries or tendering) takes a document as an amendment: "
    "a new version, the deadline moved out if too little time would remain.",
    url_name="attach_tender_document",
)
def attach_document(
    request, number: str, title: Form[str], file: File[UploadedFile], reason: Form[str] = ""
):
    document = document_services.attach_document(
        tender=_managed(request, number),
        uploaded_file=file,
        title=title,
        actor=request.auth,
        reason=reason,
    )
    return Status(201, _document_out(document))
