"""Rows of the permission matrix (tests/test_permission_matrix.py) for the award stage's
JSON API: same columns, same cells, targets built from tests/awards/world.py.

Each target builds one tender through the services, as far as its row needs (opened bids,
a correction asked, results published, a complaint filed, contracts drafted or signed), once
per row. Bodies are valid, so a cell says who may act: 2xx, or 422 where the one allowed to
act meets a rule the matrix does not satisfy (no valid signature can be made here).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

# fmt: off
MATRIX = {
    # (route, method, target)                                       anon  adm  buy  com  oth  s_a  s_b  shd  aud  rev  out   op
    # the checklist and the contract terms: public once published; the agency's buyers set them
    ("api:list_tender_requirements", "GET", "published tender"):   (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:list_tender_requirements", "GET", "draft tender"):       (404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 200),
    ("api:add_tender_requirement", "POST", "draft tender"):        (401, 201, 201, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    ("api:get_contract_terms", "GET", "published tender"):         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:get_contract_terms", "GET", "draft tender"):             (404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 200),
    ("api:set_contract_terms", "PUT", "draft tender"):             (401, 200, 200, 403, 404, 404, 404, 404, 404, 404, 404, 403),
    # evaluation: the commission's work, watched by the agency and auditors until published
    ("api:list_tender_reviews", "GET", "evaluation (api)"):        (403, 200, 200, 200, 403, 403, 403, 403, 200, 403, 403, 403),
    ("api:list_tender_reviews", "GET", "results (api)"):           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:review_bid", "POST", "bid in evaluation (api)"):         (401, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:request_bid_correction", "POST", "bid in evaluation (api)"): (401, 403, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:get_bid_correction", "GET", "bid to correct (api)"):     (404, 200, 200, 200, 404, 200, 404, 404, 200, 404, 404, 404),
    ("api:answer_bid_correction", "POST", "bid to correct (api)"): (401, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403),
    # the results protocol: the commission drafts, the chair (the buyer) signs; then public
    ("api:get_results_draft", "GET", "evaluation (api)"):          (401, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:publish_results", "POST", "evaluation (api)"):           (401, 403, 422, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:list_results", "GET", "results (api)"):                  (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:get_results", "GET", "results revision 1 (api)"):        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:list_tender_awards", "GET", "results (api)"):            (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:award_next_bidder", "POST", "declined lot (api)"):       (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # complaints: bidders file them in the standstill; pending ones are seen by those concerned
    ("api:file_complaint", "POST", "results (api)"):               (401, 403, 403, 403, 403, 201, 201, 403, 403, 403, 403, 403),
    ("api:list_tender_complaints", "GET", "complained (api)"):     (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:list_complaints", "GET", None):                          (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:get_complaint", "GET", "pending complaint (api)"):       (404, 200, 200, 200, 404, 200, 404, 404, 200, 200, 404, 200),
    ("api:get_complaint_document", "GET", "complaint document (api)"): (404, 200, 200, 200, 404, 200, 404, 404, 200, 200, 404, 200),
    ("api:decide_complaint", "POST", "pending complaint (api)"):   (401, 403, 403, 403, 404, 403, 404, 404, 403, 200, 404, 403),
    # contracts: to sign, the parties' (and auditors', operators'); signed, public
    ("api:list_contracts", "GET", None):                           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:get_contract", "GET", "contract to sign (api)"):         (404, 200, 200, 404, 404, 200, 404, 404, 200, 404, 404, 200),
    ("api:get_contract", "GET", "contract in force (api)"):        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api:get_contract_document", "GET", "contract to sign (api)"): (404, 200, 200, 404, 404, 200, 404, 404, 200, 404, 404, 200),
    ("api:sign_contract", "POST", "contract to sign (api)"):       (401, 422, 422, 404, 404, 422, 404, 404, 403, 404, 404, 403),
    ("api:decline_contract", "POST", "contract to sign (api)"):    (401, 403, 403, 404, 404, 200, 404, 404, 403, 404, 404, 403),
    ("api:amend_contract", "POST", "contract in force (api)"):     (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:accept_delivery", "POST", "contract in force (api)"):    (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:record_payment", "POST", "contract in force (api)"):     (401, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:terminate_contract", "POST", "contract in force (api)"): (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("api:contract_directly", "POST", "single-source draft (api)"): (401, 201, 201, 403, 404, 404, 404, 404, 404, 404, 404, 403),
}
# fmt: on


def _in_world(cast, then):
    """Build the award world and take `then(world)`'s URL arguments out of it."""
    from tests.awards.world import award_world

    with award_world(cast) as world:
        return then(world)


def _evaluation(cast) -> dict:
    return _in_world(cast, lambda w: {"number": w.tender.number})


def _bid_in_evaluation(cast) -> dict:
    return _in_world(cast, lambda w: {"public_id": w.bids["a"].public_id})


