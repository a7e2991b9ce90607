"""The commission's review of each opened bid: requirement by requirement, with a reason for
each one not met; a request to correct a formal defect within the procedure's window; the
bidder's answer; and the clock closing windows nobody answered."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import Action
from audit.recorder import record
from awards.choices import PASS_FAIL, RequirementKind, ReviewStatus
from awards.common import checked_text, lock_tender, refuse_unless_status, sha256_text
from awards.models import BidReview, RequirementCheck
from awards.permissions import acts_for, can_evaluate
from awards.timers import refresh_timer
from bids.models import Bid, BidStatus
from procurement.choices import AwardCriterion, TenderStatus
from procurement.models import Notice, NoticeKind, Tender
from procurement.periods import local_text

SCORE_MAX = Decimal("100")


def _refuse_unless_commission(tender: Tender, actor: User) -> None:
    if not can_evaluate(tender, actor):
        raise PermissionDenied(_("Only the tender's commission reviews its bids."))


def _review_of(tender: Tender, bid: Bid) -> BidReview:
    if bid.tender_id != tender.pk or bid.status != BidStatus.VALID:
        raise ValidationError(
            _("Only bids the opening found valid are reviewed; %(bid)s is %(status)s.")
            % {"bid": bid.public_id, "status": bid.get_status_display().lower()},
            code="bid_not_reviewable",
        )
    review, _created = BidReview.objects.select_for_update().get_or_create(bid=bid, tender=tender)
    return review


def _checked_score(value, requirement) -> Decimal:
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError):
        score = None
    if score is None or not score.is_finite() or not Decimal("0") <= score <= SCORE_MAX:
        raise ValidationError(
            {
                f"score_{requirement.number}": [
                    _("Score “%(title)s” from 0 to 100.") % {"title": requirement.title}
                ]
            }
        )
    return score.quantize(Decimal("0.01"))


def _checked_decisions(tender: Tender, decisions: dict) -> list[tuple]:
    """One (requirement, met, reason, score) per requirement of the tender; every
    requirement must be decided, and an unmet one needs its reason."""
    rows, errors = [], {}
    for requirement in tender.requirements.order_by("number"):
        given = decisions.get(str(requirement.number)) or decisions.get(requirement.number)
        key = f"requirement_{requirement.number}"
        if given is None:
            errors[key] = [_("Decide “%(title)s”.") % {"title": requirement.title}]
            continue
        if requirement.kind == RequirementKind.CRITERION:
            rows.append((requirement, True, "", _checked_score(given.get("score"), requirement)))
            continue
        met = bool(given.get("met"))
        reason = (given.get("reason") or "").strip()
        if not met and not reason:
            errors[key] = [
                _("Say why the bid does not meet “%(title)s”.") % {"title": requirement.title}
            ]
        rows.append((requirement, met, reason if not met else "", None))
    if errors:
        raise ValidationError(errors)
    return rows


def review_bid(
    *,
    bid: Bid,
    actor: User,
    decisions: dict,
    domestic: bool = False,
    note: str = "",
) -> BidReview:
    """Record the commission's decision on a bid: qualified when it meets every document and
    qualification requirement, disqualified (with the reasons) when not. `decisions` maps a
    requirement's number to {"met": bool, "reason": str} or, for a criterion, {"score": 0-100}.
    A decision may be changed until the results are published."""
    with transaction.atomic():
        tender = lock_tender(bid.tender)
        _refuse_unless_commission(tender, actor)
        refuse_unless_status(tender, [TenderStatus.EVALUATION], _("Reviewing bids"))
        review = _review_of(tender, Bid.objects.get(pk=bid.pk))
        if review.correction_open:
            raise ValidationError(
                _(
                    "The bidder has until %(when)s (Almaty time) to correct the defect; decide "
                    "after their answer or after that time."
                )
                % {"when": local_text(review.correction_deadline)},
                code="correction_pending",
            )
        rows = _checked_decisions(tender, decisions)
        if domestic and not tender.procedure.domestic_discount:
            raise ValidationError(
                {"domestic": [_("This procedure gives no discount to domestic suppliers.")]}
            )
        for requirement, met, reason, score in rows:
            RequirementCheck.objects.update_or_create(
                review=review,
                requirement=requirement,
                defaults={"met": met, "reason": reason, "score": score},
            )
        qualified = all(met for req, met, _r, _s in rows if req.kind in PASS_FAIL)
        review.domestic = domestic
        (review.qualify if qualified else review.disqualify)(by=actor, note=note.strip())
        review.save()
        record(
            Action.BID_REVIEWED,
            subject=review,
            actor=actor,
            data={
                "tender": tender.number,
                "bid": bid.public_id,
                "status": review.status,
                "domestic": domestic,
                "checks": [
                    {"requirement": r.number, "met": met, "reason": reason, "score": score}
                    for r, met, reason, score in rows
                ],
            },
        )
    return review


def request_correction(*, bid: Bid, actor: User, text: str) -> BidReview:
    """Ask the bidder to correct a formal defect within the procedure's correction window."""
    text = checked_text(text, "text", _("Say what the bidder must correct."))
    with transaction.atomic():
        tender = lock_tender(bid.tender)
        _refuse_unless_commission(tender, actor)
        refuse_unless_status(tender, [TenderStatus.EVALUATION], _("Asking for a correction"))
        if not tender.procedure.allows_corrections:
            raise ValidationError(
                _("%(procedure)s does not allow corrections of bids.")
                % {"procedure": tender.procedure},
                code="corrections_not_allowed",
            )
        review = _review_of(tender, Bid.objects.get(pk=bid.pk))
        if review.correction_request:
            raise ValidationError(
                _("A correction was already requested for %(bid)s; a bid is corrected once.")
                % {"bid": bid.public_id},
                code="correction_already_requested",
            )
        if review.status != ReviewStatus.PENDING:
            raise ValidationError(
                _("%(bid)s is already decided; ask for corrections before deciding.")
                % {"bid": bid.public_id},
                code="already_decided",
            )
        deadline = timezone.now() + dt.timedelta(hours=tender.procedure.correction_hours)
        review.ask_correction(text=text, deadline=deadline)
        review.save()
        # The bidder has only the window to answer: tell them, as results and contracts do.
        Notice.objects.create(
            supplier=review.bid.supplier,
            tender=tender,
            kind=NoticeKind.CORRECTION,
            message=_(
                "The commission asks you to correct %(bid)s by %(when)s (Almaty time): %(text)s"
            )
            % {"bid": bid.public_id, "when": local_text(deadline), "text": text},
        )
        refresh_timer(tender)
        tender.save(update_fields=["timer_at"])
        record(
            Action.CORRECTION_REQUESTED,
            subject=review,
            actor=actor,
            data={
                "tender": tender.number,
                "bid": bid.public_id,
                "text_sha256": sha256_text(text),
                "deadline": deadline,
            },
        )
    return review


