"""Complaints to the review body: against the tender's conditions (before the submission
deadline; pending, it holds the opening) or against its results (a bidder, during standstill;
pending, it holds the awards). A reviewer satisfies or dismisses each one, once."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from accounts.choices import Role
from awards.models import Award, Complaint, ComplaintDocument
from awards.services.complaints import decide_complaint, file_complaint
from bids.clockwork import open_ready_tenders, ready_to_open
from contracts.models import Contract
from contracts.services.awarding import run_award_timers
from procurement.clock import tick
from procurement.models import Notice
from suppliers.models import Organisation
from tests.awards.world import (
    at,
    award_world,
    balances,
    events_since,
    fresh,
    log_size,
    on_a_monday,
    publish,
    review_all,
    run_clock_at,
    state,
)
from tests.bids.ceremony import after_deadline, close_bidding, post_shares
from tests.factories import SupplierFactory, member
from tests.procurement.uploads import PDF_BYTES, upload

pytestmark = pytest.mark.django_db

SECOND = dt.timedelta(seconds=1)
LINE = 10000000


@pytest.fixture(autouse=True)
def _monday():
    with on_a_monday():
        yield


@pytest.fixture
def tendering(cast):
    """Bidding open, three bids in, the deadline an hour away."""
    with award_world(cast, opened=False) as world:
        yield world


@pytest.fixture
def standstill(cast):
    """Results published (C disqualified): B proposed for lot 1, A for lot 2."""
    with award_world(cast) as world:
        review_all(world, cast, disqualified=("c",))
        world.protocol = publish(world, cast)
        world.standstill_end = fresh(world.tender).timer_at
        yield world


def complain(world, actor, organisation, kind="results", text="The licence was attached.", **kw):
    return file_complaint(
        tender=world.tender, actor=actor, complainant=organisation, kind=kind, text=text, **kw
    )


def by_c(world, **kw):
    return complain(world, world.user_c, world.org_c, **kw)


def decide(complaint, actor, satisfied, decision="The licence attached had expired."):
    return decide_complaint(
        complaint=complaint, actor=actor, satisfied=satisfied, decision=decision
    )


# --- against the conditions --------------------------------------------------------------------


def test_a_supplier_complains_against_the_conditions_with_documents(cast, tendering):
    before = log_size()
    complaint = complain(
        tendering,
        cast.supplier_a,
        cast.supplier_org_a,
        kind="conditions",
        text="  The licence requirement excludes importers. ",
        files=[upload("evidence.pdf")],
    )

    complaint = Complaint.objects.get(pk=complaint.pk)
    tender = tendering.tender
    assert (complaint.number, complaint.kind, complaint.status, complaint.protocol) == (
        f"CMP-{tender.number[2:]}-1",
        "conditions",
        "pending",
        None,
    )
    assert (complaint.complainant, complaint.filed_by, complaint.text) == (
        cast.supplier_org_a,
        cast.supplier_a,
        "The licence requirement excludes importers.",
    )
    [document] = ComplaintDocument.objects.filter(complaint=complaint)
    sha = hashlib.sha256(PDF_BYTES).hexdigest()
    assert (document.original_name, document.content_type, document.sha256) == (
        "evidence.pdf",
        "application/pdf",
        sha,
    )
    assert default_storage.open(document.file.name).read() == PDF_BYTES
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "awards.complaint.filed",
        cast.supplier_a.pk,
        "awards.complaint",
        str(complaint.pk),
    )
    assert event.data == {
        "tender": tender.number,
        "number": complaint.number,
        "kind": "conditions",
        "complainant": cast.supplier_org_a.bin,
        "text_sha256": hashlib.sha256(complaint.text.encode()).hexdigest(),
        "documents": [{"name": "evidence.pdf", "sha256": sha}],
    }


def test_a_conditions_complaint_is_filed_up_to_one_second_before_the_deadline(cast, tendering):
    deadline = tendering.tender.submission_deadline
    with at(deadline - SECOND):
        complain(tendering, cast.supplier_a, cast.supplier_org_a, kind="conditions")
    before = state(tendering.tender)
    with at(deadline), pytest.raises(ValidationError) as refused:
        complain(tendering, cast.supplier_b, cast.supplier_org_b, kind="conditions")
    assert refused.value.code == "complaint_window_closed"
    assert state(tendering.tender) == before


def test_a_pending_conditions_complaint_holds_the_opening_until_it_is_dismissed(cast, tendering):
    complaint = complain(tendering, cast.supplier_a, cast.supplier_org_a, kind="conditions")
    tender = close_bidding(tendering.tender)
    post_shares(tender, [cast.buyer, cast.commission[0]])

    assert tender not in ready_to_open()
    with after_deadline(tender, 120):
        assert open_ready_tenders() == []
    assert fresh(tender).status == "opening"

    before = log_size()
    decide(complaint, cast.reviewer, satisfied=False, decision="The licence is required by law.")
    [event] = events_since(before)
    assert (event.action, event.actor_id) == ("awards.complaint.dismissed", cast.reviewer.pk)
    assert fresh(tender).status == "opening"  # the decision opens nothing itself

    assert tender in ready_to_open()
    with after_deadline(tender, 120):
        assert open_ready_tenders() == [tender.number]
    assert fresh(tender).status == "evaluation"


def test_a_satisfied_conditions_complaint_cancels_the_tender_and_releases_its_money(
    cast, tendering
):
    complaint = complain(tendering, cast.supplier_a, cast.supplier_org_a, kind="conditions")
    tender = close_bidding(tendering.tender)
    lot1, lot2 = tender.lots.order_by("number")
    before = log_size()
    decide(complaint, cast.reviewer, satisfied=True, decision="  The requirement is unlawful. ")

    complaint = fresh(complaint)
    assert (complaint.status, complaint.reviewer, complaint.decision) == (
        "satisfied",
        cast.reviewer,
        "The requirement is unlawful.",
    )
    tender = fresh(tender)
    assert (tender.status, tender.cancel_reason, tender.cancel_text) == (
        "cancelled",
        "violations",
        "The requirement is unlawful.",
    )
    assert sorted(tender.lots.values_list("status", flat=True)) == ["cancelled"] * 2
    assert balances(lot1) == (0, 0, 0, LINE)
    assert balances(lot2) == (0, 0, 0, LINE)
    [notice] = Notice.objects.filter(tender=tender, kind="complaint")
    assert notice.supplier == cast.supplier_org_a
    assert "satisfied" in notice.message
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_id) == (
        "awards.complaint.satisfied",
        cast.reviewer.pk,
        str(complaint.pk),
    )
    assert event.data == {
        "tender": tender.number,
        "number": complaint.number,
        "decision_sha256": hashlib.sha256(b"The requirement is unlawful.").hexdigest(),
        "tender_status": "cancelled",
        "released": {
            str(lot1.budget_line_id): "3000000.00",
            str(lot2.budget_line_id): "1000000.00",
        },
    }
    # Cancelled, it is never opened.
    assert tender not in ready_to_open()


def test_a_conditions_complaint_decided_after_the_tender_failed_cancels_nothing(cast):
    with award_world(cast, prices={}, opened=False) as world:
        complaint = complain(world, cast.supplier_a, cast.supplier_org_a, kind="conditions")
        tender = run_clock_at(world.tender, world.tender.submission_deadline)
        assert tender.status == "unsuccessful"  # no bids: it failed and released its money
        entries = tender.lots.first().budget_line.entries.count()
        before = log_size()
        decide(complaint, cast.reviewer, satisfied=True, decision="The requirement is unlawful.")

        assert (fresh(complaint).status, fresh(tender).status) == ("satisfied", "unsuccessful")
        assert tender.lots.first().budget_line.entries.count() == entries
        [event] = events_since(before)
        assert event.data["tender_status"] == "unsuccessful"


# --- against the results -----------------------------------------------------------------------


def test_a_bidder_complains_against_the_results_during_standstill(cast, standstill):
    before = log_size()
    complaint = by_c(standstill)

    complaint = fresh(complaint)
    assert (complaint.kind, complaint.protocol, complaint.complainant) == (
        "results",
        standstill.protocol,
        standstill.org_c,
    )
    tender = fresh(standstill.tender)
    assert (tender.timer_at, tender.next_check) == (None, None)  # the awards wait
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.data["kind"]) == (
        "awards.complaint.filed",
        standstill.user_c.pk,
        "results",
    )


def test_a_results_complaint_is_filed_up_to_one_second_before_the_standstill_ends(cast, standstill):
    with at(standstill.standstill_end - SECOND):
        by_c(standstill)
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("offset", [dt.timedelta(0), SECOND])
def test_refuses_a_results_complaint_once_the_standstill_ends(cast, standstill, offset):
    before = state(standstill.tender)
    with at(standstill.standstill_end + offset), pytest.raises(ValidationError) as refused:
        by_c(standstill)
    assert refused.value.code == "complaint_window_closed"
    assert state(standstill.tender) == before


def test_refuses_a_results_complaint_before_the_results_are_published(cast):
    with award_world(cast) as world:
        before = state(world.tender)
        with pytest.raises(ValidationError) as refused:
            by_c(world)
        assert refused.value.code == "complaint_window_closed"
        assert state(world.tender) == before


def test_refuses_a_results_complaint_once_the_awards_are_active(cast, standstill):
    tender = run_clock_at(standstill.tender, standstill.standstill_end)
    assert tender.status == "contracting"
    before = state(tender)
    with pytest.raises(ValidationError) as refused:
        by_c(standstill)
    assert refused.value.code == "complaint_window_closed"
    assert state(tender) == before


def test_only_a_bidder_complains_against_the_results(cast, standstill):
    other = SupplierFactory(legal_name="Never Bid LLP")
    user = member(other, Role.ADMIN, email="never.bid@example.kz")
    before = state(standstill.tender)
    with pytest.raises(PermissionDenied, match="Only the tender's bidders"):
        complain(standstill, user, other)
    assert state(standstill.tender) == before


@pytest.mark.parametrize("who", ["supplier_b", "buyer", "outsider"])
def test_a_complaint_is_filed_by_the_suppliers_own_members(cast, standstill, who):
    before = state(standstill.tender)
    with pytest.raises(PermissionDenied):
        complain(standstill, getattr(cast, who), standstill.org_c)
    assert state(standstill.tender) == before


def test_an_unverified_supplier_does_not_complain(cast, standstill):
    Organisation.objects.filter(pk=standstill.org_c.pk).update(status="suspended")
    before = state(standstill.tender)
    with pytest.raises(PermissionDenied, match="Only verified suppliers"):
        complain(standstill, standstill.user_c, fresh(standstill.org_c))
    assert state(standstill.tender) == before


@pytest.mark.parametrize(
    ("kind", "text", "files", "errors"),
    [
        ("verdict", "x", 0, {"kind": ["Complain against the conditions or the results."]}),
        ("results", "  ", 0, {"text": ["Write the complaint."]}),
        ("results", "x" * 20001, 0, {"text": ["Keep this to 20000 characters or fewer."]}),
        ("results", "x", 6, {"files": ["Attach at most 5 files."]}),
    ],
)
def test_refuses_a_malformed_complaint(cast, standstill, kind, text, files, errors):
    before = state(standstill.tender)
    with pytest.raises(ValidationError) as refused:
        by_c(standstill, kind=kind, text=text, files=[upload() for _ in range(files)])
    assert refused.value.message_dict == errors
    assert state(standstill.tender) == before


def test_a_refused_complaint_leaves_no_file_behind(cast, standstill):
    before = state(standstill.tender)
    with at(standstill.standstill_end), pytest.raises(ValidationError):
        by_c(standstill, files=[upload("evidence.pdf")])
    assert state(standstill.tender) == before
    assert not default_storage.exists("complaints")


# --- a pending results complaint holds the awards ----------------------------------------------


def test_a_pending_complaint_holds_the_awards_past_the_end_of_standstill(cast, standstill):
    by_c(standstill)
    before = state(standstill.tender)
    with at(standstill.standstill_end + dt.timedelta(days=3)):
        tick()
        assert run_award_timers(tender=standstill.tender) is None
    assert state(standstill.tender) == before
    assert set(Award.objects.values_list("status", flat=True)) == {"pending"}


def test_a_dismissed_complaint_lets_the_next_tick_activate_the_awards(cast, standstill):
    complaint = by_c(standstill)
    later = standstill.standstill_end + dt.timedelta(days=1)
    with at(later):
        before = log_size()
        decide(complaint, cast.reviewer, satisfied=False)
        [event] = events_since(before)
        assert event.action == "awards.complaint.dismissed"
        assert "awards_cancelled" not in event.data
        tender = fresh(standstill.tender)
        assert (tender.status, tender.timer_at) == ("standstill", standstill.standstill_end)
        tick()
    tender = fresh(standstill.tender)
    assert tender.status == "contracting"
    assert set(Award.objects.values_list("status", flat=True)) == {"active"}
    assert Contract.objects.filter(tender=tender).count() == 2


def test_a_satisfied_complaint_sets_the_results_aside_for_a_second_protocol(cast, standstill):
    complaint = by_c(standstill)
    before = log_size()
    decide(complaint, cast.reviewer, satisfied=True, decision="C's licence was valid.")

    tender = fresh(standstill.tender)
    assert (tender.status, tender.timer_at, tender.next_check) == ("evaluation", None, None)
    assert fresh(standstill.protocol).set_aside_at is not None
    assert set(Award.objects.values_list("status", flat=True)) == {"cancelled"}
    [event] = events_since(before)
    assert (event.action, event.data["tender_status"], event.data["awards_cancelled"]) == (
        "awards.complaint.satisfied",
        "evaluation",
        [1, 2],
    )
    # Nothing moved in the budget: the lots stay reserved for the new awards.
    for lot in tender.lots.all():
        assert balances(lot)[0] == lot.amount

    # The commission evaluates again: C qualifies and wins lot 1; revision 2 is published.
    review_all(standstill, cast)
    second = publish(standstill, cast)
    assert second.revision == 2
    tender = fresh(tender)
    assert tender.status == "standstill"
    standing = Award.objects.filter(tender=tender, status="pending").order_by("lot__number")
    assert [(a.lot.number, a.supplier, a.protocol) for a in standing] == [
        (1, standstill.org_c, second),
        (2, cast.supplier_org_a, second),
    ]


def test_a_complaint_against_results_already_set_aside_leaves_the_new_protocol(cast, standstill):
    first = by_c(standstill)
    second = complain(standstill, cast.supplier_b, cast.supplier_org_b, text="Score it again.")
    decide(first, cast.reviewer, satisfied=True, decision="C's licence was valid.")
    review_all(standstill, cast)
    revision_2 = publish(standstill, cast)
    assert fresh(standstill.tender).timer_at is None  # B's complaint still holds the awards

    before = log_size()
    decide(second, cast.reviewer, satisfied=True, decision="Right, but already set aside.")

    tender = fresh(standstill.tender)
    assert fresh(revision_2).set_aside_at is None
    assert (tender.status, tender.timer_at) == (
        "standstill",
        Award.objects.filter(protocol=revision_2).first().standstill_end,
    )
    assert set(Award.objects.filter(protocol=revision_2).values_list("status", flat=True)) == {
        "pending"
    }
    [event] = events_since(before)
    assert (event.data["tender_status"], event.data["awards_cancelled"]) == ("standstill", [])


@pytest.mark.parametrize("who", ["buyer", "auditor", "supplier_a", "operator"])
def test_only_reviewers_decide(cast, standstill, who):
    complaint = by_c(standstill)
    before = state(standstill.tender)
    with pytest.raises(PermissionDenied, match="Only the review body's reviewers"):
        decide(complaint, getattr(cast, who), satisfied=True)
    assert state(standstill.tender) == before


@pytest.mark.parametrize("first", [True, False])
def test_refuses_to_decide_twice(cast, standstill, first):
    complaint = by_c(standstill)
    decide(complaint, cast.reviewer, satisfied=first)
    before = state(standstill.tender)
    with pytest.raises(ValidationError) as refused:
        decide(complaint, cast.reviewer, satisfied=not first)
    assert refused.value.code == "complaint_decided"
    assert state(standstill.tender) == before


def test_refuses_a_decision_without_reasons(cast, standstill):
    complaint = by_c(standstill)
    before = state(standstill.tender)
    with pytest.raises(ValidationError) as refused:
        decide(complaint, cast.reviewer, satisfied=False, decision=" ")
    assert refused.value.message_dict == {"decision": ["Give the reasons for the decision."]}
    assert state(standstill.tender) == before
