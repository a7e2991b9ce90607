"""Rows of the permission matrix (tests/test_permission_matrix.py) for the award stage's
web pages: same columns, same cells, targets built from tests/awards/world.py.

Each target is built in its own award world (the cast's agency chairs the commission through
the buyer; commission[0] sits on it; suppliers A, B and a third one bid). The world's test CA
is trusted only while it is built, so a signature sent by a row is no signature the platform
accepts: where a role may sign, the cell is the refusal, 400, shown on the page.
"""

import datetime as dt
import hashlib
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

L = "login"

# fmt: off
MATRIX = {
    # (route, method, target)                                          anon  adm  buy  com  oth  s_a  s_b  shd  aud  rev  out   op
    # the checklist and contract terms: public once published, its agency's while a draft
    ("awards:requirements", "GET", "draft tender"):                   (404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 200),
    ("awards:requirements", "GET", "tender in evaluation"):           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("awards:requirement-add", "POST", "draft tender"):               (L,   302, 302, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("awards:contract-terms", "POST", "draft tender"):                (L,   302, 302, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    # evaluation: the commission works, its agency's buyers and auditors follow
    ("awards:evaluation", "GET", "tender in evaluation"):             (L,   200, 200, 200, 403, 403, 403, 403, 200, 403, 403, 403),
    ("awards:bid-review", "POST", "bid in evaluation"):               (L,   403, 302, 302, 403, 403, 403, 403, 403, 403, 403, 403),
    ("awards:correction-request", "POST", "bid in evaluation"):       (L,   403, 302, 302, 403, 403, 403, 403, 403, 403, 403, 403),
    ("awards:results-draft", "GET", "tender in evaluation"):          (L,   200, 200, 200, 403, 403, 403, 403, 200, 403, 403, 403),
    ("awards:results-publish", "POST", "reviewed tender"):            (L,   403, 400, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("awards:correction-answer", "POST", "bid asked to correct"):     (L,   403, 403, 403, 403, 302, 403, 403, 403, 403, 403, 403),
    # the results: public
    ("awards:results", "GET", "published results"):                   (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("awards:results-protocol", "GET", "published protocol"):         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("awards:results-signature", "GET", "published protocol"):        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # complaints: bidders file against results in standstill; reviewers decide; public once decided
    ("awards:complaint-file", "POST", "published results"):           (L,   403, 403, 403, 403, 302, 302, 403, 403, 403, 403, 403),
    ("awards:complaint-list", "GET", None):                           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("awards:complaint-detail", "GET", "pending complaint"):          (404, 200, 200, 200, 404, 200, 404, 404, 200, 200, 404, 200),
    ("awards:complaint-detail", "GET", "decided complaint"):          (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("awards:complaint-decide", "POST", "pending complaint"):         (L,   403, 403, 403, 404, 403, 404, 404, 403, 302, 404, 403),
    ("awards:complaint-document", "GET", "complaint document"):       (404, 200, 200, 200, 404, 200, 404, 404, 200, 200, 404, 200),
    # contracts: the parties (and watchers) while unsigned, everyone once signed
    ("contracts:contract-list", "GET", None):                         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("contracts:contract-detail", "GET", "unsigned contract"):        (404, 200, 200, 404, 404, 200, 404, 404, 200, 404, 404, 200),
    ("contracts:contract-detail", "GET", "signed contract"):          (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("contracts:contract-document", "GET", "unsigned contract"):      (404, 200, 200, 404, 404, 200, 404, 404, 200, 404, 404, 200),
    ("contracts:contract-signature", "GET", "buyer's signature"):     (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("contracts:contract-sign", "POST", "unsigned contract"):         (L,   400, 400, 404, 404, 400, 404, 404, 403, 404, 404, 403),
    ("contracts:contract-decline", "POST", "unsigned contract"):      (L,   403, 403, 404, 404, 302, 404, 404, 403, 404, 404, 403),
    ("contracts:award-next", "POST", "declined contract"):            (L,   302, 302, 404, 404, 403, 404, 404, 403, 404, 404, 403),
    ("contracts:contract-amend", "POST", "signed contract"):          (L,   302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("contracts:acceptance-add", "POST", "signed contract"):          (L,   302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("contracts:payment-add", "POST", "accepted contract"):           (L,   302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("contracts:contract-terminate", "POST", "signed contract"):      (L,   302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("contracts:single-source", "POST", "single-source draft"):       (L,   302, 302, 403, 404, 404, 404, 404, 404, 404, 404, 403),
}
# fmt: on


def _world(cast, until: str) -> SimpleNamespace:
    """An award world carried to `until`; what the targets need of it."""
    from tests.awards.world import award_world

    with award_world(cast) as world:
        built = SimpleNamespace(tender=world.tender, bids=world.bids)
        if until != "evaluation":
            _carry(cast, world, built, until)
    return built


STEPS = ("correction", "reviewed", "published", "contracted", "signed", "accepted", "declined")


def _carry(cast, world, built, until: str) -> None:
    from awards.results import results_bytes
    from awards.services.results import publish_results
    from awards.services.reviews import request_correction, review_bid
    from contracts.models import Contract
    from contracts.services.awarding import decline_award, run_award_timers
    from contracts.services.execution import accept_delivery
    from contracts.services.signing import sign_contract
    from tests.awards.world import fails, meets_all, sign

    tender = world.tender
    if until == "correction":
        request_correction(bid=world.bids["a"], actor=cast.buyer, text="Attach page two.")
        return
    for key in ("a", "b"):
        review_bid(bid=world.bids[key], actor=cast.buyer, decisions=meets_all(tender))
    review_bid(bid=world.bids["c"], actor=cast.buyer, decisions=fails(tender, 1, "No licence"))
    if until == "reviewed":
        return
    content = results_bytes(tender)
    built.protocol = publish_results(
        tender=tender,
        actor=cast.buyer,
        content_sha256=hashlib.sha256(content).hexdigest(),
        signature=sign(world.chair, content),
    )
    if until == "published":
        return
    end = tender.awards.first().standstill_end
    run_award_timers(tender=tender, now=end + dt.timedelta(seconds=1))
    contract = Contract.objects.get(tender=tender, lot__number=2)  # supplier A's
    built.contract = contract
    if until == "declined":
        decline_award(contract=contract, actor=cast.supplier_a, reason="Cannot deliver.")
        return
    if until == "contracted":
        return
    for actor, signer in ((cast.supplier_a, world.signers["a"]), (cast.buyer, world.chair)):
        sign_contract(
            contract=contract, actor=actor, signature=sign(signer, bytes(contract.content))
        )
    if until == "accepted":
        accept_delivery(contract=contract, actor=cast.buyer, amount="100000.00", description="Part")


def _complaint(cast, *, decided: bool = False, document: bool = False) -> dict:
    from awards.services.complaints import decide_complaint, file_complaint

    tender = _world(cast, "published").tender
    files = [SimpleUploadedFile("licence.pdf", b"%PDF-1.7\n% licence\n")] if document else []
    complaint = file_complaint(
        tender=tender,
        actor=cast.supplier_a,
        complainant=cast.supplier_org_a,
        kind="results",
        text="Our bid was the cheapest.",
        files=files,
    )
    if decided:
        decide_complaint(complaint=complaint, actor=cast.reviewer, satisfied=False, decision="No.")
    if document:
        return {"number": complaint.number, "document_id": complaint.documents.get().pk}
    return {"number": complaint.number}


def _single_source_draft(cast) -> dict:
    from tests.awards.world import draft_with_lots

    tender = draft_with_lots(cast, procedure_code="single_source", lots={"1": "3000000.00"})
    return {"number": tender.number}


def _contract(cast, until: str) -> dict:
    return {"number": _world(cast, until).contract.number}


TARGETS: dict = {
    "tender in evaluation": lambda cast: {"number": _world(cast, "evaluation").tender.number},
    "reviewed tender": lambda cast: {"number": _world(cast, "reviewed").tender.number},
    "bid in evaluation": lambda cast: (
        lambda w: {"number": w.tender.number, "public_id": w.bids["a"].public_id}
    )(_world(cast, "evaluation")),
    "bid asked to correct": lambda cast: (
        lambda w: {"number": w.tender.number, "public_id": w.bids["a"].public_id}
    )(_world(cast, "correction")),
    "published results": lambda cast: {"number": _world(cast, "published").tender.number},
    "published protocol": lambda cast: {
        "number": _world(cast, "published").tender.number,
        "revision": 1,
    },
    "pending complaint": lambda cast: _complaint(cast),
    "decided complaint": lambda cast: _complaint(cast, decided=True),
    "complaint document": lambda cast: _complaint(cast, document=True),
    "unsigned contract": lambda cast: _contract(cast, "contracted"),
    "signed contract": lambda cast: _contract(cast, "signed"),
    "accepted contract": lambda cast: _contract(cast, "accepted"),
    "declined contract": lambda cast: _contract(cast, "declined"),
    "buyer's signature": lambda cast: {**_contract(cast, "signed"), "party": "buyer"},
    "single-source draft": _single_source_draft,
}


def _not_a_signature(cast) -> dict:
    return {"signature": SimpleUploadedFile("signed.p7s", b"not a CMS signature")}


POST_BODIES: dict = {
    "awards:requirement-add": {"kind": "document", "title": "GMP certificate"},
    "awards:contract-terms": {"terms": "Delivery within 10 days."},
    "awards:bid-review": {"met_1": "met", "met_2": "met"},
    "awards:correction-request": {"text": "Attach the licence's second page."},
    "awards:results-publish": lambda cast: {
        **_not_a_signature(cast),
        "content_sha256": "0" * 64,
    },
    "awards:correction-answer": {"text": "Page two is attached."},
    "awards:complaint-file": {"kind": "results", "text": "Our bid was the cheapest."},
    "awards:complaint-decide": {"outcome": "dismissed", "decision": "No merit."},
    "contracts:contract-sign": _not_a_signature,
    "contracts:contract-decline": {"reason": "Cannot deliver at this price."},
    "contracts:award-next": {"reason": "The winner declined.", "propose_blacklist": "on"},
    "contracts:contract-amend": {"new_price": "790000.00", "reason": "Fewer packs."},
    "contracts:acceptance-add": {"amount": "100000.00", "description": "1,000 packs"},
    "contracts:payment-add": {"amount": "100000.00", "reference": "PO-2026-1"},
    "contracts:contract-terminate": {"reason": "The supplier went bankrupt."},
    "contracts:single-source": lambda cast: {
        "supplier": cast.supplier_org_a.bin,
        "price": "2500000.00",
        "justification": "The only registered manufacturer.",
    },
}
QUERIES: dict = {}
MULTIPART: set = set()