def answer_correction(*, bid: Bid, actor: User, text: str) -> BidReview:
    """The bidder answers a correction request, before its window closes."""
    text = checked_text(text, "text", _("Write your correction."))
    with transaction.atomic():
        tender = lock_tender(bid.tender)
        bid = Bid.objects.select_related("supplier").get(pk=bid.pk)
        if not acts_for(actor, bid.supplier):
            raise PermissionDenied(_("Only the bidder answers a correction request."))
        refuse_unless_status(tender, [TenderStatus.EVALUATION], _("Answering a correction"))
        review = BidReview.objects.select_for_update().filter(bid=bid).first()
        if review is None or not review.correction_open:
            raise ValidationError(
                _("No correction is requested of %(bid)s.") % {"bid": bid.public_id},
                code="no_correction_requested",
            )
        now = timezone.now()
        if now >= review.correction_deadline:
            raise ValidationError(
                _("The correction window closed at %(when)s (Almaty time).")
                % {"when": local_text(review.correction_deadline)},
                code="correction_window_closed",
            )
        review.correction_answer = text
        review.correction_answered_at = now
        review.close_correction()
        review.save()
        refresh_timer(tender)
        tender.save(update_fields=["timer_at"])
        record(
            Action.CORRECTION_ANSWERED,
            subject=review,
            actor=actor,
            data={"tender": tender.number, "bid": bid.public_id, "text_sha256": sha256_text(text)},
        )
    return review


def close_correction_windows(*, tender: Tender, now: dt.datetime | None = None) -> Tender | None:
    """The clock: correction windows that ended unanswered close, and the commission decides
    on what the bid holds. None when no window was due."""
    now = now or timezone.now()
    with transaction.atomic():
        tender = lock_tender(tender)
        if tender.status != TenderStatus.EVALUATION:
            return None
        due = list(
            BidReview.objects.select_for_update()
            .filter(tender=tender, status=ReviewStatus.CORRECTION, correction_deadline__lte=now)
            .select_related("bid")
        )
        if not due:
            return None
        for review in due:
            review.close_correction()
            review.save()
        refresh_timer(tender)
        tender.save(update_fields=["timer_at"])
        record(
            Action.CORRECTION_WINDOWS_CLOSED,
            subject=tender,
            actor=None,
            data={"bids": [r.bid.public_id for r in due]},
        )
    return tender


def criterion_weights(tender: Tender) -> dict[str, Decimal]:
    if tender.procedure.award_criterion != AwardCriterion.WEIGHTED_SCORING:
        return {}
    return {
        str(r.number): r.weight for r in tender.requirements.filter(kind=RequirementKind.CRITERION)
    }
