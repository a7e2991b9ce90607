"""Periods against the procedure's minimums, in working days in Almaty (open tender: 2 for
enquiries, 5 for submission), each instant tried one second early and exactly on time."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import Tender
from procurement.periods import earliest_periods
from procurement.services.tenders import set_periods
from tests.procurement.factories import FROZEN, counts, draft_tender, events_since, procedure

SECOND = dt.timedelta(seconds=1)
# Published Monday 2 February 2026: enquiries to Wednesday 18:00, bids to next Monday 18:00.
ENQUIRY_END = dt.datetime(2026, 2, 4, 13, 0, tzinfo=dt.UTC)
DEADLINE = dt.datetime(2026, 2, 9, 13, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def tender(cast):
    return draft_tender(cast.agency)


def test_earliest_periods_count_working_days_in_almaty(db):
    assert earliest_periods(procedure(), FROZEN) == (ENQUIRY_END, DEADLINE)


def test_buyer_sets_the_shortest_periods_allowed(cast, tender):
    before = counts()
    set_periods(
        tender=tender, enquiry_end=ENQUIRY_END, submission_deadline=DEADLINE, actor=cast.buyer
    )
    tender = Tender.objects.get(pk=tender.pk)
    assert (tender.enquiry_end, tender.submission_deadline) == (ENQUIRY_END, DEADLINE)
    assert tender.next_check is None  # a draft waits for its buyer, not for time
    [event] = events_since(before["events"])
    assert event.action == "procurement.tender.scheduled"
    assert event.data == {
        "enquiry_end": "2026-02-04T13:00:00.000000Z",
        "submission_deadline": "2026-02-09T13:00:00.000000Z",
    }


def test_refuses_enquiries_one_second_too_short(cast, tender):
    with pytest.raises(ValidationError) as refused:
        set_periods(
            tender=tender,
            enquiry_end=ENQUIRY_END - SECOND,
            submission_deadline=DEADLINE,
            actor=cast.buyer,
        )
    assert refused.value.message_dict == {
        "enquiry_end": [
            "Enquiries last at least 2 working days: no earlier than 04.02.2026 18:00 (Almaty time)."
        ]
    }


def test_refuses_a_deadline_one_second_too_early(cast, tender):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        set_periods(
            tender=tender,
            enquiry_end=ENQUIRY_END,
            submission_deadline=DEADLINE - SECOND,
            actor=cast.buyer,
        )
    assert refused.value.message_dict == {
        "submission_deadline": [
            "Bids are accepted for at least 5 working days: the deadline is no earlier than "
            "09.02.2026 18:00 (Almaty time)."
        ]
    }
    assert counts() == before
    assert Tender.objects.get(pk=tender.pk).submission_deadline is None


def test_refuses_a_deadline_before_the_end_of_enquiries(cast, tender):
    with pytest.raises(ValidationError, match="The deadline comes after the end of enquiries"):
        set_periods(
            tender=tender,
            enquiry_end=DEADLINE + dt.timedelta(days=1),
            submission_deadline=DEADLINE,
            actor=cast.buyer,
        )


def test_refuses_naive_instants(cast, tender):
    with pytest.raises(ValidationError, match="with their time zone"):
        set_periods(
            tender=tender,
            enquiry_end=ENQUIRY_END.replace(tzinfo=None),
            submission_deadline=DEADLINE,
            actor=cast.buyer,
        )


def test_refuses_outsiders_and_tenders_past_the_draft(cast, tender):
    with pytest.raises(PermissionDenied):
        set_periods(
            tender=tender,
            enquiry_end=ENQUIRY_END,
            submission_deadline=DEADLINE,
            actor=cast.other_buyer,
        )
    published = draft_tender(cast.agency, status="enquiries")
    with pytest.raises(ValidationError, match="Only a draft tender can be changed"):
        set_periods(
            tender=published,
            enquiry_end=ENQUIRY_END,
            submission_deadline=DEADLINE,
            actor=cast.buyer,
        )
