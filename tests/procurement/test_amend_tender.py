"""Amending a published tender: a new version with its own hash, chained to the previous one;
the deadline moves out when too little time would remain; interested suppliers are told;
every refusal says why and changes nothing."""

import datetime as dt
import hashlib
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Entry
from procurement.models import Notice, Tender, TenderVersion
from procurement.services.amendments import amend_tender
from procurement.services.documents import attach_document
from procurement.services.questions import ask_question
from procurement.services.tenders import cancel_tender, publish_tender
from tests.conftest import ROLES, cast_member
from tests.procurement.factories import FROZEN, counts, events_since, ready_tender
from tests.procurement.uploads import upload

UTC = dt.UTC
# FROZEN is Monday 2 February 2026, 10:00 in Almaty; the open tender's shortest periods end
# enquiries on Wednesday 4 February and take bids until the end (18:00) of Monday 9 February.
DEADLINE = dt.datetime(2026, 2, 9, 13, 0, tzinfo=UTC)
NEXT_DAY = FROZEN + dt.timedelta(days=1)  # Tuesday 10:00 in Almaty


@pytest.fixture
def published(cast):
    with time_machine.travel(FROZEN, tick=False):
        return publish_tender(tender=ready_tender(cast, now=FROZEN), actor=cast.buyer)


def amend(tender, actor, at, **fields):
    fields.setdefault("reason", "Clarified the delivery address")
    with time_machine.travel(at, tick=False):
        return amend_tender(tender=tender, actor=actor, **fields)


def snapshot_state(tender) -> dict:
    return {
        **counts(),
        "versions": TenderVersion.objects.count(),
        "notices": Notice.objects.count(),
        "row": Tender.objects.filter(pk=tender.pk)
        .values("title", "description", "enquiry_end", "submission_deadline", "version_number")
        .get(),
    }


def test_publication_makes_version_1_whose_hash_is_of_its_exact_bytes(published):
    version = published.versions.get()
    content = bytes(version.content)
    assert version.number == 1
    assert version.sha256 == hashlib.sha256(content).hexdigest() == published.version_hash
    body = json.loads(content)
    assert body["type"] == "tender-version/v1"
    assert body["tender"] == published.number
    assert body["previous"] is None
    assert body["submission_deadline"] == "2026-02-09T13:00:00.000000Z"
    assert [lot["id"] for lot in body["lots"]] == ["1"]
    assert body["lots"][0]["amount"] == "3000000.00"


def test_an_amendment_makes_the_next_version_chained_to_the_last(cast, published):
    v1 = published.version_hash
    version = amend(published, cast.buyer, FROZEN + dt.timedelta(hours=1), title="Insulin 2026")
    body = json.loads(bytes(version.content))
    assert (version.number, body["version"], body["previous"]) == (2, 2, v1)
    assert body["title"] == "Insulin 2026"
    assert version.reason == "Clarified the delivery address"
    assert "title" in version.changes
    tender = Tender.objects.get(pk=published.pk)
    assert (tender.version_number, tender.version_hash) == (2, version.sha256)


def test_an_amendment_on_publication_day_leaves_the_shortest_deadline(cast, published):
    # Periods end at the end of a working day, so the same day still leaves five of them.
    version = amend(published, cast.buyer, FROZEN + dt.timedelta(hours=7), title="Insulin 2026")
    assert not version.deadline_moved
    assert Tender.objects.get(pk=published.pk).submission_deadline == DEADLINE


def test_too_little_time_left_moves_the_deadline_five_working_days_out(cast, published):
    # A day after publication only four working days remain: the deadline moves to the end of
    # Tuesday 10 February, five working days after the amendment.
    version = amend(published, cast.buyer, NEXT_DAY, title="Insulin 2026")
    tender = Tender.objects.get(pk=published.pk)
    assert tender.submission_deadline == DEADLINE + dt.timedelta(days=1)
    assert tender.next_check == tender.enquiry_end  # still in enquiries
    assert version.deadline_moved
    assert sorted(version.changes) == ["submission_deadline", "title"]
    assert json.loads(bytes(version.content))["submission_deadline"] == (
        "2026-02-10T13:00:00.000000Z"
    )


def test_enough_time_left_keeps_the_deadline(cast, published):
    later = DEADLINE + dt.timedelta(days=14)
    amend(published, cast.buyer, FROZEN, submission_deadline=later, reason="More time")
    version = amend(published, cast.buyer, FROZEN + dt.timedelta(days=1), description="Sterile")
    assert not version.deadline_moved
    assert Tender.objects.get(pk=published.pk).submission_deadline == later


def test_the_event_records_the_version_the_fields_and_the_reason(cast, published):
    before = Entry.objects.count()
    version = amend(published, cast.buyer, NEXT_DAY, title="Insulin 2026")
    [event] = events_since(before)
    assert event.action == "procurement.tender.amended"
    assert event.data["version"] == 2
    assert event.data["sha256"] == version.sha256
    assert event.data["fields"]["title"] == {"from": "Insulin for 2026", "to": "Insulin 2026"}
    assert event.data["deadline_moved"] is True
    assert event.data["submission_deadline"] == "2026-02-10T13:00:00.000000Z"