def _bid_to_correct(cast) -> dict:
    from awards.services.reviews import request_correction

    def asked(world):
        bid = world.bids["a"]
        request_correction(bid=bid, actor=cast.buyer, text="Attach the licence.")
        return {"public_id": bid.public_id}

    return _in_world(cast, asked)


def _results(cast) -> dict:
    """Results published: B proposed on lot 1, A on lot 2, in standstill."""
    from tests.awards.test_api import publish

    def published(world):
        publish(world, cast)
        return {"number": world.tender.number}

    return _in_world(cast, published)


def _declined_lot(cast) -> dict:
    """Lot 1's winner, B, declined its contract after the standstill."""
    from tests.awards.test_api import declined_lot_1

    def declined(world):
        declined_lot_1(world, cast)
        return {"number": world.tender.number, "lot_number": 1}

    return _in_world(cast, declined)


def _pending_complaint(cast) -> dict:
    """Supplier A's complaint against the results, with one document."""
    from tests.awards.test_api import complaint_of_a, pdf, publish

    def complained(world):
        publish(world, cast)
        complaint = complaint_of_a(world, cast, files=[pdf()])
        return {
            "number": complaint.number,
            "tender": world.tender.number,
            "document_id": complaint.documents.get().pk,
        }

    return _in_world(cast, complained)


def _contract_to_sign(cast) -> dict:
    """Lot 2's contract, drafted for supplier A after the standstill."""
    from tests.awards.test_api import to_contracting

    return _in_world(cast, lambda w: {"number": to_contracting(w, cast)[2].number})


def _contract_in_force(cast) -> dict:
    """Lot 2's contract signed by both sides, with 100.00 of it accepted (so payable)."""
    from contracts.services.execution import accept_delivery
    from contracts.services.signing import sign_contract
    from tests.awards.test_api import to_contracting
    from tests.awards.world import sign

    def signed(world):
        contract = to_contracting(world, cast)[2]
        content = bytes(contract.content)
        for actor, signer in ((cast.supplier_a, world.signers["a"]), (cast.buyer, world.chair)):
            sign_contract(contract=contract, actor=actor, signature=sign(signer, content))
        accept_delivery(contract=contract, actor=cast.buyer, amount="100.00", description="1")
        return {"number": contract.number}

    return _in_world(cast, signed)


def _single_source_draft(cast) -> dict:
    from procurement.models import Tender
    from tests.procurement.factories import procedure, ready_tender

    tender = ready_tender(cast)
    Tender.objects.filter(pk=tender.pk).update(procedure=procedure("single_source"))
    return {"number": tender.number}


def _complaint(cast) -> dict:
    found = _pending_complaint(cast)
    return {"number": found["number"]}


TARGETS = {
    "evaluation (api)": _evaluation,
    "bid in evaluation (api)": _bid_in_evaluation,
    "bid to correct (api)": _bid_to_correct,
    "results (api)": _results,
    "results revision 1 (api)": lambda cast: {**_results(cast), "revision": 1},
    "declined lot (api)": _declined_lot,
    "complained (api)": lambda cast: {"number": _pending_complaint(cast)["tender"]},
    "pending complaint (api)": _complaint,
    "complaint document (api)": lambda cast: {
        k: v for k, v in _pending_complaint(cast).items() if k != "tender"
    },
    "contract to sign (api)": _contract_to_sign,
    "contract in force (api)": _contract_in_force,
    "single-source draft (api)": _single_source_draft,
}


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("evidence.pdf", b"%PDF-1.7\n% evidence\n")


POST_BODIES = {
    "api:set_contract_terms": {"terms": "Delivery within 30 days."},
    "api:add_tender_requirement": {"kind": "document", "title": "Licence"},
    "api:review_bid": {"decisions": {"1": {"met": True}, "2": {"met": True}}},
    "api:request_bid_correction": {"text": "Attach the licence."},
    "api:answer_bid_correction": {"text": "Licence No. 42 attached."},
    "api:publish_results": {"sha256": "0" * 64, "signature": "MA=="},
    "api:award_next_bidder": {"reason": "The winner declined.", "propose_blacklist": True},
    "api:file_complaint": lambda cast: {
        "kind": "results",
        "text": "Our price was compared wrongly.",
        "files": _pdf(),
    },
    "api:decide_complaint": {"satisfied": False, "decision": "The comparison followed the rules."},
    "api:sign_contract": {"signature": "MA=="},
    "api:decline_contract": {"reason": "Cannot deliver in time."},
    "api:amend_contract": {"new_price": "760000.00", "reason": "Fewer packs."},
    "api:accept_delivery": {"amount": "100.00", "description": "One pack"},
    "api:record_payment": {"amount": "100.00", "reference": "PO-1"},
    "api:terminate_contract": {"reason": "No longer needed."},
    "api:contract_directly": lambda cast: {
        "supplier_bin": cast.supplier_org_a.bin,
        "price": "2500000.00",
        "justification": "The only licensed maker.",
    },
}

QUERIES = {"api:list_complaints": {"status": "pending"}}

MULTIPART = {"api:file_complaint"}
