"""The award stage's pages with Django's test client: the checklist and contract terms of a
draft, the commission's evaluation page (reviews, corrections, the draft protocol, the chair's
signature upload), a bidder's correction answer and complaint on the tender page, the public
results, and the review body's complaint queue and decisions. Each form is tried once as it
succeeds and once as it is refused (400, the message shown, nothing changed)."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import Entry
from awards.models import BidReview, Complaint, Requirement, ResultsProtocol
from awards.results import results_bytes
from awards.services.complaints import decide_complaint, file_complaint
from awards.services.results import publish_results
from awards.services.reviews import request_correction, review_bid
from procurement.models import Tender
from procurement.services.tenders import publish_tender
from tests.awards.world import award_world, fails, meets_all, sign, to_tendering
from tests.conftest import ROLES
from tests.pages import errors_of_field, messages_of, visitor
from tests.procurement.factories import ready_tender

pytestmark = pytest.mark.django_db

NOTHING_CHANGED = "Nothing was changed: see the problems marked below."
PDF = b"%PDF-1.7\n% the licence, valid until 2027\n"


def events() -> int:
    return Entry.objects.count()


@pytest.fixture
def world(cast):
    with award_world(cast) as built:
        yield built


def review_all(world, cast):
    """A and B qualify, C lacks the licence."""
    tender = world.tender
    review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=meets_all(tender))
    review_bid(bid=world.bids["b"], actor=cast.buyer, decisions=meets_all(tender))
    review_bid(
        bid=world.bids["c"],
        actor=cast.buyer,
        decisions=fails(tender, 1, "No licence for pharmaceutical activity attached"),
    )


def published(world, cast) -> ResultsProtocol:
    review_all(world, cast)
    content = results_bytes(world.tender)
    return publish_results(
        tender=world.tender,
        actor=cast.buyer,
        content_sha256=hashlib.sha256(content).hexdigest(),
        signature=sign(world.chair, content),
    )


def url(name: str, *args) -> str:
    return reverse(name, args=args)


# --- requirements and contract terms of a draft ------------------------------------------


def test_the_public_reads_a_published_tenders_checklist_and_terms_without_forms(world):
    html = Client().get(url("awards:requirements", world.tender.number)).content.decode()

    assert "Licence for pharmaceutical activity" in html
    assert "Three years of experience" in html
    assert "Delivery to the hospital pharmacy within 30 days." in html
    assert "Add the requirement" not in html
    assert "Save the contract terms" not in html


@pytest.mark.parametrize(
    ("role", "status", "forms"),
    [
        ("buyer", 200, True),
        ("agency_admin", 200, True),
        ("commission", 200, False),
        ("operator", 200, False),
        ("other_buyer", 404, False),
        ("supplier_a", 404, False),
        ("anonymous", 404, False),
    ],
)
def test_a_drafts_checklist_is_its_agencys_and_its_buyers_edit_it(cast, role, status, forms):
    tender = ready_tender(cast)

    response = visitor(cast, role).get(url("awards:requirements", tender.number))

    assert response.status_code == status
    assert ("Add the requirement" in response.content.decode()) is forms


def test_buyer_adds_a_requirement_to_the_draft(cast):
    tender = ready_tender(cast)
    buyer = visitor(cast, "buyer")

    response = buyer.post(
        url("awards:requirement-add", tender.number),
        {"kind": "document", "title": "GMP certificate", "description": "Issued by the ministry"},
    )

    assert response.status_code == 302
    assert response["Location"] == url("awards:requirements", tender.number)
    requirement = Requirement.objects.get(tender=tender)
    assert (requirement.number, requirement.title) == (1, "GMP certificate")
    page = buyer.get(response["Location"]).content.decode()
    assert "The requirement was added to the checklist." in page
    assert "GMP certificate" in page


def test_a_weight_on_a_document_is_refused_next_to_the_weight(cast):
    tender = ready_tender(cast)
    before = events()

    response = visitor(cast, "buyer").post(
        url("awards:requirement-add", tender.number),
        {"kind": "document", "title": "GMP certificate", "weight": "20"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Only non-price criteria carry a weight." in errors_of_field(
        html, "id_requirement_weight"
    )
    assert NOTHING_CHANGED in messages_of(html)
    assert 'value="GMP certificate"' in html
    assert not Requirement.objects.filter(tender=tender).exists()
    assert events() == before


@pytest.mark.parametrize(("role", "status"), [("commission", 403), ("other_buyer", 404)])
def test_only_the_agencys_buyers_change_the_checklist(cast, role, status):
    tender = ready_tender(cast)

    response = visitor(cast, role).post(
        url("awards:requirement-add", tender.number), {"kind": "document", "title": "GMP"}
    )

    assert response.status_code == status
    assert not Requirement.objects.exists()


def test_buyer_sets_the_contract_terms(cast):
    tender = ready_tender(cast)

    response = visitor(cast, "buyer").post(
        url("awards:contract-terms", tender.number), {"terms": "Delivery within 10 days."}
    )

    assert response.status_code == 302
    assert Tender.objects.get(pk=tender.pk).contract_terms == "Delivery within 10 days."


def test_contract_terms_of_a_published_tender_are_refused_at_the_top(cast):
    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    before = events()

    response = visitor(cast, "buyer").post(
        url("awards:contract-terms", tender.number), {"terms": "Delivery within 10 days."}
    )

    assert response.status_code == 400
    assert "Changing the contract terms is not possible while" in messages_of(
        response.content.decode()
    )
    assert Tender.objects.get(pk=tender.pk).contract_terms == ""
    assert events() == before


# --- the evaluation page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("buyer", 200),
        ("commission", 200),
        ("agency_admin", 200),
        ("auditor", 200),
        ("other_buyer", 403),
        ("supplier_a", 403),
        ("reviewer", 403),
        ("outsider", 403),
    ],
)
def test_the_evaluation_page_is_the_commissions_buyers_and_auditors(world, cast, role, status):
    response = visitor(cast, role).get(url("awards:evaluation", world.tender.number))

    assert response.status_code == status


def test_only_commission_members_get_the_review_forms(world, cast):
    member = visitor(cast, "commission").get(url("awards:evaluation", world.tender.number))
    admin = visitor(cast, "agency_admin").get(url("awards:evaluation", world.tender.number))

    assert member.content.decode().count("Record the decision") == 3
    assert "Record the decision" not in admin.content.decode()
    assert "only its members record decisions" in admin.content.decode()


def test_anonymous_visitors_are_sent_to_log_in_for_the_evaluation(world):
    response = Client().get(url("awards:evaluation", world.tender.number))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_member_disqualifies_a_bid_with_the_reason_shown_in_the_grid(world, cast):
    bid = world.bids["c"]
    member = visitor(cast, "commission")

    response = member.post(
        url("awards:bid-review", world.tender.number, bid.public_id),
        {"met_1": "not_met", "reason_1": "The licence expired in 2024", "met_2": "met"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#bid-{bid.public_id}")
    review = BidReview.objects.get(bid=bid)
    assert review.status == "disqualified"
    assert review.decided_by == cast.commission[0]
    html = member.get(url("awards:evaluation", world.tender.number)).content.decode()
    assert f"The decision on {bid.public_id} was recorded." in html
    assert "The licence expired in 2024" in html


def test_an_unmet_requirement_without_a_reason_is_refused_next_to_its_reason(world, cast):
    bid = world.bids["c"]
    before = events()

    response = visitor(cast, "commission").post(
        url("awards:bid-review", world.tender.number, bid.public_id),
        {"met_1": "not_met", "reason_1": "", "met_2": "met", "note": "checked twice"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    field = f"id_{bid.public_id}_reason_1"
    assert "Say why the bid does not meet" in errors_of_field(html, field)
    assert NOTHING_CHANGED in messages_of(html)
    assert 'value="checked twice"' in html
    assert not BidReview.objects.filter(bid=bid).exists()
    assert events() == before


def test_a_review_form_with_a_decision_missing_is_refused(world, cast):
    bid = world.bids["a"]

    response = visitor(cast, "commission").post(
        url("awards:bid-review", world.tender.number, bid.public_id), {"met_1": "met"}
    )

    assert response.status_code == 400
    assert "This field is required." in errors_of_field(
        response.content.decode(), f"id_{bid.public_id}_met_2"
    )
    assert not BidReview.objects.exists()


@pytest.mark.parametrize("role", ["agency_admin", "auditor", "supplier_a"])
def test_only_the_commission_reviews(world, cast, role):
    response = visitor(cast, role).post(
        url("awards:bid-review", world.tender.number, world.bids["a"].public_id),
        {"met_1": "met", "met_2": "met"},
    )

    assert response.status_code == 403
    assert not BidReview.objects.exists()


def test_a_member_asks_for_a_correction_and_the_bidder_answers_on_the_tender_page(world, cast):
    bid = world.bids["a"]

    asked = visitor(cast, "commission").post(
        url("awards:correction-request", world.tender.number, bid.public_id),
        {"text": "Attach the licence's second page."},
    )

    assert asked.status_code == 302
    assert BidReview.objects.get(bid=bid).status == "correction"
    page = visitor(cast, "supplier_a").get(world.tender.get_absolute_url()).content.decode()
    assert "Attach the licence&#x27;s second page." in page
    assert "Send the correction" in page
    other = visitor(cast, "supplier_b").get(world.tender.get_absolute_url()).content.decode()
    assert "second page" not in other

    answered = visitor(cast, "supplier_a").post(
        url("awards:correction-answer", world.tender.number, bid.public_id),
        {"text": "Page two is attached to our bid as licence-2.pdf."},
    )

    assert answered.status_code == 302
    assert answered["Location"] == world.tender.get_absolute_url()
    review = BidReview.objects.get(bid=bid)
    assert (review.status, review.correction_answer) == (
        "pending",
        "Page two is attached to our bid as licence-2.pdf.",
    )
    grid = visitor(cast, "buyer").get(url("awards:evaluation", world.tender.number))
    assert "Page two is attached to our bid" in grid.content.decode()


def test_an_empty_correction_request_is_refused_next_to_its_text(world, cast):
    bid = world.bids["a"]

    response = visitor(cast, "commission").post(
        url("awards:correction-request", world.tender.number, bid.public_id), {"text": " "}
    )

    assert response.status_code == 400
    assert "This field is required." in errors_of_field(
        response.content.decode(), f"id_{bid.public_id}_correction_text"
    )
    assert not BidReview.objects.exists()


def test_a_correction_answer_after_the_window_is_refused_on_the_tender_page(world, cast):
    bid = world.bids["a"]
    review = request_correction(bid=bid, actor=cast.buyer, text="Attach page two.")
    before = events()

    with time_machine.travel(review.correction_deadline + dt.timedelta(seconds=1)):
        response = visitor(cast, "supplier_a").post(
            url("awards:correction-answer", world.tender.number, bid.public_id),
            {"text": "Attached now."},
        )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The correction window closed at" in messages_of(html)
    assert world.tender.title in html  # the tender page, shown again
    assert BidReview.objects.get(bid=bid).correction_answer == ""
    assert events() == before


def test_only_the_bidder_answers_its_correction_request(world, cast):
    bid = world.bids["a"]
    request_correction(bid=bid, actor=cast.buyer, text="Attach page two.")

    response = visitor(cast, "supplier_b").post(
        url("awards:correction-answer", world.tender.number, bid.public_id), {"text": "Here."}
    )

    assert response.status_code == 403
    assert BidReview.objects.get(bid=bid).correction_answer == ""


def test_the_draft_protocol_download_is_the_exact_bytes_the_chair_signs(world, cast):
    review_all(world, cast)

    response = visitor(cast, "buyer").get(url("awards:results-draft", world.tender.number))

    assert response.status_code == 200
    assert response.content == results_bytes(world.tender)
    assert response["Content-Disposition"] == (
        f'attachment; filename="results-{world.tender.number}-r1.json"'
    )
    page = visitor(cast, "buyer").get(url("awards:evaluation", world.tender.number))
    html = page.content.decode()
    assert hashlib.sha256(response.content).hexdigest() in html
    assert f"python tools/tenderctl.py sign results-{world.tender.number}-r1.json" in html


def test_the_chair_is_told_which_bids_are_undecided_and_gets_no_upload_yet(world, cast):
    review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=meets_all(world.tender))

    html = visitor(cast, "buyer").get(url("awards:evaluation", world.tender.number)).content
    html = html.decode()

    assert "still undecided" in html
    assert world.bids["b"].public_id in html
    assert "Publish the results" not in html


def publish_form(world, signature: bytes, content: bytes) -> dict:
    return {
        "content_sha256": hashlib.sha256(content).hexdigest(),
        "signature": SimpleUploadedFile("protocol.json.p7s", signature),
    }


def test_the_chair_publishes_the_results_by_uploading_the_signature_file(world, cast):
    review_all(world, cast)
    content = results_bytes(world.tender)

    response = visitor(cast, "buyer").post(
        url("awards:results-publish", world.tender.number),
        publish_form(world, sign(world.chair, content), content),
    )

    assert response.status_code == 302
    assert response["Location"] == url("awards:results", world.tender.number)
    protocol = ResultsProtocol.objects.get(tender=world.tender)
    assert bytes(protocol.content) == content
    assert Tender.objects.get(pk=world.tender.pk).status == "standstill"
    public = Client().get(response["Location"]).content.decode()
    assert "Results protocol, revision 1" in public
    assert "No licence for pharmaceutical activity attached" in public
    assert "proposed winner" in public
    assert protocol.sha256 in public


def test_a_signature_over_other_bytes_is_refused_at_the_top_and_nothing_is_published(world, cast):
    review_all(world, cast)
    content = results_bytes(world.tender)
    before = events()

    response = visitor(cast, "buyer").post(
        url("awards:results-publish", world.tender.number),
        publish_form(world, sign(world.chair, b"something else"), content),
    )

    assert response.status_code == 400
    assert "signature" in messages_of(response.content.decode()).lower()
    assert "Publish the results" in response.content.decode()
    assert not ResultsProtocol.objects.exists()
    assert Tender.objects.get(pk=world.tender.pk).status == "evaluation"
    assert events() == before


def test_a_protocol_changed_since_the_download_is_refused_with_that_reason(world, cast):
    review_all(world, cast)
    downloaded = results_bytes(world.tender)
    review_bid(bid=world.bids["c"], actor=cast.buyer, decisions=meets_all(world.tender))

    response = visitor(cast, "buyer").post(
        url("awards:results-publish", world.tender.number),
        publish_form(world, sign(world.chair, downloaded), downloaded),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The protocol changed after you downloaded it" in messages_of(html)
    assert not ResultsProtocol.objects.exists()
    now = hashlib.sha256(results_bytes(world.tender)).hexdigest()
    assert f'name="content_sha256" value="{now}"' in html  # the upload is for the new one


def test_an_upload_without_a_file_is_refused_next_to_the_signature(world, cast):
    review_all(world, cast)

    response = visitor(cast, "buyer").post(
        url("awards:results-publish", world.tender.number), {"content_sha256": "0" * 64}
    )

    assert response.status_code == 400
    assert "This field is required." in errors_of_field(
        response.content.decode(), "id_publish_signature"
    )


@pytest.mark.parametrize("role", ["commission", "agency_admin"])
def test_only_the_chair_publishes(world, cast, role):
    review_all(world, cast)
    content = results_bytes(world.tender)

    response = visitor(cast, role).post(
        url("awards:results-publish", world.tender.number),
        publish_form(world, sign(world.chair, content), content),
    )

    assert response.status_code == 403
    assert not ResultsProtocol.objects.exists()


# --- the public results --------------------------------------------------------------------


def test_the_public_downloads_the_signed_protocol_and_its_signature(world, cast):
    protocol = published(world, cast)

    content = Client().get(url("awards:results-protocol", world.tender.number, 1))
    signature = Client().get(url("awards:results-signature", world.tender.number, 1))

    assert content.content == bytes(protocol.content)
    assert signature.content == bytes(protocol.signature)
    assert signature["Content-Type"] == "application/pkcs7-signature"


def test_the_results_page_ranks_each_lot_and_shows_the_awards(world, cast):
    published(world, cast)

    html = Client().get(url("awards:results", world.tender.number)).content.decode()

    assert html.count("proposed winner") == 2  # lot 1: B, lot 2: A
    assert "2,800,000.00" in html
    assert "Proposed, in standstill" in html
    assert world.org_c.legal_name in html


def test_results_of_a_draft_are_not_found(cast):
    tender = ready_tender(cast)

    assert Client().get(url("awards:results", tender.number)).status_code == 404


# --- the tender page's section -------------------------------------------------------------


def test_the_tender_page_links_the_commission_to_the_evaluation_and_not_the_public(world, cast):
    evaluation = url("awards:evaluation", world.tender.number)

    member = visitor(cast, "commission").get(world.tender.get_absolute_url()).content.decode()
    public = Client().get(world.tender.get_absolute_url()).content.decode()

    assert evaluation in member
    assert evaluation not in public
    assert "Licence for pharmaceutical activity" in public


def test_a_bidder_sees_its_published_outcome_with_the_reasons(world, cast):
    published(world, cast)

    html = visitor(cast, "buyer").get(world.tender.get_absolute_url()).content.decode()
    c_admin = Client()
    c_admin.force_login(world.user_c)
    own = c_admin.get(world.tender.get_absolute_url()).content.decode()

    assert "The review of your bids" not in html
    assert "Disqualified" in own
    assert "No licence for pharmaceutical activity attached" in own


def test_a_drafts_buyer_is_pointed_to_the_checklist(cast):
    tender = ready_tender(cast)

    html = visitor(cast, "buyer").get(tender.get_absolute_url()).content.decode()

    assert url("awards:requirements", tender.number) in html
    assert "Set the checklist and the contract terms" in html


# --- complaints ------------------------------------------------------------------------------


def complaint_body(text: str = "Our licence was in the bid.", kind: str = "results", **more):
    return {"complainant": "", "kind": kind, "text": text, **more}


def file_results_complaint(world, cast, **more):
    body = complaint_body(**more)
    body["complainant"] = cast.supplier_org_a.bin
    return visitor(cast, "supplier_a").post(url("awards:complaint-file", world.tender.number), body)


def test_a_bidder_files_a_complaint_with_a_document_during_the_standstill(world, cast):
    published(world, cast)
    page = visitor(cast, "supplier_a").get(world.tender.get_absolute_url()).content.decode()
    assert "File the complaint" in page

    response = file_results_complaint(
        world, cast, files=[SimpleUploadedFile("licence.pdf", PDF, "application/pdf")]
    )

    assert response.status_code == 302
    complaint = Complaint.objects.get(tender=world.tender)
    assert (complaint.kind, complaint.complainant) == ("results", cast.supplier_org_a)
    assert complaint.documents.get().original_name == "licence.pdf"
    detail = url("awards:complaint-detail", complaint.number)
    assert visitor(cast, "supplier_a").get(detail).status_code == 200
    assert visitor(cast, "reviewer").get(detail).status_code == 200
    assert Client().get(detail).status_code == 404  # public once decided
    assert visitor(cast, "supplier_b").get(detail).status_code == 404
    document = complaint.documents.get()
    download = visitor(cast, "reviewer").get(
        url("awards:complaint-document", complaint.number, document.pk)
    )
    assert b"".join(download.streaming_content) == PDF


def test_a_complaint_against_the_results_before_they_exist_is_refused(world, cast):
    before = events()

    response = file_results_complaint(world, cast)

    assert response.status_code == 400
    html = response.content.decode()
    assert "filed during the standstill" in messages_of(html)
    assert "Our licence was in the bid." in html  # the form as typed
    assert not Complaint.objects.exists()
    assert events() == before


def test_a_complaint_document_of_an_unknown_kind_is_refused_next_to_the_files(world, cast):
    published(world, cast)

    response = file_results_complaint(
        world, cast, files=[SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/pdf")]
    )

    assert response.status_code == 400
    assert "not one of the allowed kinds" in errors_of_field(
        response.content.decode(), "id_complaint_files"
    )
    assert not Complaint.objects.exists()


def test_a_supplier_complains_against_the_conditions_while_bidding_is_open(cast):
    tender = to_tendering(publish_tender(tender=ready_tender(cast), actor=cast.buyer))
    page = visitor(cast, "supplier_b").get(tender.get_absolute_url()).content.decode()
    assert "Against the tender conditions" in page
    assert "Against the results" not in page

    response = visitor(cast, "supplier_b").post(
        url("awards:complaint-file", tender.number),
        complaint_body(
            "The specification names one brand.",
            kind="conditions",
            complainant=cast.supplier_org_b.bin,
        ),
    )

    assert response.status_code == 302
    assert Complaint.objects.get().kind == "conditions"


@pytest.mark.parametrize("role", ["buyer", "reviewer", "outsider"])
def test_only_members_of_a_supplier_file_complaints(world, cast, role):
    published(world, cast)

    response = visitor(cast, role).post(
        url("awards:complaint-file", world.tender.number), complaint_body()
    )

    assert response.status_code == 403
    assert not Complaint.objects.exists()


def pending_complaint(world, cast) -> Complaint:
    published(world, cast)
    return file_complaint(
        tender=world.tender,
        actor=world.user_c,
        complainant=world.org_c,
        kind="results",
        text="Our licence was in the bid's documents.",
    )


def test_the_queue_shows_reviewers_the_pending_complaints_and_the_public_only_decided(world, cast):
    complaint = pending_complaint(world, cast)

    queue = visitor(cast, "reviewer").get(url("awards:complaint-list")).content.decode()
    public = Client().get(url("awards:complaint-list")).content.decode()

    assert "To decide, oldest first" in queue
    assert complaint.number in queue
    assert complaint.number not in public

    decide_complaint(
        complaint=complaint, actor=cast.reviewer, satisfied=False, decision="Expired in 2024."
    )
    public = Client().get(url("awards:complaint-list")).content.decode()
    assert complaint.number in public


def test_the_reviewer_dismisses_a_complaint_and_the_decision_is_public(world, cast):
    complaint = pending_complaint(world, cast)
    detail = url("awards:complaint-detail", complaint.number)
    assert "Publish the decision" in visitor(cast, "reviewer").get(detail).content.decode()

    response = visitor(cast, "reviewer").post(
        url("awards:complaint-decide", complaint.number),
        {"outcome": "dismissed", "decision": "The licence attached had expired in 2024."},
    )

    assert response.status_code == 302
    assert response["Location"] == detail
    assert Complaint.objects.get(pk=complaint.pk).status == "dismissed"
    public = Client().get(detail).content.decode()
    assert "The licence attached had expired in 2024." in public
    assert "Our licence was in the bid&#x27;s documents." in public
    assert "Publish the decision" not in public


def test_a_decision_without_reasons_is_refused_next_to_them(world, cast):
    complaint = pending_complaint(world, cast)
    before = events()

    response = visitor(cast, "reviewer").post(
        url("awards:complaint-decide", complaint.number), {"outcome": "satisfied", "decision": ""}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in errors_of_field(html, "id_decision_decision")
    assert NOTHING_CHANGED in messages_of(html)
    assert Complaint.objects.get(pk=complaint.pk).is_pending
    assert events() == before


def test_deciding_a_decided_complaint_again_is_refused_at_the_top(world, cast):
    complaint = pending_complaint(world, cast)
    decide_complaint(complaint=complaint, actor=cast.reviewer, satisfied=False, decision="No.")

    response = visitor(cast, "reviewer").post(
        url("awards:complaint-decide", complaint.number),
        {"outcome": "satisfied", "decision": "Yes after all."},
    )

    assert response.status_code == 400
    assert "was already decided" in messages_of(response.content.decode())
    assert Complaint.objects.get(pk=complaint.pk).status == "dismissed"


@pytest.mark.parametrize("role", ["buyer", "auditor", "supplier_a"])
def test_only_reviewers_decide_complaints(world, cast, role):
    complaint = pending_complaint(world, cast)

    response = visitor(cast, role).post(
        url("awards:complaint-decide", complaint.number),
        {"outcome": "dismissed", "decision": "No."},
    )

    assert response.status_code in (403, 404)
    assert response.status_code == (404 if role == "supplier_a" else 403)
    assert Complaint.objects.get(pk=complaint.pk).is_pending


@pytest.mark.parametrize("role", ROLES)
def test_the_complaint_list_opens_for_everyone(cast, role):
    assert visitor(cast, role).get(url("awards:complaint-list")).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_the_navigation_offers_contracts_to_all_and_the_complaint_queue_to_reviewers(cast, role):
    html = visitor(cast, role).get(reverse("home")).content.decode()

    assert f'href="{url("contracts:contract-list")}"' in html
    assert (f'href="{url("awards:complaint-list")}"' in html) is (role == "reviewer")
