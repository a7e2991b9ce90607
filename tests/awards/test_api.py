"""The award stage over the API: the checklist and contract terms, the commission's reviews
and corrections, the chair's signed results, awards and the move to the next bidder, and
complaints with the reviewer's decision. Each refusal comes in the one error shape and leaves
nothing changed."""

import base64
import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.services.tokens import create_api_token
from audit.models import Entry
from awards.models import BidReview, Complaint, Requirement, ResultsProtocol
from awards.results import results_bytes
from awards.services.complaints import file_complaint
from awards.services.requirements import add_requirement
from awards.services.results import publish_results
from awards.services.reviews import request_correction, review_bid
from contracts.models import Contract
from contracts.services.awarding import decline_award, run_award_timers
from procurement.models import Tender
from procurement.services.tenders import publish_tender
from tests.awards.world import award_world, fails, meets_all, sign
from tests.conftest import ROLES, cast_member
from tests.procurement.factories import draft_tender, ready_tender
from tests.test_api_errors import error_of

pytestmark = pytest.mark.django_db

API = "/api/v1"
NO_LICENCE = "No licence for pharmaceutical activity attached"


def client_of(user) -> Client:
    """Signed in with the browser's session (writes no audit event, unlike a new token)."""
    client = Client()
    client.force_login(user)
    return client


def token_client(user) -> Client:
    _token, raw = create_api_token(user=user, name="robot", actor=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def put(client, url, body):
    return client.put(url, body, content_type="application/json")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def events() -> int:
    return Entry.objects.count()


# --- building the stages through the services (also used by tests/contracts and the matrix) ---


def decide(world, cast) -> None:
    """A and B qualify; C, cheapest on lot 1, has no licence."""
    tender = world.tender
    review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=meets_all(tender))
    review_bid(bid=world.bids["b"], actor=cast.buyer, decisions=meets_all(tender))
    review_bid(bid=world.bids["c"], actor=cast.buyer, decisions=fails(tender, 1, NO_LICENCE))


def publish(world, cast) -> ResultsProtocol:
    """The chair signs and publishes the results: B wins lot 1, A lot 2."""
    decide(world, cast)
    content = results_bytes(world.tender)
    return publish_results(
        tender=world.tender,
        actor=cast.buyer,
        content_sha256=hashlib.sha256(content).hexdigest(),
        signature=sign(world.chair, content),
    )


def to_contracting(world, cast) -> dict[int, Contract]:
    """Results published and the standstill over: both contracts drafted, by lot number."""
    publish(world, cast)
    ends = max(world.tender.awards.values_list("standstill_end", flat=True))
    run_award_timers(tender=world.tender, now=ends + dt.timedelta(seconds=1))
    return {c.lot.number: c for c in Contract.objects.filter(tender=world.tender)}


def declined_lot_1(world, cast) -> Contract:
    contract = to_contracting(world, cast)[1]
    return decline_award(contract=contract, actor=cast.supplier_b, reason="Cannot deliver")


def complaint_of_a(world, cast, **extra) -> Complaint:
    return file_complaint(
        tender=world.tender,
        actor=cast.supplier_a,
        complainant=cast.supplier_org_a,
        kind="results",
        text="Our price was compared wrongly.",
        **extra,
    )