def test_suppliers_who_asked_questions_are_notified(cast, published):
    with time_machine.travel(FROZEN + dt.timedelta(minutes=5), tick=False):
        ask_question(tender=published, text="Which insulin?", actor=cast.supplier_a)
    amend(published, cast.buyer, NEXT_DAY, title="Insulin 2026")
    [notice] = Notice.objects.all()
    assert notice.supplier == cast.supplier_org_a
    assert notice.kind == "amended"
    assert "version 2" in notice.message
    assert "Clarified the delivery address" in notice.message
    assert "10.02.2026 18:00" in notice.message
    assert "moved out" in notice.message


def test_attaching_a_document_to_a_published_tender_is_an_amendment(cast, published):
    with time_machine.travel(NEXT_DAY, tick=False):
        document = attach_document(
            tender=published,
            uploaded_file=upload(),
            title="Revised specification",
            actor=cast.buyer,
            reason="The specification was revised",
        )
    tender = Tender.objects.get(pk=published.pk)
    version = tender.versions.get(number=2)
    body = json.loads(bytes(version.content))
    assert [d["sha256"] for d in body["documents"]] == [document.sha256]
    assert version.changes == ["documents", "submission_deadline"]
    assert tender.submission_deadline == DEADLINE + dt.timedelta(days=1)


def test_tendering_can_be_amended_up_to_one_second_before_the_deadline(cast, published):
    far = DEADLINE + dt.timedelta(days=30)
    amend(published, cast.buyer, FROZEN, submission_deadline=far, reason="More time")
    Tender.objects.filter(pk=published.pk).update(status="tendering")
    version = amend(published, cast.buyer, far - dt.timedelta(seconds=1), description="x")
    assert version.number == 3


def test_refused_at_the_deadline_naming_it(cast, published):
    Tender.objects.filter(pk=published.pk).update(status="tendering")
    before = snapshot_state(published)
    with pytest.raises(ValidationError) as exc:
        amend(published, cast.buyer, DEADLINE, title="Too late")
    assert exc.value.code == "deadline_passed"
    assert exc.value.messages == [
        "The submission deadline (09.02.2026 18:00, Almaty time) has passed: no more amendments."
    ]
    assert snapshot_state(published) == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"reason": "  "}, {"reason": ["Say why the tender is amended."]}),
        ({"reason": "x" * 2001}, {"reason": ["Keep it to 2000 characters or fewer."]}),
        ({"title": "   "}, {"title": ["Give the tender a title."]}),
        (
            {"submission_deadline": DEADLINE - dt.timedelta(seconds=1)},
            {
                "submission_deadline": [
                    "An amendment can move the deadline out, not in: it is 09.02.2026 18:00 "
                    "(Almaty time) and suppliers plan on it."
                ]
            },
        ),
        (
            {"enquiry_end": dt.datetime(2026, 2, 3, 5, 0, tzinfo=UTC)},
            {"enquiry_end": ["An amendment can extend enquiries, not shorten them."]},
        ),
        (
            {"enquiry_end": DEADLINE},
            {"enquiry_end": ["Enquiries end before the submission deadline."]},
        ),
        (
            {"submission_deadline": dt.datetime(2026, 3, 1, 10, 0)},
            {"submission_deadline": ["Give the instant with its time zone."]},
        ),
    ],
)
def test_field_refusals_name_the_field_and_change_nothing(cast, published, fields, expected):
    before = snapshot_state(published)
    with pytest.raises(ValidationError) as exc:
        amend(published, cast.buyer, FROZEN + dt.timedelta(hours=1), **fields)
    assert exc.value.message_dict == expected
    assert snapshot_state(published) == before


def test_nothing_changed_is_refused(cast, published):
    before = snapshot_state(published)
    with pytest.raises(ValidationError) as exc:
        amend(published, cast.buyer, FROZEN, title=published.title)
    assert exc.value.code == "no_change"
    assert snapshot_state(published) == before


def test_the_end_of_enquiries_is_fixed_once_tendering_started(cast, published):
    Tender.objects.filter(pk=published.pk).update(status="tendering")
    with pytest.raises(ValidationError) as exc:
        amend(published, cast.buyer, FROZEN, enquiry_end=DEADLINE - dt.timedelta(hours=1))
    assert exc.value.message_dict == {
        "enquiry_end": ["Enquiries have ended; their end can no longer change."]
    }


@pytest.mark.parametrize("status", ["draft", "opening", "unsuccessful"])
def test_only_enquiries_and_tendering_are_amended(cast, published, status):
    Tender.objects.filter(pk=published.pk).update(status=status)
    with pytest.raises(ValidationError) as exc:
        amend(published, cast.buyer, FROZEN, title="New")
    assert exc.value.code == "invalid_status"
    assert "only a tender in enquiries or tendering is amended" in exc.value.messages[0]


def test_a_cancelled_tender_is_not_amended(cast, published):
    with time_machine.travel(FROZEN, tick=False):
        cancel_tender(tender=published, reason="no_demand", text="Gone", actor=cast.buyer)
    with pytest.raises(ValidationError, match="is cancelled"):
        amend(published, cast.buyer, FROZEN, title="New")


@pytest.mark.parametrize(
    "role", [r for r in ROLES if r not in ("anonymous", "buyer", "agency_admin")]
)
def test_only_the_agencys_buyers_and_admins_amend(cast, published, role):
    before = snapshot_state(published)
    with pytest.raises(PermissionDenied):
        amend(published, cast_member(cast, role), FROZEN, title="New")
    assert snapshot_state(published) == before


def test_the_agency_admin_may_amend(cast, published):
    assert amend(published, cast.agency_admin, FROZEN, title="New").number == 2
