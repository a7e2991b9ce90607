"""What the tender page shows of the award stage (templates/awards/_award_stage.html, through
the `award_stage` tag): the checklist, the way to the evaluation, a bidder's own review and
correction request, the results and awards, contracts and complaints each viewer may see, and
the complaint form while a complaint window is open."""

from django.urls import reverse
from django.utils import timezone

from awards.choices import AwardStatus, ComplaintKind, ReviewStatus
from awards.forms import ComplaintForm, CorrectionAnswerForm
from awards.models import BidReview
from awards.permissions import (
    can_define_requirements,
    can_see_reviews_in_progress,
    can_view_complaint,
    supplier_organisations_of,
)
from awards.services.results import results_content_from
from awards.views.requirements import SINGLE_SOURCE
from bids.models import BidStatus
from contracts.permissions import can_view_contract
from procurement.choices import TenderStatus


def visible_contracts(tender, user) -> list:
    rows = tender.contracts.select_related("lot", "supplier", "agency").order_by(
        "lot__number", "pk"
    )
    return [c for c in rows if can_view_contract(c, user)]


def visible_complaints(tender, user) -> list:
    rows = tender.complaints.select_related("complainant", "tender__agency").order_by("filed_at")
    return [c for c in rows if can_view_complaint(c, user)]


def open_complaint_kinds(tender, organisations, now) -> list[str]:
    """What the user's suppliers may complain against now (the service decides again)."""
    kinds = []
    deadline = tender.submission_deadline
    if (
        tender.status in (TenderStatus.ENQUIRIES, TenderStatus.TENDERING)
        and deadline
        and now < deadline
    ):
        kinds.append(ComplaintKind.CONDITIONS)
    if tender.status == TenderStatus.STANDSTILL:
        ends = list(
            tender.awards.filter(status=AwardStatus.PENDING).values_list(
                "standstill_end", flat=True
            )
        )
        bidder = tender.bids.filter(supplier__in=organisations).exclude(opened_content=None)
        if ends and now < max(ends) and bidder.exists():
            kinds.append(ComplaintKind.RESULTS)
    return kinds


def complaint_form(organisations, kinds, data=None, files=None) -> ComplaintForm:
    return ComplaintForm(data, files, organisations=organisations, kinds=kinds)


def answer_form(bid, data=None) -> CorrectionAnswerForm:
    return CorrectionAnswerForm(data, auto_id=f"id_{bid.public_id}_answer_%s")


def _own_bids(tender, organisations, standing, bound: dict, now) -> list[dict]:
    """The user's opened, valid bids: any correction asked of them, and the outcome once a
    protocol publishes it (never the commission's work in progress)."""
    if not organisations:
        return []
    published = {b["bid"]: b for b in results_content_from(standing)["bids"]} if standing else {}
    rows = []
    bids = tender.bids.filter(supplier__in=organisations, status=BidStatus.VALID)
    for bid in bids.select_related("supplier").order_by("received_at", "pk"):
        review = BidReview.objects.filter(bid=bid).first()
        outcome = published.get(bid.public_id)
        row = {"bid": bid, "review": review, "outcome": outcome}
        if outcome:
            row["outcome_label"] = ReviewStatus(outcome["status"]).label
        if review and review.correction_open and now < review.correction_deadline:
            row["answer_form"] = bound.get(("answer", bid.pk)) or answer_form(bid)
        rows.append(row)
    return rows


def stage_context(tender, user, bound: dict | None = None) -> dict:
    bound = bound or {}
    now = timezone.now()
    context = {
        "tender": tender,
        "requirements": list(tender.requirements.order_by("number")),
        "requirements_url": reverse("awards:requirements", args=[tender.number]),
        "manage_draft": tender.status == TenderStatus.DRAFT
        and can_define_requirements(tender, user),
        "single_source": tender.procedure.code == SINGLE_SOURCE,
    }
    if tender.status == TenderStatus.DRAFT:
        return context
    organisations = supplier_organisations_of(user)
    latest = tender.results_protocols.order_by("-revision").first()
    standing = latest is not None and latest.set_aside_at is None
    reviewed = tender.status == TenderStatus.EVALUATION or tender.reviews.exists()
    kinds = open_complaint_kinds(tender, organisations, now) if organisations else []
    verified = [o for o in organisations if o.is_verified]
    context.update(
        evaluation_url=reverse("awards:evaluation", args=[tender.number])
        if reviewed and can_see_reviews_in_progress(tender, user)
        else None,
        # A protocol set aside by a complaint no longer says how a bid fared.
        own_bids=_own_bids(tender, organisations, latest if standing else None, bound, now),
        protocol=latest,
        results_url=reverse("awards:results", args=[tender.number]),
        awards=list(tender.awards.select_related("lot", "supplier").order_by("lot__number", "pk")),
        contracts=visible_contracts(tender, user),
        complaints=visible_complaints(tender, user),
        complaint_form=bound.get("complaint")
        or (complaint_form(verified, kinds) if kinds and verified else None),
    )
    return context
