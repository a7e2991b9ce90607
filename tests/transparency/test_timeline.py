"""A tender's public timeline, built from its audit events: each public event in order, with its
Almaty time, a sentence and a link to verify its entry; bids sealed until the opening protocol
exists (a count, never a bidder, never a bid's entry), reviews once the results are out,
complaints once decided, contract signatures once the contract is in force."""

import base64
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit import merkle
from audit.models import Entry
from audit.services.checkpoints import issue_checkpoint
from awards.services.complaints import decide_complaint, file_complaint
from bids.models import Bid
from contracts.services.execution import accept_delivery, amend_contract, record_payment
from procurement.services.amendments import amend_tender, cancel_lot
from procurement.services.documents import attach_document
from procurement.services.questions import answer_question, ask_question
from procurement.services.tenders import cancel_tender, publish_tender
from tests.awards.world import (
    PRICES,
    award_world,
    draft_with_lots,
    fresh,
    on_a_monday,
    publish,
    review_all,
    sign_as_buyer,
    sign_as_supplier,
    to_contracting,
)
from tests.bids.ceremony import close_bidding, post_shares
from tests.conftest import ROLES, cast_member
from tests.procurement.factories import draft_tender, ready_tender
from transparency.timeline import tender_timeline

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
TABLE = re.compile(r'<table data-testid="timeline">.*?</table>', re.S)
QUERIES = 16  # the tender, its kinds of children, the entries, the checkpoint
BIDDERS = ("Medservice Plus LLP", "Steppe Construction JSC", "Aral Pharm LLP")


@pytest.fixture(autouse=True)
def _monday():
    with on_a_monday() as traveller:
        yield traveller


def page(tender, user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("portal:tender-timeline", args=[tender.number]))


def timeline_html(tender, user=None) -> str:
    """The timeline's table as `user` sees it (the page around it names a logged-in member's
    organisations in the menu)."""
    response = page(tender, user)
    assert response.status_code == 200
    match = TABLE.search(response.content.decode())
    return match.group(0) if match else ""


def texts(tender) -> list[str]:
    return [event.text for event in tender_timeline(tender)]


def entries_of(tender, action: str) -> list[Entry]:
    ids = [str(pk) for pk in Bid.objects.filter(tender=tender).values_list("pk", flat=True)]
    if action.startswith("bids.bid."):
        return list(Entry.objects.filter(action=action, subject_id__in=ids))
    return list(Entry.objects.filter(action=action, data__tender=tender.number))


def pdf(name: str = "terms.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n% the terms of reference\n")


# --- publication, questions, documents ------------------------------------------------------


def test_public_events_come_in_order_with_almaty_time_and_a_verify_link(cast):
    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    question = ask_question(tender=tender, text="Is a generic accepted?", actor=cast.supplier_a)
    answer_question(question=question, text="Yes, by INN.", actor=cast.buyer)
    attach_document(
        tender=tender, uploaded_file=pdf(), title="Terms", actor=cast.buyer, reason="Clarified"
    )
    assert texts(tender) == [
        "The tender was published: questions until 04.02.2026 18:00, bids until 09.02.2026 "
        "18:00 (Almaty time).",
        "Medservice Plus LLP asked a question.",
        "The buyer answered the question of Medservice Plus LLP.",
        "The buyer attached “Terms” (version 2): Clarified",
    ]
    html = timeline_html(tender)
    published = Entry.objects.get(action="procurement.tender.published", subject_id=tender.pk)
    at = published.recorded_at.astimezone(ALMATY).strftime("%d.%m.%Y %H:%M:%S")
    assert at in html
    assert f'href="/api/v1/audit/entries/{published.seq}"' in html
    assert f'href="{tender.get_absolute_url()}#question-{question.pk}"' in html
    assert tender.documents.get().get_absolute_url() in html


def test_amendments_and_cancellations_say_why(cast):
    tender = draft_with_lots(cast)
    tender = publish_tender(tender=tender, actor=cast.buyer)
    amend_tender(tender=tender, actor=cast.buyer, reason="Dosage clarified", title="Insulin 100")
    cancel_lot(
        lot=tender.lots.get(number=2), reason="no_demand", text="Bought centrally", actor=cast.buyer
    )
    cancel_tender(tender=fresh(tender), reason="budget_cut", text="Budget cut", actor=cast.buyer)
    assert texts(tender)[1:] == [
        "The buyer amended the tender (version 2): Dosage clarified",
        "Lot 2 was cancelled (The need no longer exists): Bought centrally",
        "The buyer cancelled the tender (Budget cut): Budget cut",
    ]


