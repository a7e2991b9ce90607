"""The award stage over the API: the tender's checklist and contract terms, the commission's
reviews and correction requests, the results protocol the chair signs, the awards, and
complaints with the review body's decisions. Contracts are in contracts/api.py.

Same permissions as the services, which check again. What a user may not see is not found
(404); what they see but may not do is forbidden (403); a refused rule is 422 with its code.
Instants are ISO 8601 in UTC, amounts decimal strings, signatures and signed bytes base64.
"""

import hashlib

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from accounts.auth import API_AUTH, OPTIONAL_AUTH
from awards.common import refuse_unless_status
from awards.models import Award, BidReview, ResultsProtocol
from awards.permissions import (
    acts_for,
    can_evaluate,
    can_see_reviews_in_progress,
)
from awards.results import results_bytes
from awards.schemas import (
    EXACT_BYTES,
    AwardOut,
    ContractTermsIn,
    ContractTermsOut,
    CorrectionOut,
    NextAwardIn,
    NextAwardOut,
    ProtocolOut,
    ProtocolSummaryOut,
    RequirementIn,
    RequirementOut,
    ResultsIn,
    ReviewIn,
    ReviewOut,
    TextIn,
    decoded,
)
from awards.services.requirements import add_requirement, set_contract_terms
from awards.services.results import publish_results
from awards.services.reviews import answer_correction, request_correction, review_bid
from bids.models import Bid, OpeningProtocol
from config.api_errors import ERROR_RESPONSES
from contracts.services.awarding import award_next_bidder
from procurement.choices import TenderStatus
from procurement.models import Lot, Tender
from procurement.tenders_api import _managed, _visible

router = Router()

EVALUATION = ["evaluation"]
RESULTS = ["results and awards"]


# --- the checklist and the contract terms ---------------------------------------------------


