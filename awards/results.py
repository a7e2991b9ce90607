"""The results protocol's content: what the chair signs. Canonical JSON built only from rows
(reviews, checks, opened prices), never from the clock, so the bytes the chair downloads and
signs are the bytes the platform computes again when the signature comes back."""

from decimal import Decimal

from audit.canonical import canonical_bytes, iso_utc
from awards.choices import AwardStatus, RequirementKind, ReviewStatus
from awards.ranking import Candidate, rank
from awards.services.reviews import criterion_weights
from bids.models import BidStatus
from procurement.choices import LotStatus
from procurement.versions import lot_id

RESULTS_TYPE = "results-protocol/v1"


def lots_to_award(tender) -> list:
    """Active lots with no award standing and no contract signed: all of them the first time;
    after a complaint sets results aside, those whose award fell with them."""
    lots = tender.lots.filter(status=LotStatus.ACTIVE).order_by("number")
    standing = set(
        tender.awards.filter(status__in=[AwardStatus.PENDING, AwardStatus.ACTIVE]).values_list(
            "lot_id", flat=True
        )
    )
    signed = set(tender.contracts.exclude(signed_at=None).values_list("lot_id", flat=True))
    return [lot for lot in lots if lot.pk not in standing | signed]


def _reviews(tender) -> list:
    return list(
        tender.reviews.select_related("bid__supplier")
        .prefetch_related("checks__requirement")
        .order_by("bid__received_at", "bid__pk")
    )


def _bid_entry(review) -> dict:
    bid = review.bid
    unmet = [c for c in review.checks.all() if not c.met]
    return {
        "bid": bid.public_id,
        "bidder": bid.supplier.bin,
        "bidder_name": bid.supplier.legal_name,
        "received_at": iso_utc(bid.received_at),
        "status": review.status,
        "domestic": review.domestic,
        "reasons": [
            {"requirement": c.requirement.number, "title": c.requirement.title, "reason": c.reason}
            for c in sorted(unmet, key=lambda c: c.requirement.number)
        ],
        "correction": (
            {"requested": review.correction_request, "answer": review.correction_answer}
            if review.correction_request
            else None
        ),
    }


def _candidates(lot, reviews) -> tuple[list[Candidate], list[dict]]:
    """Qualified bids on the lot; those priced above the lot's amount are left out (the budget
    cannot pay them), with the reason, and so are those priced at zero (the opening accepts
    0.00, but an award and a contract have a price above zero, and weighted scoring divides by
    the lowest price)."""
    key, candidates, excluded = lot_id(lot), [], []
    for review in reviews:
        bid = review.bid
        if review.status != ReviewStatus.QUALIFIED or key not in (bid.lots or []):
            continue
        price = Decimal(bid.prices[key])
        if price > lot.amount or price <= 0:
            excluded.append(
                {
                    "bid": bid.public_id,
                    "bidder": bid.supplier.bin,
                    "price": price,
                    "reason": "above the lot's amount" if price > 0 else "no price",
                }
            )
            continue
        scores = {
            str(c.requirement.number): c.score
            for c in review.checks.all()
            if c.requirement.kind == RequirementKind.CRITERION and c.score is not None
        }
        candidates.append(
            Candidate(
                bid=bid.public_id,
                bidder=bid.supplier.bin,
                received_at=bid.received_at,
                price=price,
                domestic=review.domestic,
                scores=scores,
            )
        )
    return candidates, excluded


def _lot_entry(tender, lot, reviews, weights) -> dict:
    candidates, excluded = _candidates(lot, reviews)
    ranked = rank(
        candidates,
        criterion=tender.procedure.award_criterion,
        discount_percent=tender.procedure.domestic_discount,
        weights=weights,
    )
    ranking = [
        {
            "rank": r.rank,
            "bid": r.candidate.bid,
            "bidder": r.candidate.bidder,
            "price": r.candidate.price,
            "compared_price": r.compared_price,
            "score": r.score,
        }
        for r in ranked
    ]
    return {
        "lot": lot_id(lot),
        "title": lot.title,
        "amount": lot.amount,
        "ranking": ranking,
        "excluded": excluded,
        "winner": ranking[0] if ranking else None,
    }


def results_content(tender) -> dict:
    reviews = _reviews(tender)
    weights = criterion_weights(tender)
    opening = getattr(tender, "opening_protocol", None)
    return {
        "type": RESULTS_TYPE,
        "tender": tender.number,
        "tender_version": tender.version_hash,
        "revision": tender.results_protocols.count() + 1,
        "opening_protocol_sha256": opening.sha256 if opening else None,
        "procedure": tender.procedure.code,
        "award_criterion": tender.procedure.award_criterion,
        "domestic_discount": tender.procedure.domestic_discount,
        "criteria": [
            {"requirement": int(n), "weight": w}
            for n, w in sorted(weights.items(), key=lambda x: int(x[0]))
        ],
        "bids": [_bid_entry(r) for r in reviews],
        "lots": [_lot_entry(tender, lot, reviews, weights) for lot in lots_to_award(tender)],
    }


def results_bytes(tender) -> bytes:
    return canonical_bytes(results_content(tender))


def undecided_bids(tender) -> list[str]:
    """Valid bids the commission has not decided yet (no review, pending or in correction)."""
    decided = set(
        tender.reviews.filter(
            status__in=[ReviewStatus.QUALIFIED, ReviewStatus.DISQUALIFIED]
        ).values_list("bid_id", flat=True)
    )
    return [
        b.public_id
        for b in tender.bids.filter(status=BidStatus.VALID).order_by("received_at", "pk")
        if b.pk not in decided
    ]