def test_nothing_from_before_publication_is_shown(cast):
    tender = ready_tender(cast)
    attach_document(tender=tender, uploaded_file=pdf(), title="Draft terms", actor=cast.buyer)
    publish_tender(tender=tender, actor=cast.buyer)
    assert len(texts(tender)) == 1
    assert "Draft terms" not in timeline_html(tender)


def test_a_draft_timeline_is_its_agencys_like_the_draft(cast):
    draft = draft_tender(cast.agency)
    assert page(draft).status_code == 404
    assert page(draft, cast.supplier_a).status_code == 404
    response = page(draft, cast.buyer)
    assert response.status_code == 200
    assert "Nothing about this tender is public yet" in response.content.decode()


def test_the_tender_page_links_to_its_timeline(cast):
    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    html = Client().get(tender.get_absolute_url()).content.decode()
    assert f'href="{reverse("portal:tender-timeline", args=[tender.number])}"' in html


# --- sealed bids ------------------------------------------------------------------------------


def assert_sealed(tender, cast) -> None:
    """No bidder, bid id, price or bid entry anywhere on the timeline, whoever looks."""
    bids = Bid.objects.filter(tender=tender)
    secrets = [*BIDDERS, *(b.public_id for b in bids), *(b.supplier.bin for b in bids)]
    secrets += [p.replace(".00", "") for prices in PRICES.values() for p in prices.values()]
    bid_seqs = {e.seq for e in entries_of(tender, "bids.bid.submitted")}
    assert bid_seqs
    assert not bid_seqs & {e.seq for e in tender_timeline(tender)}
    for role in ROLES:
        user = None if role == "anonymous" else cast_member(cast, role)
        html = timeline_html(tender, user)
        assert "3 bids stand" in html or "bidding closed with 3 bids" in html, role
        for secret in secrets:
            assert secret not in html, (role, secret)
        for seq in bid_seqs:
            assert f"/api/v1/audit/entries/{seq}" not in html, role
            assert f"index={seq}&" not in html and f'id="entry-{seq}"' not in html, role


def test_before_the_opening_bids_are_a_count_and_no_bidder(cast):
    with award_world(cast, opened=False) as world:
        tender = world.tender
        assert texts(tender)[-1] == (
            "So far 3 bids stand. Who bid and what they offered stay sealed until the opening."
        )
        assert_sealed(tender, cast)
        # Past the deadline, the commission handing in shares: still sealed.
        tender = close_bidding(tender)
        post_shares(tender, [cast.buyer])
        assert "The submission deadline passed: bidding closed with 3 bids." in texts(tender)
        assert "A commission member handed in a key share (1 of 2 needed)." in texts(tender)
        assert_sealed(tender, cast)


def test_after_the_opening_every_bid_shows_with_its_bidder(cast):
    with award_world(cast) as world:
        events = tender_timeline(world.tender)
        said = [e.text for e in events]
        for key, name in zip("abc", BIDDERS, strict=True):
            bid = world.bids[key]
            lots = ", ".join(bid.lots)
            assert f"{name} submitted bid {bid.public_id} for lots {lots}." in said
        opened = next(e for e in events if e.text.startswith("The bids were opened"))
        assert opened.text == "The bids were opened: 3 received, 3 valid, 0 invalid."
        assert opened.link == reverse("bids:opening-protocol", args=[world.tender.number])
        assert not any("bids stand" in text for text in said)
        seqs = [e.seq for e in events]
        assert seqs == sorted(seqs)


# --- the award stage ------------------------------------------------------------------------


def test_reviews_appear_once_the_results_are_published(cast):
    with award_world(cast) as world:
        review_all(world, cast, disqualified=("c",))
        said = texts(world.tender)
        assert not any("commission" in text and "bid of" in text for text in said)
        publish(world, cast)
        said = texts(world.tender)
        qualified = "The commission found the bid of Medservice Plus LLP qualified."
        disqualified = "The commission disqualified the bid of Aral Pharm LLP."
        results = next(t for t in said if t.startswith("The chair signed"))
        assert said.index(qualified) < said.index(results)
        assert said.index(disqualified) < said.index(results)
        assert results == (
            "The chair signed and published the results (revision 1). Proposed winners: lot 1: "
            "Steppe Construction JSC, 2,800,000.00 KZT; lot 2: Medservice Plus LLP, "
            "800,000.00 KZT."
        )


