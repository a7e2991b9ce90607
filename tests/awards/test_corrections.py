"""A bidder corrects a formal defect within the procedure's correction window (24 hours in an
open tender): the commission asks, the bidder answers before the window closes, or the clock
closes it unanswered at its deadline."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from awards.models import BidReview
from awards.services.reviews import (
    answer_correction,
    close_correction_windows,
    request_correction,
    review_bid,
)
from procurement.clock import tick
from procurement.models import Notice, Procedure
from procurement.services.tenders import cancel_tender
from tests.awards.world import (
    MONDAY,
    at,
    award_world,
    events_since,
    fresh,
    log_size,
    meets_all,
    on_a_monday,
    state,
)

pytestmark = pytest.mark.django_db

ASKED_AT = MONDAY + dt.timedelta(hours=3)  # after the opening (10:02 in Almaty)
WINDOW_ENDS = ASKED_AT + dt.timedelta(hours=24)
SECOND = dt.timedelta(seconds=1)
TEXT = "Attach the annex to the licence."


@pytest.fixture(autouse=True)
def _monday():
    with on_a_monday():
        yield


@pytest.fixture
def world(cast):
    with award_world(cast) as world:
        yield world


@pytest.fixture
def asked(cast, world):
    """The commission asked supplier A to correct its bid at ASKED_AT."""
    with at(ASKED_AT):
        return request_correction(bid=world.bids["a"], actor=cast.commission[0], text=TEXT)


def answer(world, cast, text="The annex is attached."):
    return answer_correction(bid=world.bids["a"], actor=cast.supplier_a, text=text)


# --- asking ------------------------------------------------------------------------------------


def test_the_commission_asks_for_a_correction_within_the_window(cast, world):
    bid = world.bids["a"]
    before = log_size()
    with at(ASKED_AT):
        review = request_correction(bid=bid, actor=cast.commission[0], text=f"  {TEXT} ")

    review = fresh(review)
    assert (review.status, review.correction_request, review.correction_deadline) == (
        "correction",
        TEXT,
        WINDOW_ENDS,
    )
    tender = fresh(world.tender)
    assert (tender.timer_at, tender.next_check) == (WINDOW_ENDS, WINDOW_ENDS)
    [notice] = Notice.objects.filter(tender=tender, kind="correction")
    assert notice.supplier == cast.supplier_org_a
    assert bid.public_id in notice.message and TEXT in notice.message
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "awards.bidreview.correction_requested",
        cast.commission[0].pk,
        "awards.bidreview",
        str(review.pk),
    )
    assert event.data == {
        "tender": tender.number,
        "bid": bid.public_id,
        "text_sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
        "deadline": "2026-02-03T07:00:00.000000Z",
    }


def test_a_procedure_without_corrections_refuses(cast, world):
    Procedure.objects.filter(pk=world.tender.procedure_id).update(allows_corrections=False)
    before = state(world.tender)
    with pytest.raises(ValidationError, match="Open tender does not allow corrections of bids"):
        request_correction(bid=world.bids["a"], actor=cast.buyer, text=TEXT)
    assert state(world.tender) == before


def test_a_bid_is_corrected_once(cast, world, asked):
    with at(WINDOW_ENDS - SECOND):
        answer(world, cast)
    before = state(world.tender)
    with pytest.raises(ValidationError, match="a bid is corrected once"):
        request_correction(bid=world.bids["a"], actor=cast.buyer, text="And the other annex.")
    assert state(world.tender) == before


def test_refuses_a_correction_of_a_decided_bid(cast, world):
    review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=meets_all(world.tender))
    before = state(world.tender)
    with pytest.raises(ValidationError, match="is already decided; ask for corrections before"):
        request_correction(bid=world.bids["a"], actor=cast.buyer, text=TEXT)
    assert state(world.tender) == before


@pytest.mark.parametrize("who", ["commission_without_seat", "supplier_a", "outsider"])
def test_only_the_commission_asks(cast, world, who):
    actor = cast.commission[2] if who == "commission_without_seat" else getattr(cast, who)
    before = state(world.tender)
    with pytest.raises(PermissionDenied):
        request_correction(bid=world.bids["a"], actor=actor, text=TEXT)
    assert state(world.tender) == before


def test_refuses_a_request_without_text(cast, world):
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        request_correction(bid=world.bids["a"], actor=cast.buyer, text="  ")
    assert refused.value.message_dict == {"text": ["Say what the bidder must correct."]}
    assert state(world.tender) == before


# --- answering ---------------------------------------------------------------------------------


def test_the_bidder_answers_one_second_before_the_window_closes(cast, world, asked):
    before = log_size()
    with at(WINDOW_ENDS - SECOND):
        review = answer(world, cast, text="  The annex is attached. ")

    review = fresh(review)
    assert (review.status, review.correction_answer, review.correction_answered_at) == (
        "pending",
        "The annex is attached.",
        WINDOW_ENDS - SECOND,
    )
    tender = fresh(world.tender)
    assert (tender.timer_at, tender.next_check) == (None, None)
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_id) == (
        "awards.bidreview.correction_answered",
        cast.supplier_a.pk,
        str(review.pk),
    )
    assert event.data == {
        "tender": tender.number,
        "bid": world.bids["a"].public_id,
        "text_sha256": hashlib.sha256(b"The annex is attached.").hexdigest(),
    }
    # The commission decides now, on the corrected bid.
    decided = review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=meets_all(world.tender))
    assert fresh(decided).status == "qualified"


@pytest.mark.parametrize("offset", [dt.timedelta(0), SECOND])
def test_refuses_an_answer_at_or_after_the_window_closes(cast, world, asked, offset):
    before = state(world.tender)
    with at(WINDOW_ENDS + offset), pytest.raises(ValidationError) as refused:
        answer(world, cast)
    assert refused.value.code == "correction_window_closed"
    assert "The correction window closed at 03.02.2026 12:00" in refused.value.message
    assert state(world.tender) == before


def test_only_the_bidder_answers(cast, world, asked):
    before = state(world.tender)
    for actor in (cast.supplier_b, cast.buyer, cast.outsider):
        with at(ASKED_AT + SECOND), pytest.raises(PermissionDenied):
            answer_correction(bid=world.bids["a"], actor=actor, text="Not mine to answer.")
    assert state(world.tender) == before


def test_refuses_an_answer_nobody_asked_for(cast, world):
    before = state(world.tender)
    with pytest.raises(ValidationError, match="No correction is requested of"):
        answer(world, cast)
    assert state(world.tender) == before


def test_refuses_an_answer_once_the_tender_is_cancelled(cast, world, asked):
    cancel_tender(tender=world.tender, reason="other", text="Demand withdrawn", actor=cast.buyer)
    before = state(world.tender)
    with at(ASKED_AT + SECOND), pytest.raises(ValidationError, match="is not possible while"):
        answer(world, cast)
    assert state(world.tender) == before


def test_refuses_an_answer_without_text(cast, world, asked):
    before = state(world.tender)
    with at(ASKED_AT + SECOND), pytest.raises(ValidationError) as refused:
        answer(world, cast, text="")
    assert refused.value.message_dict == {"text": ["Write your correction."]}
    assert state(world.tender) == before


# --- the clock ---------------------------------------------------------------------------------


def test_the_clock_leaves_the_window_open_one_second_before_it_closes(cast, world, asked):
    before = state(world.tender)
    with at(WINDOW_ENDS - SECOND):
        tick()
    assert state(world.tender) == before
    assert fresh(asked).status == "correction"


def test_the_clock_closes_an_unanswered_window_exactly_at_its_deadline(cast, world, asked):
    before = log_size()
    with at(WINDOW_ENDS):
        tick()

    review = fresh(asked)
    assert (review.status, review.correction_answer) == ("pending", "")
    tender = fresh(world.tender)
    assert (tender.status, tender.timer_at, tender.next_check) == ("evaluation", None, None)
    [event] = [e for e in events_since(before) if e.action.startswith("awards.")]
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "awards.bidreview.correction_windows_closed",
        None,
        "procurement.tender",
        str(tender.pk),
    )
    assert event.data == {"bids": [world.bids["a"].public_id]}
    # The commission decides on what the bid holds; the bid is not corrected a second time.
    review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=meets_all(world.tender))
    with pytest.raises(ValidationError, match="a bid is corrected once"):
        request_correction(bid=world.bids["a"], actor=cast.buyer, text=TEXT)


def test_the_clock_wakes_for_each_window_in_turn(cast, world, asked):
    later = ASKED_AT + dt.timedelta(hours=3)
    with at(later):
        request_correction(bid=world.bids["b"], actor=cast.buyer, text=TEXT)
    assert fresh(world.tender).timer_at == WINDOW_ENDS

    with at(WINDOW_ENDS):
        tick()
    assert fresh(asked).status == "pending"
    assert BidReview.objects.get(bid=world.bids["b"]).status == "correction"
    assert fresh(world.tender).timer_at == later + dt.timedelta(hours=24)

    with at(later + dt.timedelta(hours=24)):
        tick()
    assert BidReview.objects.get(bid=world.bids["b"]).status == "pending"
    assert fresh(world.tender).timer_at is None


def test_closing_windows_when_none_is_due_changes_nothing(cast, world, asked):
    before = state(world.tender)
    assert close_correction_windows(tender=world.tender, now=WINDOW_ENDS - SECOND) is None
    assert state(world.tender) == before
