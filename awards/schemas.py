"""What the award stage's API reads and answers (awards/api.py, contracts/api.py): money as
decimal strings, instants in UTC, binary values (signatures, signed content) as base64."""

import base64
import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema

from awards.choices import ComplaintStatus, RequirementKind
from awards.permissions import can_see_reviews_in_progress

SHA256_PATTERN = r"^[0-9a-f]{64}$"


def b64(value) -> str | None:
    return base64.b64encode(bytes(value)).decode() if value is not None else None


def decoded(text: str, field: str) -> bytes:
    """A base64 value of the request as bytes; a 422 on `field` when it is not base64."""
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise ValidationError({field: [_("This is not base64.")]}) from None


def fingerprint(certificate) -> str | None:
    return certificate.fingerprint_sha256 if certificate is not None else None


# Responses that are bytes rather than JSON documents, for OpenAPI.
EXACT_BYTES = {
    "responses": {
        200: {
            "description": "The exact canonical JSON bytes; hash and sign them as they are. "
            "Header X-Content-SHA256: their SHA-256 (hex).",
            # The bytes are one JSON object; clients hash them as received, never re-encoded.
            "content": {"application/json": {"schema": {"type": "object"}}},
            "headers": {
                "X-Content-SHA256": {
                    "description": "SHA-256 of the bytes, hex",
                    "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                }
            },
        }
    }
}

A_FILE = {
    "responses": {
        200: {
            "description": "The file as filed; its SHA-256 is in the complaint.",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


# --- the checklist ------------------------------------------------------------------------


class RequirementOut(Schema):
    number: int
    kind: str = Field(..., description="document, qualification or criterion (scored 0-100)")
    title: str
    description: str
    weight: Decimal | None = Field(
        None, description="percent of the score, criteria only; the price carries the rest"
    )


class RequirementIn(Schema):
    kind: RequirementKind
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    weight: Decimal | None = Field(
        None,
        gt=0,
        lt=100,
        max_digits=5,
        decimal_places=2,
        description="criteria only (weighted scoring): percent of the score, e.g. 20",
    )


class ContractTermsIn(Schema):
    terms: str = Field(..., min_length=1, max_length=20000)


class ContractTermsOut(Schema):
    tender: str
    terms: str = Field(..., description="delivery terms and contract template; empty until set")

    @staticmethod
    def resolve_tender(obj) -> str:
        return obj.number

    @staticmethod
    def resolve_terms(obj) -> str:
        return obj.contract_terms


# --- evaluation ---------------------------------------------------------------------------


class CheckOut(Schema):
    requirement: int = Field(..., description="the requirement's number")
    title: str
    met: bool
    reason: str = Field(..., description="why the bid does not meet it; empty when met")
    score: Decimal | None = Field(None, description="0-100, criteria only")

    @staticmethod
    def resolve_requirement(obj) -> int:
        return obj.requirement.number

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.requirement.title


class CorrectionOut(Schema):
    bid: str
    requested: str = Field(..., description="what the commission asked the bidder to correct")
    deadline: dt.datetime = Field(..., description="the bidder answers before this instant")
    open: bool = Field(..., description="still waiting for the bidder's answer")
    answer: str
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_bid(obj) -> str:
        return obj.bid.public_id

    @staticmethod
    def resolve_requested(obj) -> str:
        return obj.correction_request

    @staticmethod
    def resolve_deadline(obj) -> dt.datetime:
        return obj.correction_deadline

    @staticmethod
    def resolve_open(obj) -> bool:
        return obj.correction_open

    @staticmethod
    def resolve_answer(obj) -> str:
        return obj.correction_answer

    @staticmethod
    def resolve_answered_at(obj) -> dt.datetime | None:
        return obj.correction_answered_at


class ReviewOut(Schema):
    bid: str
    bidder_bin: str
    bidder_name: str
    received_at: dt.datetime
    status: str = Field(..., description="pending, correction, qualified or disqualified")
    domestic: bool = Field(..., description="the conditional discount applies to its price")
    checks: list[CheckOut]
    correction: CorrectionOut | None = None
    decided_at: dt.datetime | None
    note: str | None = Field(
        None, description="the commission's note: to the commission, the agency and auditors"
    )

    @staticmethod
    def resolve_bid(obj) -> str:
        return obj.bid.public_id

    @staticmethod
    def resolve_bidder_bin(obj) -> str:
        return obj.bid.supplier.bin

    @staticmethod
    def resolve_bidder_name(obj) -> str:
        return obj.bid.supplier.legal_name

    @staticmethod
    def resolve_received_at(obj) -> dt.datetime:
        return obj.bid.received_at

    @staticmethod
    def resolve_checks(obj):
        return obj.checks.all()

    @staticmethod
    def resolve_correction(obj):
        return obj if obj.correction_request else None

    @staticmethod
    def resolve_note(obj, context) -> str | None:
        insider = can_see_reviews_in_progress(obj.tender, context["request"].auth)
        return obj.note if insider else None


class DecisionIn(Schema):
    met: bool | None = Field(None, description="document and qualification requirements")
    reason: str = Field("", description="why it is not met (required when met is false)")
    score: Decimal | None = Field(None, description="criteria: the score from 0 to 100")


class ReviewIn(Schema):
    decisions: dict[str, DecisionIn] = Field(
        ..., description="one entry per requirement of the tender, keyed by its number"
    )
    domestic: bool = Field(False, description="the commission saw domestic-origin evidence")
    note: str = ""


class TextIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)


# --- results ------------------------------------------------------------------------------


class ProtocolSummaryOut(Schema):
    revision: int
    sha256: str = Field(..., description="SHA-256 of the signed content")
    certificate_fingerprint: str = Field(..., description="SHA-256 of the chair's certificate")
    published_at: dt.datetime
    set_aside_at: dt.datetime | None = Field(None, description="when a complaint set it aside")
    log_index: int | None = Field(None, description="the audit log entry of its publication")

    @staticmethod
    def resolve_certificate_fingerprint(obj) -> str:
        return obj.certificate.fingerprint_sha256


class ProtocolOut(ProtocolSummaryOut):
    content: str = Field(..., description="base64 of the exact canonical JSON bytes signed")
    signature: str = Field(..., description="base64 of the detached CMS (DER) over the content")

    @staticmethod
    def resolve_content(obj) -> str:
        return b64(obj.content)

    @staticmethod
    def resolve_signature(obj) -> str:
        return b64(obj.signature)


class ResultsIn(Schema):
    sha256: str = Field(
        ...,
        pattern=SHA256_PATTERN,
        description="SHA-256 (hex) of the draft bytes you signed; refused if the draft changed",
    )
    signature: str = Field(..., description="base64 of the detached CMS (DER) over those bytes")


# --- awards -------------------------------------------------------------------------------


class AwardOut(Schema):
    lot: int = Field(..., description="the lot's number")
    bid: str | None = Field(None, description="null for a single-source award")
    supplier_bin: str
    supplier_name: str
    rank: int
    price: Decimal
    currency: str
    status: str = Field(..., description="pending (standstill), active, declined, lapsed, ...")
    standstill_end: dt.datetime
    created_at: dt.datetime
    activated_at: dt.datetime | None
    ended_at: dt.datetime | None
    end_reason: str
    justification: str = Field(..., description="why a single-source purchase went to it")
    protocol_revision: int | None = None
    blacklist_proposed_at: dt.datetime | None = Field(
        None, description="when the buyer proposed the supplier for the blacklist"
    )
    contract: str | None = Field(None, description="the contract's number, once drafted")

    @staticmethod
    def resolve_lot(obj) -> int:
        return obj.lot.number

    @staticmethod
    def resolve_bid(obj) -> str | None:
        return obj.bid.public_id if obj.bid_id else None

    @staticmethod
    def resolve_supplier_bin(obj) -> str:
        return obj.supplier.bin

    @staticmethod
    def resolve_supplier_name(obj) -> str:
        return obj.supplier.legal_name

    @staticmethod
    def resolve_protocol_revision(obj) -> int | None:
        return obj.protocol.revision if obj.protocol_id else None

    @staticmethod
    def resolve_contract(obj) -> str | None:
        contract = getattr(obj, "contract", None)
        return contract.number if contract is not None else None


class NextAwardIn(Schema):
    reason: str = Field(..., min_length=1, max_length=5000)
    propose_blacklist: bool = Field(
        False, description="propose the supplier who declined or did not sign for the blacklist"
    )


class NextAwardOut(Schema):
    lot: int
    lot_status: str = Field(..., description="unsuccessful when no qualified bid was left")
    award: AwardOut | None = Field(None, description="the new award, in its own standstill")


# --- complaints ---------------------------------------------------------------------------


class ComplaintDocumentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int = Field(..., description="bytes")
    sha256: str
    download_url: str

    @staticmethod
    def resolve_download_url(obj) -> str:
        return reverse("api:get_complaint_document", args=[obj.complaint.number, obj.pk])


class ComplaintOut(Schema):
    number: str
    tender: str
    kind: str = Field(..., description="conditions or results")
    status: str = Field(..., description="pending, satisfied or dismissed")
    complainant_bin: str
    complainant_name: str
    filed_at: dt.datetime
    text: str
    text_sha256: str
    protocol_revision: int | None = Field(None, description="the results complained against")
    decision: str = Field(..., description="the reviewer's reasons; empty while pending")
    decided_at: dt.datetime | None
    documents: list[ComplaintDocumentOut]

    @staticmethod
    def resolve_tender(obj) -> str:
        return obj.tender.number

    @staticmethod
    def resolve_complainant_bin(obj) -> str:
        return obj.complainant.bin

    @staticmethod
    def resolve_complainant_name(obj) -> str:
        return obj.complainant.legal_name

    @staticmethod
    def resolve_protocol_revision(obj) -> int | None:
        return obj.protocol.revision if obj.protocol_id else None

    @staticmethod
    def resolve_documents(obj):
        return obj.documents.all()


class ComplaintFilter(Schema):
    status: ComplaintStatus | None = Field(None, description="pending: the reviewers' queue")
    tender: str | None = Field(None, description="the tender's number")


class ComplaintDecisionIn(Schema):
    satisfied: bool = Field(
        ..., description="true sets aside what it was against; false dismisses it"
    )
    decision: str = Field(..., min_length=1, max_length=5000, description="the reasons")