def test_complaints_appear_once_decided(cast):
    with award_world(cast) as world:
        review_all(world, cast, disqualified=("c",))
        publish(world, cast)
        complaint = file_complaint(
            tender=world.tender,
            actor=world.user_c,
            complainant=world.org_c,
            kind="results",
            text="Our licence was attached.",
        )
        assert complaint.number not in " ".join(texts(world.tender))
        assert complaint.number not in timeline_html(world.tender)
        decide_complaint(
            complaint=complaint, actor=cast.reviewer, satisfied=False, decision="It had expired."
        )
        said = texts(world.tender)
        assert f"Aral Pharm LLP filed complaint {complaint.number} (against the results)." in said
        assert f"The review body dismissed complaint {complaint.number}." in said


def test_contract_events_appear_once_the_contract_is_in_force(cast, _monday):
    with award_world(cast) as world:
        contracts = to_contracting(world, cast, _monday, disqualified=("c",))
        contract = contracts[2]
        assert "The standstill ended for lots 1, 2: the awards are active, contracts drafted." in (
            texts(world.tender)
        )
        sign_as_supplier(world, contract)
        assert contract.number not in " ".join(texts(world.tender))
        sign_as_buyer(world, cast, fresh(contract))
        contract = fresh(contract)
        amend_contract(contract=contract, actor=cast.buyer, new_price="790000.00", reason="Less")
        accept_delivery(
            contract=fresh(contract), actor=cast.buyer, amount="400000.00", description="Half"
        )
        record_payment(
            contract=fresh(contract), actor=cast.buyer, amount="400000.00", reference="PO-1"
        )
        events = tender_timeline(world.tender)
        said = [e.text for e in events]
        number = contract.number
        assert said[-5:] == [
            f"The supplier signed contract {number}.",
            f"The buyer signed contract {number}. It is in force.",
            f"Contract {number} was amended: price 800,000.00 KZT → 790,000.00 KZT. Less",
            f"Acceptance act 1 under contract {number}: 400,000.00 KZT accepted.",
            f"Payment 1 under contract {number}: 400,000.00 KZT paid.",
        ]
        assert {e.link for e in events[-5:]} == {contract.get_absolute_url()}
        assert contracts[1].number not in " ".join(said)  # not signed: not public


def test_the_timeline_costs_the_same_few_queries_however_long_it_is(
    cast, _monday, django_assert_max_num_queries
):
    with award_world(cast) as world:
        with django_assert_max_num_queries(QUERIES):
            assert page(world.tender).status_code == 200
        opened = len(tender_timeline(world.tender))
        contracts = to_contracting(world, cast, _monday, disqualified=("c",))
        for contract in contracts.values():
            sign_as_supplier(world, contract)
            sign_as_buyer(world, cast, fresh(contract))
        assert len(tender_timeline(world.tender)) >= opened + 8
        with django_assert_max_num_queries(QUERIES):
            assert page(world.tender).status_code == 200


# --- verification -----------------------------------------------------------------------------


def test_verify_links_give_the_entry_and_its_inclusion_proof(cast):
    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    ask_question(tender=tender, text="Is a generic accepted?", actor=cast.supplier_a)
    checkpoint = issue_checkpoint(reason="test")
    late = ask_question(tender=tender, text="And pens?", actor=cast.supplier_b)
    html = timeline_html(tender)
    published = Entry.objects.get(action="procurement.tender.published", subject_id=tender.pk)

    entry = Client().get(f"/api/v1/audit/entries/{published.seq}").json()
    assert entry["seq"] == published.seq
    assert entry["checkpoint"]["tree_size"] == checkpoint.tree_size
    proof = [bytes.fromhex(h) for h in entry["inclusion_proof"]]
    leaf = merkle.leaf_hash(base64.b64decode(entry["payload"]))
    root = bytes.fromhex(entry["checkpoint"]["root_hash"])
    assert merkle.verify_inclusion(leaf, published.seq, checkpoint.tree_size, proof, root)

    proof_url = (
        f"/api/v1/audit/proofs/inclusion?index={published.seq}&amp;size={checkpoint.tree_size}"
    )
    assert proof_url in html
    assert Client().get(proof_url.replace("&amp;", "&")).status_code == 200
    late_seq = Entry.objects.get(action="procurement.question.asked", subject_id=late.pk).seq
    assert f'href="/api/v1/audit/entries/{late_seq}"' in html
    assert f"index={late_seq}&" not in html  # no checkpoint covers it yet
    assert "awaiting the next checkpoint" in html


def test_auditors_also_get_the_entry_page(cast):
    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    published = Entry.objects.get(action="procurement.tender.published", subject_id=tender.pk)
    entry_page = reverse("audit:entry-detail", args=[published.seq])
    assert entry_page in timeline_html(tender, cast.auditor)
    assert entry_page not in timeline_html(tender)