def pdf(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n% the evidence\n", content_type="application/pdf")


@pytest.fixture
def world(cast):
    with award_world(cast) as built:
        yield built


# --- the checklist and the contract terms ---------------------------------------------------


def test_a_drafts_checklist_is_its_agencys_and_a_published_one_is_public(cast):
    tender = ready_tender(cast)
    add_requirement(tender=tender, actor=cast.buyer, kind="document", title="Licence")
    url = f"{API}/tenders/{tender.number}/requirements"
    error_of(Client().get(url), 404)
    error_of(client_of(cast.supplier_a).get(url), 404)
    assert client_of(cast.commission[0]).get(url).json() == [
        {"number": 1, "kind": "document", "title": "Licence", "description": "", "weight": None}
    ]

    publish_tender(tender=tender, actor=cast.buyer)
    response = Client().get(url)
    assert response.status_code == 200
    assert [r["title"] for r in response.json()] == ["Licence"]


def test_the_buyer_adds_requirements_to_a_draft(cast):
    tender = draft_tender(cast.agency)
    url = f"{API}/tenders/{tender.number}/requirements"
    body = {"kind": "qualification", "title": "Three years of experience", "description": "x"}

    response = post(client_of(cast.agency_admin), url, body)

    assert response.status_code == 201, response.content
    assert response.json() == {
        "number": 1,
        "kind": "qualification",
        "title": "Three years of experience",
        "description": "x",
        "weight": None,
    }
    assert response.json() == post(client_of(cast.buyer), url, body).json() | {"number": 1}


def test_adding_a_requirement_is_refused_to_others_and_for_bad_input(cast):
    tender = draft_tender(cast.agency)
    url = f"{API}/tenders/{tender.number}/requirements"
    body = {"kind": "document", "title": "Licence"}
    before = events()

    error_of(post(Client(), url, body), 401)
    error_of(post(client_of(cast.commission[0]), url, body), 403)
    error_of(post(client_of(cast.other_buyer), url, body), 404)
    error_of(post(client_of(cast.supplier_a), url, body), 404)
    buyer = client_of(cast.buyer)
    assert list(error_of(post(buyer, url, {"kind": "licence", "title": "x"}), 422)["fields"]) == [
        "kind"
    ]
    assert "title" in error_of(post(buyer, url, {"kind": "document"}), 422)["fields"]
    criterion = {"kind": "criterion", "title": "Delivery time", "weight": "20"}
    error = error_of(post(buyer, url, criterion), 422)
    assert "lowest price" in error["fields"]["kind"][0]
    error = error_of(post(buyer, url, {"kind": "document", "title": "x", "weight": "20"}), 422)
    assert list(error["fields"]) == ["weight"]

    assert not Requirement.objects.exists()
    assert events() == before


def test_the_buyer_sets_a_drafts_contract_terms_and_everyone_reads_them_once_published(cast):
    tender = ready_tender(cast)
    url = f"{API}/tenders/{tender.number}/contract-terms"

    response = put(client_of(cast.buyer), url, {"terms": "Delivery within 30 days."})

    assert response.status_code == 200, response.content
    assert response.json() == {"tender": tender.number, "terms": "Delivery within 30 days."}
    error_of(Client().get(url), 404)
    publish_tender(tender=tender, actor=cast.buyer)
    assert Client().get(url).json()["terms"] == "Delivery within 30 days."
    error = error_of(put(client_of(cast.buyer), url, {"terms": "Within 60 days."}), 422)
    assert error["code"] == "invalid_status"
    assert Tender.objects.get(pk=tender.pk).contract_terms == "Delivery within 30 days."


# The permission matrix sends only GET and POST; the PUT's roles are stated here.
PUT_TERMS = dict(
    zip(ROLES, (401, 200, 200, 403, 404, 404, 404, 404, 404, 404, 404, 403), strict=True)
)


@pytest.mark.parametrize("role", ROLES)
def test_who_sets_the_contract_terms(cast, role):
    tender = draft_tender(cast.agency)
    client = Client()
    if role != "anonymous":
        client.force_login(cast_member(cast, role))

    response = put(client, f"{API}/tenders/{tender.number}/contract-terms", {"terms": "30 days"})

    assert response.status_code == PUT_TERMS[role], response.content
    tender.refresh_from_db()
    assert tender.contract_terms == ("30 days" if PUT_TERMS[role] == 200 else "")


def test_contract_terms_need_text(cast):
    tender = draft_tender(cast.agency)
    url = f"{API}/tenders/{tender.number}/contract-terms"
    assert list(error_of(put(client_of(cast.buyer), url, {"terms": "   "}), 422)["fields"]) == [
        "terms"
    ]
    assert list(error_of(put(client_of(cast.buyer), url, {}), 422)["fields"]) == ["terms"]


# --- reviews -------------------------------------------------------------------------------


def test_the_commission_decides_bids_requirement_by_requirement(cast, world):
    tender, bid_c = world.tender, world.bids["c"]
    body = {
        "decisions": {"1": {"met": False, "reason": NO_LICENCE}, "2": {"met": True}},
        "domestic": True,
        "note": "Checked against the register of licences.",
    }

    response = post(client_of(cast.commission[0]), f"{API}/bids/{bid_c.public_id}/review", body)

    assert response.status_code == 200, response.content
    review = response.json()
    assert review.pop("decided_at") is not None
    assert review == {
        "bid": bid_c.public_id,
        "bidder_bin": world.org_c.bin,
        "bidder_name": "Aral Pharm LLP",
        "received_at": review["received_at"],
        "status": "disqualified",
        "domestic": True,
        "checks": [
            {
                "requirement": 1,
                "title": "Licence for pharmaceutical activity",
                "met": False,
                "reason": NO_LICENCE,
                "score": None,
            },
            {
                "requirement": 2,
                "title": "Three years of experience",
                "met": True,
                "reason": "",
                "score": None,
            },
        ],
        "correction": None,
        "note": "Checked against the register of licences.",
    }
    assert review["received_at"].endswith("Z")
    listed = client_of(cast.auditor).get(f"{API}/tenders/{tender.number}/reviews").json()
    assert [r["status"] for r in listed] == ["disqualified"]


def test_reviews_are_internal_until_the_results_are_published(cast, world):
    decide(world, cast)
    url = f"{API}/tenders/{world.tender.number}/reviews"
    for user in (cast.buyer, cast.commission[0], cast.agency_admin, cast.auditor):
        listed = client_of(user).get(url).json()
        assert [r["status"] for r in listed] == ["qualified", "qualified", "disqualified"]
    for client in (Client(), client_of(cast.supplier_a), client_of(cast.reviewer)):
        error_of(client.get(url), 403)

    content = results_bytes(world.tender)
    publish_results(
        tender=world.tender,
        actor=cast.buyer,
        content_sha256=hashlib.sha256(content).hexdigest(),
        signature=sign(world.chair, content),
    )

    public = Client().get(url).json()
    assert [(r["bidder_bin"], r["status"]) for r in public] == [
        (cast.supplier_org_a.bin, "qualified"),
        (cast.supplier_org_b.bin, "qualified"),
        (world.org_c.bin, "disqualified"),
    ]
    assert public[2]["checks"][0]["reason"] == NO_LICENCE
    assert {r["note"] for r in public} == {None}


def test_only_the_commission_decides_and_every_requirement_needs_a_decision(cast, world):
    url = f"{API}/bids/{world.bids['a'].public_id}/review"
    body = {"decisions": meets_all(world.tender)}
    before = events()

    error_of(post(Client(), url, body), 401)
    for user in (cast.agency_admin, cast.supplier_a, cast.auditor, cast.operator):
        assert "commission" in error_of(post(client_of(user), url, body), 403)["message"]
    member = client_of(cast.commission[0])
    error = error_of(post(member, url, {"decisions": {"1": {"met": True}}}), 422)
    assert list(error["fields"]) == ["requirement_2"]
    unexplained = {"decisions": {"1": {"met": False}, "2": {"met": True}}}
    assert list(error_of(post(member, url, unexplained), 422)["fields"]) == ["requirement_1"]
    assert "decisions" in error_of(post(member, url, {"decisions": []}), 422)["fields"]
    error_of(post(member, f"{API}/bids/B-00000000000000000000/review", body), 404)

    assert not BidReview.objects.exists()
    assert events() == before


def test_a_bid_of_a_tender_not_yet_opened_is_not_found(cast):
    from bids.services.submission import submit_bid
    from tests.bids.support import make_bid, trusted_world

    with trusted_world(cast) as bidding:
        made = make_bid(bidding.tender, bidding.signer, cast.supplier_org_a.bin, {"1": "100.00"})
        bid = submit_bid(
            tender=bidding.tender,
            actor=cast.supplier_a,
            statement=made.statement,
            signature=made.signature,
            sealed=made.sealed,
        ).bid
    body = {"decisions": {}}
    error_of(post(client_of(cast.buyer), f"{API}/bids/{bid.public_id}/review", body), 404)
    error_of(client_of(cast.supplier_a).get(f"{API}/bids/{bid.public_id}/correction"), 404)


# --- corrections ---------------------------------------------------------------------------


def test_the_commission_asks_for_a_correction_and_the_bidder_answers(cast, world):
    bid = world.bids["a"]
    ask_url = f"{API}/bids/{bid.public_id}/correction-request"
    url = f"{API}/bids/{bid.public_id}/correction"

    response = post(client_of(cast.commission[0]), ask_url, {"text": "Attach the licence."})

    assert response.status_code == 201, response.content
    asked = response.json()
    assert (asked["bid"], asked["requested"], asked["open"]) == (
        bid.public_id,
        "Attach the licence.",
        True,
    )
    assert (asked["answer"], asked["answered_at"]) == ("", None)
    deadline = dt.datetime.fromisoformat(asked["deadline"])
    assert deadline - dt.datetime.now(dt.UTC) > dt.timedelta(hours=23)
    assert client_of(cast.supplier_a).get(url).json() == asked
    error_of(client_of(cast.supplier_b).get(url), 404)
    error_of(Client().get(url), 404)

    error = error_of(post(client_of(cast.supplier_b), url, {"text": "Here it is."}), 403)
    assert "bidder" in error["message"]
    review_body = {"decisions": meets_all(world.tender)}
    error = error_of(
        post(client_of(cast.buyer), f"{API}/bids/{bid.public_id}/review", review_body), 422
    )
    assert error["code"] == "correction_pending"

    response = post(client_of(cast.supplier_a), url, {"text": "Licence No. 42 attached."})

    assert response.status_code == 200, response.content
    answered = response.json()
    assert (answered["open"], answered["answer"]) == (False, "Licence No. 42 attached.")
    assert answered["answered_at"] is not None
    again = error_of(post(client_of(cast.buyer), ask_url, {"text": "And the tax record."}), 422)
    assert again["code"] == "correction_already_requested"
    assert BidReview.objects.get(bid=bid).correction_request == "Attach the licence."


def test_a_correction_is_answered_before_its_window_closes(cast, world):
    bid = world.bids["b"]
    review = request_correction(bid=bid, actor=cast.buyer, text="Sign the licence copy.")
    url = f"{API}/bids/{bid.public_id}/correction"
    supplier = client_of(cast.supplier_b)

    with time_machine.travel(review.correction_deadline, tick=False):
        error = error_of(post(supplier, url, {"text": "Signed."}), 422)

    assert error["code"] == "correction_window_closed"
    assert supplier.get(url).json()["answer"] == ""
    with time_machine.travel(review.correction_deadline - dt.timedelta(seconds=1), tick=False):
        assert post(supplier, url, {"text": "Signed."}).status_code == 200


def test_a_correction_is_public_once_the_results_are_published(cast, world):
    bid = world.bids["b"]
    request_correction(bid=bid, actor=cast.buyer, text="Sign the licence copy.")
    url = f"{API}/bids/{bid.public_id}/correction"
    post(client_of(cast.supplier_b), url, {"text": "Signed."})
    error_of(Client().get(url), 404)

    publish(world, cast)

    answered = Client().get(url).json()
    assert (answered["requested"], answered["answer"]) == ("Sign the licence copy.", "Signed.")


def test_under_weighted_scoring_the_commission_scores_the_criteria(cast):
    with award_world(cast, weighted=True) as scored:
        url = f"{API}/bids/{scored.bids['a'].public_id}/review"
        body = {"decisions": {"1": {"met": True}, "2": {"met": True}, "3": {"score": "87.5"}}}

        response = post(client_of(cast.buyer), url, body)

        assert response.status_code == 200, response.content
        assert [c["score"] for c in response.json()["checks"]] == [None, None, "87.50"]
        body["decisions"]["3"]["score"] = "101"
        error = error_of(post(client_of(cast.buyer), url, body), 422)
        assert list(error["fields"]) == ["score_3"]
        assert BidReview.objects.get().checks.get(requirement__number=3).score == 87.5


def test_a_correction_request_is_the_commissions_and_needs_text(cast, world):
    bid = world.bids["a"]
    url = f"{API}/bids/{bid.public_id}/correction-request"
    error_of(post(Client(), url, {"text": "x"}), 401)
    error_of(post(client_of(cast.agency_admin), url, {"text": "x"}), 403)
    error_of(post(client_of(cast.supplier_a), url, {"text": "x"}), 403)
    assert list(error_of(post(client_of(cast.buyer), url, {"text": ""}), 422)["fields"]) == ["text"]
    error_of(client_of(cast.supplier_a).get(f"{API}/bids/{bid.public_id}/correction"), 404)
    none = error_of(
        post(client_of(cast.supplier_a), f"{API}/bids/{bid.public_id}/correction", {"text": "x"}),
        422,
    )
    assert none["code"] == "no_correction_requested"
    assert not BidReview.objects.exclude(correction_request="").exists()


# --- the results protocol --------------------------------------------------------------------


def test_the_chair_signs_the_draft_results_and_everyone_verifies_them(cast, world):
    decide(world, cast)
    number = world.tender.number
    draft_url = f"{API}/tenders/{number}/results/draft"

    response = client_of(cast.commission[0]).get(draft_url)

    assert response.status_code == 200
    content = response.content
    assert content == results_bytes(world.tender)
    assert response["X-Content-SHA256"] == hashlib.sha256(content).hexdigest()

    body = {"sha256": response["X-Content-SHA256"], "signature": b64(sign(world.chair, content))}
    response = post(token_client(cast.buyer), f"{API}/tenders/{number}/results", body)

    assert response.status_code == 201, response.content
    published = response.json()
    fingerprint = world.tender.agency.certificates.get().fingerprint_sha256
    assert published["revision"] == 1
    assert published["sha256"] == body["sha256"]
    assert published["certificate_fingerprint"] == fingerprint
    assert published["set_aside_at"] is None and published["log_index"] is not None

    assert Client().get(f"{API}/tenders/{number}/results").json() == [published]
    full = Client().get(f"{API}/tenders/{number}/results/1").json()
    assert base64.b64decode(full["content"]) == content
    assert base64.b64decode(full["signature"]) == bytes(ResultsProtocol.objects.get().signature)
    assert {k: full[k] for k in published} == published
    error_of(Client().get(f"{API}/tenders/{number}/results/2"), 404)
    assert error_of(client_of(cast.buyer).get(draft_url), 422)["code"] == "invalid_status"


def test_the_draft_results_are_the_commissions(cast, world):
    url = f"{API}/tenders/{world.tender.number}/results/draft"
    error_of(Client().get(url), 401)
    for user in (cast.agency_admin, cast.supplier_a, cast.auditor, cast.operator):
        error_of(client_of(user).get(url), 403)
    assert client_of(cast.buyer).get(url).status_code == 200


def test_publishing_the_results_is_refused_until_everything_holds(cast, world):
    url = f"{API}/tenders/{world.tender.number}/results"
    content = results_bytes(world.tender)
    body = {"sha256": hashlib.sha256(content).hexdigest(), "signature": b64(b"x")}
    chair = client_of(cast.buyer)

    assert error_of(post(chair, url, body), 422)["code"] == "bids_undecided"
    decide(world, cast)
    stale = {**body, "signature": b64(sign(world.chair, content))}
    assert error_of(post(chair, url, stale), 422)["code"] == "protocol_changed"
    content = results_bytes(world.tender)
    good = {
        "sha256": hashlib.sha256(content).hexdigest(),
        "signature": b64(sign(world.chair, content)),
    }
    error_of(post(Client(), url, good), 401)
    assert "chair" in error_of(post(client_of(cast.commission[0]), url, good), 403)["message"]
    error_of(post(client_of(cast.supplier_a), url, good), 403)
    error = error_of(post(chair, url, {**good, "signature": "not base64!"}), 422)
    assert list(error["fields"]) == ["signature"]
    assert list(error_of(post(chair, url, {**good, "sha256": "abc"}), 422)["fields"]) == ["sha256"]
    supplier_signed = {**good, "signature": b64(sign(world.signers["a"], content))}
    assert error_of(post(chair, url, supplier_signed), 422)["code"].startswith("certificate_")

    assert not ResultsProtocol.objects.exists()
    assert Tender.objects.get(pk=world.tender.pk).status == "evaluation"


# --- awards ----------------------------------------------------------------------------------


def test_the_awards_are_public_after_the_results(cast, world):
    url = f"{API}/tenders/{world.tender.number}/awards"
    assert Client().get(url).json() == []
    publish(world, cast)

    awards = Client().get(url).json()

    assert [(a["lot"], a["supplier_bin"], a["price"], a["status"]) for a in awards] == [
        (1, cast.supplier_org_b.bin, "2800000.00", "pending"),
        (2, cast.supplier_org_a.bin, "800000.00", "pending"),
    ]
    first = awards[0]
    assert (first["bid"], first["rank"], first["protocol_revision"], first["contract"]) == (
        world.bids["b"].public_id,
        1,
        1,
        None,
    )
    assert first["standstill_end"].endswith("Z")


def test_the_buyer_moves_a_declined_award_to_the_next_bidder(cast, world):
    declined_lot_1(world, cast)
    url = f"{API}/tenders/{world.tender.number}/lots/1/next-award"
    body = {"reason": "The winner declined.", "propose_blacklist": True}

    response = post(client_of(cast.buyer), url, body)

    assert response.status_code == 200, response.content
    moved = response.json()
    assert (moved["lot"], moved["lot_status"]) == (1, "active")
    award = moved["award"]
    assert (award["supplier_bin"], award["price"], award["rank"], award["status"]) == (
        cast.supplier_org_a.bin,
        "2900000.00",
        2,
        "pending",
    )
    statuses = [
        (a["supplier_bin"], a["status"])
        for a in Client().get(f"{API}/tenders/{world.tender.number}/awards").json()
    ]
    assert (cast.supplier_org_b.bin, "declined") in statuses
    again = error_of(post(client_of(cast.buyer), url, body), 422)
    assert again["code"] == "nothing_to_move"


def test_moving_an_award_is_the_buyers_and_needs_a_reason(cast, world):
    declined_lot_1(world, cast)
    url = f"{API}/tenders/{world.tender.number}/lots/1/next-award"
    body = {"reason": "The winner declined."}
    awards = world.tender.awards.count()

    error_of(post(Client(), url, body), 401)
    for user in (cast.commission[0], cast.other_buyer, cast.supplier_a, cast.auditor):
        error_of(post(client_of(user), url, body), 403)
    assert list(error_of(post(client_of(cast.buyer), url, {"reason": ""}), 422)["fields"]) == [
        "reason"
    ]
    error_of(
        post(client_of(cast.buyer), f"{API}/tenders/{world.tender.number}/lots/9/next-award", body),
        404,
    )

    assert world.tender.awards.count() == awards


# --- complaints ------------------------------------------------------------------------------


def test_a_bidder_files_a_complaint_with_documents_during_the_standstill(cast, world):
    publish(world, cast)
    url = f"{API}/tenders/{world.tender.number}/complaints"
    body = {"kind": "results", "text": "Our price was compared wrongly.", "files": [pdf()]}

    response = token_client(cast.supplier_a).post(url, body)

    assert response.status_code == 201, response.content
    complaint = response.json()
    number = complaint["number"]
    assert complaint["number"].startswith("CMP-")
    assert (complaint["kind"], complaint["status"], complaint["complainant_bin"]) == (
        "results",
        "pending",
        cast.supplier_org_a.bin,
    )
    assert (complaint["protocol_revision"], complaint["decision"], complaint["decided_at"]) == (
        1,
        "",
        None,
    )
    [document] = complaint["documents"]
    assert (document["original_name"], document["content_type"]) == (
        "evidence.pdf",
        "application/pdf",
    )
    download = client_of(cast.reviewer).get(document["download_url"])
    assert b"".join(download.streaming_content) == b"%PDF-1.7\n% the evidence\n"
    assert hashlib.sha256(b"%PDF-1.7\n% the evidence\n").hexdigest() == document["sha256"]
    detail = client_of(cast.supplier_a).get(f"{API}/complaints/{number}").json()
    assert detail == complaint


def test_a_pending_complaint_is_seen_by_those_concerned_and_public_once_decided(cast, world):
    publish(world, cast)
    complaint = complaint_of_a(world, cast, files=[pdf()])
    detail = f"{API}/complaints/{complaint.number}"
    listed = f"{API}/tenders/{world.tender.number}/complaints"
    document = f"{detail}/documents/{complaint.documents.get().pk}"
    insiders = (cast.supplier_a, cast.buyer, cast.commission[0], cast.reviewer, cast.auditor)
    for user in insiders:
        assert client_of(user).get(detail).status_code == 200
        assert [c["number"] for c in client_of(user).get(listed).json()] == [complaint.number]
    for client in (Client(), client_of(cast.supplier_b), client_of(cast.outsider)):
        error_of(client.get(detail), 404)
        error_of(client.get(document), 404)
        assert client.get(listed).json() == []
        assert client.get(f"{API}/complaints").json() == {"items": [], "count": 0}
    queue = client_of(cast.reviewer).get(f"{API}/complaints", {"status": "pending"}).json()
    assert [c["number"] for c in queue["items"]] == [complaint.number]

    decision = {"satisfied": False, "decision": "The comparison followed the rules."}
    response = post(client_of(cast.reviewer), f"{detail}/decision", decision)

    assert response.status_code == 200, response.content
    decided = response.json()
    assert (decided["status"], decided["decision"]) == ("dismissed", decision["decision"])
    assert Client().get(detail).json() == decided
    assert Client().get(document).status_code == 200
    assert [c["number"] for c in Client().get(listed).json()] == [complaint.number]
    public = Client().get(f"{API}/complaints", {"status": "dismissed"}).json()
    assert [c["number"] for c in public["items"]] == [complaint.number]
    assert (
        client_of(cast.reviewer).get(f"{API}/complaints", {"status": "pending"}).json()["count"]
        == 0
    )


def test_only_a_reviewer_decides_a_complaint_once_with_reasons(cast, world):
    publish(world, cast)
    complaint = complaint_of_a(world, cast)
    url = f"{API}/complaints/{complaint.number}/decision"
    body = {"satisfied": True, "decision": "The comparison broke the rules."}

    error_of(post(Client(), url, body), 401)
    for user in (cast.supplier_a, cast.buyer, cast.auditor, cast.operator):
        assert "reviewers" in error_of(post(client_of(user), url, body), 403)["message"]
    for user in (cast.supplier_b, cast.outsider):
        error_of(post(client_of(user), url, body), 404)
    reviewer = client_of(cast.reviewer)
    assert list(
        error_of(post(reviewer, url, {"satisfied": True, "decision": " "}), 422)["fields"]
    ) == ["decision"]
    assert "satisfied" in error_of(post(reviewer, url, {"decision": "x"}), 422)["fields"]
    complaint.refresh_from_db()
    assert complaint.status == "pending"

    assert post(reviewer, url, body).json()["status"] == "satisfied"
    assert error_of(post(reviewer, url, body), 422)["code"] == "complaint_decided"
    # Satisfied against the results: they are set aside and the commission evaluates again.
    tender = Tender.objects.get(pk=world.tender.pk)
    assert tender.status == "evaluation"
    assert Client().get(f"{API}/tenders/{tender.number}/results").json()[0]["set_aside_at"]


def test_filing_a_complaint_is_refused_outside_its_rules(cast, world):
    url = f"{API}/tenders/{world.tender.number}/complaints"
    body = {"kind": "results", "text": "Unfair."}
    error_of(client_of(cast.supplier_a).post(url, body), 422)  # no standstill yet
    publish(world, cast)
    before = events()

    error_of(Client().post(url, body), 401)
    for user in (cast.buyer, cast.outsider, cast.reviewer):
        error_of(client_of(user).post(url, body), 403)
    shady = error_of(client_of(cast.shady).post(url, body), 403)
    assert "bidders" in shady["message"]
    supplier = client_of(cast.supplier_a)
    error = error_of(supplier.post(url, {**body, "complainant": cast.supplier_org_b.bin}), 403)
    assert "supplier" in error["message"]
    error = error_of(supplier.post(url, {**body, "complainant": "999999999999"}), 422)
    assert list(error["fields"]) == ["complainant"]
    assert list(error_of(supplier.post(url, {**body, "kind": "prices"}), 422)["fields"]) == ["kind"]
    assert list(error_of(supplier.post(url, {"kind": "results"}), 422)["fields"]) == ["text"]
    six = [pdf(f"{i}.pdf") for i in range(6)]
    assert list(error_of(supplier.post(url, {**body, "files": six}), 422)["fields"]) == ["files"]
    fake = SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    error_of(supplier.post(url, {**body, "files": [fake]}), 422)

    assert not Complaint.objects.exists()
    assert events() == before


def test_a_supplier_complains_against_the_conditions_before_the_deadline(cast):
    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    url = f"{API}/tenders/{tender.number}/complaints"

    response = client_of(cast.supplier_b).post(
        url, {"kind": "conditions", "text": "The specification names one brand."}
    )

    assert response.status_code == 201, response.content
    assert response.json()["protocol_revision"] is None
    assert response.json()["documents"] == []