@router.get(
    "/tenders/{number}/requirements",
    response={200: list[RequirementOut], **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    tags=EVALUATION,
    summary="The tender's checklist: required documents, qualifications, scored criteria",
    description="Public once the tender is published; a draft's to its agency and operators.",
    url_name="list_tender_requirements",
)
def list_requirements(request, number: str):
    return _visible(request, number).requirements.order_by("number")


@router.post(
    "/tenders/{number}/requirements",
    response={201: RequirementOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    tags=EVALUATION,
    summary="Add a line to a draft's checklist (the agency's buyers and administrators)",
    description="Criteria carry a weight and exist only under weighted scoring; together they "
    "weigh less than 100%, the price has the rest. Numbers are given in order.",
    url_name="add_tender_requirement",
)
def add_to_checklist(request, number: str, payload: RequirementIn):
    requirement = add_requirement(
        tender=_managed(request, number),
        actor=request.auth,
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        weight=payload.weight,
    )
    return Status(201, requirement)


@router.get(
    "/tenders/{number}/contract-terms",
    response={200: ContractTermsOut, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    tags=EVALUATION,
    summary="The delivery terms and contract template every contract of the tender is drafted from",
    description="Public once the tender is published; a draft's to its agency and operators. "
    "Each contract's document carries them as they were when it was drafted.",
    url_name="get_contract_terms",
)
def get_terms(request, number: str):
    return _visible(request, number)


@router.put(
    "/tenders/{number}/contract-terms",
    response={200: ContractTermsOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    tags=EVALUATION,
    summary="Set a draft's contract terms (the agency's buyers and administrators)",
    description="Replaces the terms as a whole. Only while the tender is a draft: every bid "
    "answers the same conditions (`invalid_status` later).",
    url_name="set_contract_terms",
)
def set_terms(request, number: str, payload: ContractTermsIn):
    return set_contract_terms(
        tender=_managed(request, number), actor=request.auth, terms=payload.terms
    )


# --- reviews and corrections ---------------------------------------------------------------


def _results_stand(tender: Tender) -> bool:
    """The reviews are what a published protocol says: it stands and no re-evaluation began."""
    return (
        tender.status != TenderStatus.EVALUATION
        and tender.results_protocols.filter(set_aside_at=None).exists()
    )


def _opened_bid(request, public_id: str) -> Bid:
    """A bid of an opened tender (every such bid is listed publicly); others are not found."""
    bid = get_object_or_404(
        Bid.objects.select_related("tender__agency", "tender__procedure", "supplier"),
        public_id=public_id,
    )
    if not OpeningProtocol.objects.filter(tender_id=bid.tender_id).exists():
        raise Http404
    return bid


def _reviews():
    return BidReview.objects.select_related("bid__supplier", "tender").prefetch_related(
        "checks__requirement", "tender__commission"
    )


def _review_out(review: BidReview) -> BidReview:
    return _reviews().get(pk=review.pk)


@router.get(
    "/tenders/{number}/reviews",
    response={200: list[ReviewOut], **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    tags=EVALUATION,
    summary="The commission's review of each opened bid, requirement by requirement",
    description="While the commission works, to the commission, the agency's buyers and "
    "administrators and auditors (others: 403); public once the results are published, as "
    "the protocol says them (the commission's notes stay internal).",
    url_name="list_tender_reviews",
)
def list_reviews(request, number: str):
    tender = _visible(request, number)
    if not (_results_stand(tender) or can_see_reviews_in_progress(tender, request.auth)):
        raise PermissionDenied(
            _("Only the tender's commission, its buyers and auditors follow the evaluation.")
        )
    return _reviews().filter(tender=tender).order_by("bid__received_at", "bid__pk")


@router.post(
    "/bids/{public_id}/review",
    response={200: ReviewOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    tags=EVALUATION,
    summary="Decide a bid: qualified or disqualified, with the reasons (the commission)",
    description='Give every requirement of the tender: `{"met": true}`, `{"met": false, '
    '"reason": "..."}` or, for a criterion, `{"score": 0-100}`. Refusals name the field '
    "`requirement_<n>` or `score_<n>`. A decision may change until the results are published; "
    "not while a correction window is open.",
    url_name="review_bid",
)
def decide_bid(request, public_id: str, payload: ReviewIn):
    decided = review_bid(
        bid=_opened_bid(request, public_id),
        actor=request.auth,
        decisions={number: d.dict() for number, d in payload.decisions.items()},
        domestic=payload.domestic,
        note=payload.note,
    )
    return _review_out(decided)


@router.post(
    "/bids/{public_id}/correction-request",
    response={201: CorrectionOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    tags=EVALUATION,
    summary="Ask the bidder to correct a formal defect within the procedure's window",
    description="The commission, before deciding the bid, once per bid, where the procedure "
    "allows corrections.",
    url_name="request_bid_correction",
)
def ask_correction(request, public_id: str, payload: TextIn):
    asked = request_correction(
        bid=_opened_bid(request, public_id), actor=request.auth, text=payload.text
    )
    return Status(201, _review_out(asked))


def _correction(request, bid: Bid) -> BidReview:
    """The correction asked of a bid: the bidder's and the insiders' while the commission works,
    public once the results are published."""
    review = _reviews().filter(bid=bid).exclude(correction_request="").first()
    if review is None or not (
        acts_for(request.auth, bid.supplier)
        or can_see_reviews_in_progress(bid.tender, request.auth)
        or _results_stand(bid.tender)
    ):
        raise Http404
    return review


@router.get(
    "/bids/{public_id}/correction",
    response={200: CorrectionOut, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    tags=EVALUATION,
    summary="The correction asked of a bid, its deadline and the bidder's answer",
    description="To the bidder, the commission, the agency's buyers and auditors; to everyone "
    "once the results are published. Not found when none was asked.",
    url_name="get_bid_correction",
)
def get_correction(request, public_id: str):
    return _correction(request, _opened_bid(request, public_id))


@router.post(
    "/bids/{public_id}/correction",
    response={200: CorrectionOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    tags=EVALUATION,
    summary="Answer the correction request, before its window closes (the bidder)",
    description="Members of the bidding supplier, once, before the deadline "
    "(`correction_window_closed` after it). The commission then decides the bid.",
    url_name="answer_bid_correction",
)
def answer_correction_request(request, public_id: str, payload: TextIn):
    answered = answer_correction(
        bid=_opened_bid(request, public_id), actor=request.auth, text=payload.text
    )
    return _review_out(answered)


# --- the results protocol --------------------------------------------------------------------


@router.get(
    "/tenders/{number}/results/draft",
    response={200: None, **ERROR_RESPONSES},
    auth=API_AUTH,
    tags=RESULTS,
    summary="The results protocol to sign: its exact bytes (the commission, in evaluation)",
    description="Sign these bytes as they are (detached CMS, e.g. `tenderctl.py sign`) and "
    "post the signature with their SHA-256 to POST /tenders/{number}/results. The bytes "
    "change when a review changes; the chair's post is refused then (`protocol_changed`).",
    openapi_extra=EXACT_BYTES,
    url_name="get_results_draft",
)
def results_draft(request, number: str):
    tender = _visible(request, number)
    if not can_evaluate(tender, request.auth):
        raise PermissionDenied(_("Only the tender's commission sees the draft results."))
    refuse_unless_status(tender, [TenderStatus.EVALUATION], _("Drafting the results"))
    content = results_bytes(tender)
    response = HttpResponse(content, content_type="application/json")
    response["X-Content-SHA256"] = hashlib.sha256(content).hexdigest()
    return response


def _protocols(tender: Tender):
    return tender.results_protocols.select_related("certificate").order_by("revision")


@router.post(
    "/tenders/{number}/results",
    response={201: ProtocolSummaryOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    tags=RESULTS,
    summary="Publish the signed results protocol (the chair): winners proposed, standstill on",
    description="Every valid bid must be decided. The signature is checked against a "
    "certificate the agency registered; each refusal has its code (bids_undecided, "
    "protocol_changed, signature_invalid, certificate_not_registered, ...).",
    url_name="publish_results",
)
def publish_signed_results(request, number: str, payload: ResultsIn):
    protocol = publish_results(
        tender=_visible(request, number),
        actor=request.auth,
        content_sha256=payload.sha256,
        signature=decoded(payload.signature, "signature"),
    )
    return Status(201, ResultsProtocol.objects.select_related("certificate").get(pk=protocol.pk))


@router.get(
    "/tenders/{number}/results",
    response={200: list[ProtocolSummaryOut], **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    tags=RESULTS,
    summary="The tender's published results protocols, oldest first (public)",
    description="A satisfied complaint sets a protocol aside; the next one is a new revision.",
    url_name="list_results",
)
def list_results(request, number: str):
    return _protocols(_visible(request, number))


@router.get(
    "/tenders/{number}/results/{int:revision}",
    response={200: ProtocolOut, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    tags=RESULTS,
    summary="A published protocol: its exact bytes and the chair's signature, to verify",
    description="Decode `content` and `signature` from base64 and check the detached CMS "
    "over the content; `certificate_fingerprint` names the chair's registered certificate.",
    url_name="get_results",
)
def get_results(request, number: str, revision: int):
    return get_object_or_404(_protocols(_visible(request, number)), revision=revision)


# --- awards ----------------------------------------------------------------------------------


def _awards():
    return Award.objects.select_related("lot", "supplier", "bid", "protocol", "contract")


@router.get(
    "/tenders/{number}/awards",
    response={200: list[AwardOut], **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    tags=RESULTS,
    summary="The tender's awards by lot, and what became of each (public)",
    description="Proposed with the results (pending through the standstill), then active "
    "with a contract to sign, or ended: declined, lapsed (not signed in time) or cancelled "
    "(set aside by a complaint). A single-source award has no bid and is active at once.",
    url_name="list_tender_awards",
)
def list_awards(request, number: str):
    return _awards().filter(tender=_visible(request, number)).order_by("lot__number", "pk")


@router.post(
    "/tenders/{number}/lots/{lot_number}/next-award",
    response={200: NextAwardOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    tags=RESULTS,
    summary="Move a lot's award to the next-ranked bid after its winner declined or did not "
    "sign (the agency's buyers and administrators)",
    description="The new award waits out its own standstill. With no qualified bid left the "
    "lot is unsuccessful and its money released (`award` is null).",
    url_name="award_next_bidder",
)
def next_award(request, number: str, lot_number: int, payload: NextAwardIn):
    lot = get_object_or_404(Lot, tender=_visible(request, number), number=lot_number)
    award = award_next_bidder(
        lot=lot,
        actor=request.auth,
        reason=payload.reason,
        propose_blacklist=payload.propose_blacklist,
    )
    lot.refresh_from_db()
    return {
        "lot": lot.number,
        "lot_status": lot.status,
        "award": _awards().get(pk=award.pk) if award else None,
    }
