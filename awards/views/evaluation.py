"""The commission's evaluation page: the grid of valid bids against the tender's requirements,
a review form and a correction request per bid, the draft results protocol with its ranking,
its exact bytes to sign, and the chair's upload of the signature that publishes it.

The chair signs in the page (static/js/signing.js, see browser_signing.py) or on their machine
(`tenderctl.py sign` writes a DER detached CMS next to the downloaded protocol, which the page
takes as a file); without JavaScript the file upload is all the page offers.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards.choices import ReviewStatus
from awards.forms import CorrectionRequestForm, PublishResultsForm, ReviewForm
from awards.models import BidReview
from awards.permissions import can_evaluate, can_see_reviews_in_progress, is_chair
from awards.results import results_bytes, undecided_bids
from awards.services.results import publish_results
from awards.services.reviews import request_correction, review_bid
from awards.views.browser_signing import protocol_signing
from awards.views.common import exact_bytes, perform
from awards.views.protocols import protocol_view
from bids.models import Bid, BidStatus
from procurement.choices import TenderStatus
from procurement.views.tenders import _tender

TEMPLATE = "awards/evaluation.html"
TOOL = "python tools/tenderctl.py"


def _evaluated_tender(request, number: str):
    tender = _tender(request, number)
    if not can_see_reviews_in_progress(tender, request.user):
        raise PermissionDenied(
            _("Only the tender's commission, its buyers and auditors follow the evaluation.")
        )
    return tender


def _require_commission(tender, user) -> None:
    if not can_evaluate(tender, user):
        raise PermissionDenied(_("Only the tender's commission reviews its bids."))


def evaluation_url(tender, bid=None) -> str:
    url = reverse("awards:evaluation", args=[tender.number])
    return f"{url}#bid-{bid.public_id}" if bid is not None else url


def protocol_filename(tender, revision: int) -> str:
    return f"results-{tender.number}-r{revision}.json"


def _review_form(tender, bid, review, requirements, data=None):
    return ReviewForm(
        data,
        initial=ReviewForm.initial_from(review),
        requirements=requirements,
        discount=tender.procedure.domestic_discount,
        auto_id=f"id_{bid.public_id}_%s",
    )


def _bid_rows(tender, user, requirements, bound: dict) -> list[dict]:
    commission = can_evaluate(tender, user) and tender.status == TenderStatus.EVALUATION
    corrections = tender.procedure.allows_corrections
    reviews = {
        r.bid_id: r
        for r in BidReview.objects.filter(tender=tender).prefetch_related("checks__requirement")
    }
    rows = []
    for bid in (
        tender.bids.filter(status=BidStatus.VALID)
        .select_related("supplier")
        .order_by("received_at", "pk")
    ):
        review = reviews.get(bid.pk)
        checks = {c.requirement_id: c for c in review.checks.all()} if review else {}
        row = {
            "bid": bid,
            "review": review,
            "status": review.get_status_display() if review else ReviewStatus.PENDING.label,
            "cells": [(r, checks.get(r.pk)) for r in requirements],
            "prices": sorted((bid.prices or {}).items()),
        }
        if commission and not (review and review.correction_open):
            row["review_form"] = bound.get(("review", bid.pk)) or _review_form(
                tender, bid, review, requirements
            )
        if (
            commission
            and corrections
            and (
                review is None
                or (review.status == ReviewStatus.PENDING and not review.correction_request)
            )
        ):
            row["correction_form"] = bound.get(("correction", bid.pk)) or CorrectionRequestForm(
                auto_id=f"id_{bid.public_id}_correction_%s"
            )
        rows.append(row)
    return rows


def _draft(tender, user, bound: dict) -> dict | None:
    """The protocol the chair would sign now, while the commission evaluates."""
    if tender.status != TenderStatus.EVALUATION:
        return None
    content = results_bytes(tender)
    sha256 = hashlib.sha256(content).hexdigest()
    view = protocol_view(json.loads(content))
    undecided = undecided_bids(tender)
    filename = protocol_filename(tender, view["revision"])
    draft = {
        "view": view,
        "sha256": sha256,
        "undecided": undecided,
        "filename": filename,
        "url": reverse("awards:results-draft", args=[tender.number]),
        "command": f"{TOOL} sign {filename} --p12 certificate.p12",
        "chair": is_chair(tender, user),
    }
    if draft["chair"] and not undecided:
        form = bound.get("publish")
        if form is None:
            form = PublishResultsForm(initial={"content_sha256": sha256})
        else:
            # A refused upload is offered again for the protocol as it is now (its errors
            # stay), so a chair told "the protocol changed" signs the new one.
            form.data = form.data.copy()
            form.data["content_sha256"] = sha256
        draft["publish_form"] = form
        draft["browser_signing"] = protocol_signing(tender, sha256)
    return draft


def evaluation_context(request, tender, bound: dict | None = None) -> dict:
    """The page, with unbound forms for what this user may do (or the bound one refused,
    under its key: ("review", bid pk), ("correction", bid pk) or "publish")."""
    bound = bound or {}
    requirements = list(tender.requirements.order_by("number"))
    return {
        "tender": tender,
        "requirements": requirements,
        "weighted": tender.procedure.award_criterion == "weighted_scoring",
        "rows": _bid_rows(tender, request.user, requirements, bound),
        "commission": can_evaluate(tender, request.user),
        "evaluating": tender.status == TenderStatus.EVALUATION,
        "draft": _draft(tender, request.user, bound),
        "protocols": tender.results_protocols.select_related("signed_by").order_by("-revision"),
    }


def _again(request, tender, key):
    def render_again(form):
        fresh = type(tender).objects.select_related("agency", "procedure").get(pk=tender.pk)
        context = evaluation_context(request, fresh, {key: form})
        return render(request, TEMPLATE, context, status=400)

    return render_again


@login_required
@require_GET
def evaluation(request, number: str):
    tender = _evaluated_tender(request, number)
    return render(request, TEMPLATE, evaluation_context(request, tender))


def _valid_bid(tender, public_id: str) -> Bid:
    return get_object_or_404(
        Bid.objects.select_related("supplier", "tender"), tender=tender, public_id=public_id
    )


@login_required
@require_POST
def bid_review(request, number: str, public_id: str):
    tender = _evaluated_tender(request, number)
    _require_commission(tender, request.user)
    bid = _valid_bid(tender, public_id)
    requirements = list(tender.requirements.order_by("number"))
    review = BidReview.objects.filter(bid=bid).first()
    return perform(
        request,
        _review_form(tender, bid, review, requirements, request.POST),
        lambda form: review_bid(
            bid=bid,
            actor=request.user,
            decisions=form.decisions(),
            domestic=form.cleaned_data.get("domestic", False),
            note=form.cleaned_data["note"],
        ),
        done=_("The decision on %(bid)s was recorded.") % {"bid": bid.public_id},
        then=evaluation_url(tender, bid),
        again=_again(request, tender, ("review", bid.pk)),
        rename=ReviewForm.service_errors,
    )


@login_required
@require_POST
def correction_request(request, number: str, public_id: str):
    tender = _evaluated_tender(request, number)
    _require_commission(tender, request.user)
    bid = _valid_bid(tender, public_id)
    return perform(
        request,
        CorrectionRequestForm(request.POST, auto_id=f"id_{bid.public_id}_correction_%s"),
        lambda form: request_correction(bid=bid, actor=request.user, **form.cleaned_data),
        done=_("%(bid)s's bidder was asked to correct the defect.") % {"bid": bid.public_id},
        then=evaluation_url(tender, bid),
        again=_again(request, tender, ("correction", bid.pk)),
    )


@login_required
@require_GET
def results_draft(request, number: str):
    """The exact bytes the chair signs, as the platform computes them now."""
    tender = _evaluated_tender(request, number)
    if tender.status != TenderStatus.EVALUATION:
        raise Http404  # a protocol is drafted only while the commission evaluates
    content = results_bytes(tender)
    revision = tender.results_protocols.count() + 1
    return exact_bytes(content, protocol_filename(tender, revision))


@login_required
@require_POST
def results_publish(request, number: str):
    tender = _evaluated_tender(request, number)
    if not is_chair(tender, request.user):
        raise PermissionDenied(_("Only the commission's chair signs the results protocol."))
    return perform(
        request,
        PublishResultsForm(request.POST, request.FILES),
        lambda form: publish_results(tender=tender, actor=request.user, **form.cleaned_data),
        done=_("The results are published; the standstill has begun."),
        then=reverse("awards:results", args=[tender.number]),
        again=_again(request, tender, "publish"),
    )
