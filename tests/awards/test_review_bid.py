"""The commission's decision on each opened bid, requirement by requirement."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from awards.models import BidReview, RequirementCheck
from awards.services.reviews import request_correction, review_bid
from bids.models import Bid
from procurement.models import Procedure
from tests.awards.world import (
    award_world,
    events_since,
    fails,
    log_size,
    meets_all,
    on_a_monday,
    publish,
    review_all,
    state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday():
    with on_a_monday():
        yield


@pytest.fixture
def world(cast):
    with award_world(cast) as world:
        yield world


def checks_of(review) -> list[tuple]:
    return list(
        RequirementCheck.objects.filter(review=review)
        .order_by("requirement__number")
        .values_list("requirement__number", "met", "reason", "score")
    )


def test_a_bid_meeting_every_requirement_is_qualified(cast, world):
    bid = world.bids["a"]
    before = log_size()
    review = review_bid(
        bid=bid, actor=cast.commission[0], decisions=meets_all(world.tender), note=" Complete "
    )

    review = BidReview.objects.get(pk=review.pk)
    assert (review.status, review.decided_by, review.note, review.domestic) == (
        "qualified",
        cast.commission[0],
        "Complete",
        False,
    )
    assert checks_of(review) == [(1, True, "", None), (2, True, "", None)]
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "awards.bidreview.decided",
        cast.commission[0].pk,
        "awards.bidreview",
        str(review.pk),
    )
    assert event.data == {
        "tender": world.tender.number,
        "bid": bid.public_id,
        "status": "qualified",
        "domestic": False,
        "checks": [
            {"requirement": 1, "met": True, "reason": "", "score": None},
            {"requirement": 2, "met": True, "reason": "", "score": None},
        ],
    }


def test_a_bid_failing_a_requirement_is_disqualified_with_the_reason(cast, world):
    decisions = fails(world.tender, 2, "  Two years of experience, three required ")
    decisions["1"] = {"met": False, "reason": "Licence expired in 2024"}
    before = log_size()
    review = review_bid(bid=world.bids["b"], actor=cast.buyer, decisions=decisions)

    assert BidReview.objects.get(pk=review.pk).status == "disqualified"
    assert checks_of(review) == [
        (1, False, "Licence expired in 2024", None),
        (2, False, "Two years of experience, three required", None),
    ]
    [event] = events_since(before)
    assert event.data["status"] == "disqualified"
    assert [c["reason"] for c in event.data["checks"]] == [
        "Licence expired in 2024",
        "Two years of experience, three required",
    ]


def test_a_met_requirement_keeps_no_reason(cast, world):
    decisions = meets_all(world.tender)
    decisions["1"] = {"met": True, "reason": "checked twice"}
    review = review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=decisions)
    assert checks_of(review)[0] == (1, True, "", None)


def test_the_decision_may_change_until_the_results_are_published(cast, world):
    bid = world.bids["a"]
    first = review_bid(bid=bid, actor=cast.buyer, decisions=meets_all(world.tender))
    before = log_size()
    second = review_bid(
        bid=bid, actor=cast.commission[1], decisions=fails(world.tender, 1, "No licence")
    )

    assert second.pk == first.pk
    assert BidReview.objects.filter(bid=bid).count() == 1
    assert BidReview.objects.get(pk=first.pk).status == "disqualified"
    assert checks_of(first) == [(1, False, "No licence", None), (2, True, "", None)]
    [event] = events_since(before)
    assert (event.actor_id, event.data["status"]) == (cast.commission[1].pk, "disqualified")


def test_the_commission_marks_a_domestic_supplier(cast, world):
    before = log_size()
    review = review_bid(
        bid=world.bids["c"], actor=cast.buyer, decisions=meets_all(world.tender), domestic=True
    )
    assert BidReview.objects.get(pk=review.pk).domestic is True
    [event] = events_since(before)
    assert event.data["domestic"] is True


def test_criteria_are_scored_and_never_disqualify(cast):
    with award_world(cast, weighted=True) as world:
        decisions = meets_all(world.tender, **{"3": "0"})
        review = review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=decisions)
        assert BidReview.objects.get(pk=review.pk).status == "qualified"
        assert checks_of(review)[2] == (3, True, "", Decimal("0.00"))
        other = review_bid(
            bid=world.bids["b"],
            actor=cast.buyer,
            decisions=meets_all(world.tender, **{"3": "87.5"}),
        )
        assert checks_of(other)[2] == (3, True, "", Decimal("87.50"))


@pytest.mark.parametrize("score", [None, "-1", "100.01", "many", "NaN"])
def test_refuses_a_score_outside_0_to_100(cast, score):
    with award_world(cast, weighted=True) as world:
        decisions = meets_all(world.tender)
        decisions["3"] = {"score": score}
        before = state(world.tender)
        with pytest.raises(ValidationError) as refused:
            review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=decisions)
        assert refused.value.message_dict == {"score_3": ["Score “Delivery time” from 0 to 100."]}
        assert state(world.tender) == before


def test_refuses_a_decision_that_leaves_requirements_undecided(cast, world):
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        review_bid(bid=world.bids["a"], actor=cast.buyer, decisions={"1": {"met": True}})
    assert refused.value.message_dict == {"requirement_2": ["Decide “Three years of experience”."]}
    assert state(world.tender) == before


def test_refuses_an_unmet_requirement_without_its_reason(cast, world):
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=fails(world.tender, 1, "  "))
    assert refused.value.message_dict == {
        "requirement_1": ["Say why the bid does not meet “Licence for pharmaceutical activity”."]
    }
    assert state(world.tender) == before


def test_refuses_the_domestic_mark_where_the_procedure_gives_no_discount(cast, world):
    Procedure.objects.filter(pk=world.tender.procedure_id).update(domestic_discount=0)
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        review_bid(
            bid=world.bids["a"], actor=cast.buyer, decisions=meets_all(world.tender), domestic=True
        )
    assert refused.value.message_dict == {
        "domestic": ["This procedure gives no discount to domestic suppliers."]
    }
    assert state(world.tender) == before


@pytest.mark.parametrize(
    "who", ["commission_without_seat", "agency_admin", "supplier_a", "auditor"]
)
def test_only_the_tenders_commission_reviews(cast, world, who):
    # commission[2] is a commission member of the agency, but has no seat on this tender.
    actor = cast.commission[2] if who == "commission_without_seat" else getattr(cast, who)
    before = state(world.tender)
    with pytest.raises(PermissionDenied):
        review_bid(bid=world.bids["a"], actor=actor, decisions=meets_all(world.tender))
    assert state(world.tender) == before


def test_refuses_a_bid_the_opening_did_not_find_valid(cast, world):
    bid = world.bids["a"]
    Bid.objects.filter(pk=bid.pk).update(status="invalid")
    before = state(world.tender)
    with pytest.raises(ValidationError, match="Only bids the opening found valid are reviewed"):
        review_bid(bid=bid, actor=cast.buyer, decisions=meets_all(world.tender))
    assert state(world.tender) == before


def test_refuses_while_the_bidder_may_still_correct_a_defect(cast, world):
    request_correction(bid=world.bids["a"], actor=cast.buyer, text="Attach the licence's annex.")
    before = state(world.tender)
    with pytest.raises(ValidationError, match="to correct the defect; decide after their answer"):
        review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=meets_all(world.tender))
    assert state(world.tender) == before


def test_refuses_once_the_results_are_published(cast, world):
    review_all(world, cast)
    publish(world, cast)
    before = state(world.tender)
    with pytest.raises(ValidationError, match="Reviewing bids is not possible while"):
        review_bid(
            bid=world.bids["a"], actor=cast.buyer, decisions=fails(world.tender, 1, "Changed mind")
        )
    assert state(world.tender) == before
