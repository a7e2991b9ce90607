"""Contracts over the API: the register (signed ones public, the rest to their parties), the
exact document and both sides' signatures, the winner declining, and the buyer's side
recording amendments, acceptance acts, payments and termination; the single-source shortcut.
Each refusal comes in the one error shape and leaves nothing changed."""

import base64
import hashlib
from decimal import Decimal

import pytest
from django.test import Client

from audit.models import Entry
from contracts.models import Acceptance, Contract, ContractAmendment, Payment
from contracts.services.execution import accept_delivery
from contracts.services.signing import sign_contract
from procurement.models import BudgetLine, Tender
from tests.awards.test_api import client_of, post, to_contracting, token_client
from tests.awards.world import award_world, sign
from tests.procurement.factories import procedure, ready_tender
from tests.test_api_errors import error_of

pytestmark = pytest.mark.django_db

API = "/api/v1"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def world(cast):
    with award_world(cast) as built:
        built.contracts = to_contracting(built, cast)
        yield built


def signed_by_both(world, cast, contract: Contract) -> Contract:
    """Lot 2's contract (supplier A) in force."""
    content = bytes(contract.content)
    sign_contract(
        contract=contract, actor=cast.supplier_a, signature=sign(world.signers["a"], content)
    )
    return sign_contract(contract=contract, actor=cast.buyer, signature=sign(world.chair, content))


def snapshot(contract: Contract) -> tuple:
    contract = Contract.objects.get(pk=contract.pk)
    return (
        contract.status,
        contract.price,
        ContractAmendment.objects.count(),
        Acceptance.objects.count(),
        Payment.objects.count(),
        Entry.objects.count(),
    )


# --- the register ----------------------------------------------------------------------------


def test_contracts_to_sign_are_their_parties_and_signed_ones_are_public(cast, world):
    lot1, lot2 = world.contracts[1], world.contracts[2]

    def listed(client, **query):
        return [c["number"] for c in client.get(f"{API}/contracts", query).json()["items"]]

    assert listed(Client()) == []
    assert listed(client_of(cast.outsider)) == []
    assert listed(client_of(cast.commission[0])) == []
    assert listed(client_of(cast.supplier_a)) == [lot2.number]
    assert listed(client_of(cast.supplier_b)) == [lot1.number]
    assert sorted(listed(client_of(cast.buyer))) == sorted([lot1.number, lot2.number])
    assert sorted(listed(client_of(cast.auditor))) == sorted([lot1.number, lot2.number])
    for client in (Client(), client_of(cast.supplier_b), client_of(cast.commission[0])):
        error_of(client.get(f"{API}/contracts/{lot2.number}"), 404)
        error_of(client.get(f"{API}/contracts/{lot2.number}/document"), 404)

    signed_by_both(world, cast, lot2)

    assert listed(Client()) == [lot2.number]
    assert listed(Client(), status="active", supplier=cast.supplier_org_a.bin) == [lot2.number]
    assert listed(Client(), status="pending") == []
    assert listed(Client(), tender="T-1999-000001") == []
    detail = Client().get(f"{API}/contracts/{lot2.number}").json()
    assert (detail["status"], detail["price"], detail["original_price"]) == (
        "active",
        "800000.00",
        "800000.00",
    )
    assert (detail["lot"], detail["supplier_bin"], detail["agency_bin"]) == (
        2,
        cast.supplier_org_a.bin,
        cast.agency.bin,
    )
    assert detail["signed_at"].endswith("Z")
    assert detail["sha256"] == hashlib.sha256(bytes(lot2.content)).hexdigest()
    assert (
        detail["supplier_certificate"] == cast.supplier_org_a.certificates.get().fingerprint_sha256
    )
    assert base64.b64decode(detail["buyer_signature"]) == bytes(
        Contract.objects.get(pk=lot2.pk).buyer_signature
    )
    assert (detail["accepted_total"], detail["paid_total"]) == ("0.00", "0.00")


def test_the_document_is_the_exact_bytes_to_sign(cast, world):
    contract = world.contracts[2]
    response = client_of(cast.supplier_a).get(f"{API}/contracts/{contract.number}/document")
    assert response.status_code == 200
    assert response.content == bytes(contract.content)
    assert response["X-Content-SHA256"] == contract.sha256
    assert (
        client_of(cast.auditor).get(f"{API}/contracts/{contract.number}/document").status_code
        == 200
    )
    error_of(Client().get(f"{API}/contracts/C-0000-000000-1-1/document"), 404)


# --- signatures ------------------------------------------------------------------------------


def test_both_sides_sign_and_the_contract_enters_into_force(cast, world):
    contract = world.contracts[2]
    url = f"{API}/contracts/{contract.number}/signatures"
    content = client_of(cast.supplier_a).get(f"{API}/contracts/{contract.number}/document").content

    response = post(
        token_client(cast.supplier_a), url, {"signature": b64(sign(world.signers["a"], content))}
    )

    assert response.status_code == 201, response.content
    half = response.json()
    assert (half["status"], half["buyer_signed_at"]) == ("pending", None)
    assert half["supplier_signed_at"] is not None
    again = error_of(
        post(
            client_of(cast.supplier_a), url, {"signature": b64(sign(world.signers["a"], content))}
        ),
        422,
    )
    assert again["code"] == "already_signed"

    response = post(client_of(cast.buyer), url, {"signature": b64(sign(world.chair, content))})

    assert response.status_code == 201, response.content
    signed = response.json()
    assert signed["status"] == "active" and signed["signed_at"] is not None
    line = BudgetLine.objects.with_balances().get(pk=contract.lot.budget_line_id)
    assert (line.reserved, line.obligated) == (0, Decimal("800000.00"))


def test_signing_is_refused_to_others_and_for_bad_signatures(cast, world):
    contract = world.contracts[2]
    url = f"{API}/contracts/{contract.number}/signatures"
    content = bytes(contract.content)
    good = {"signature": b64(sign(world.signers["a"], content))}
    clients = {
        u: client_of(getattr(cast, u))
        for u in ("supplier_a", "supplier_b", "auditor", "operator", "buyer")
    }
    before = snapshot(contract)

    error_of(post(Client(), url, good), 401)
    error_of(post(clients["supplier_b"], url, good), 404)
    for role in ("auditor", "operator"):
        error_of(post(clients[role], url, good), 403)
    error = error_of(post(clients["supplier_a"], url, {"signature": "%%%"}), 422)
    assert list(error["fields"]) == ["signature"]
    error = error_of(post(clients["supplier_a"], url, {"signature": b64(b"not a CMS")}), 422)
    assert error["code"].startswith("signature_")
    error = error_of(post(clients["buyer"], url, good), 422)  # the supplier's certificate
    assert error["code"].startswith("certificate_")
    other = {"signature": b64(sign(world.signers["a"], content + b" "))}
    assert error_of(post(clients["supplier_a"], url, other), 422)["code"] == "signature_invalid"

    assert snapshot(contract) == before
    assert Contract.objects.get(pk=contract.pk).supplier_signed_at is None


def test_the_winner_declines_its_contract(cast, world):
    contract = world.contracts[1]
    url = f"{API}/contracts/{contract.number}/decline"
    before = snapshot(contract)
    error_of(post(Client(), url, {"reason": "x"}), 401)
    error_of(post(client_of(cast.supplier_a), url, {"reason": "x"}), 404)
    error_of(post(client_of(cast.buyer), url, {"reason": "x"}), 403)
    winner = client_of(cast.supplier_b)
    assert list(error_of(post(winner, url, {"reason": " "}), 422)["fields"]) == ["reason"]
    assert snapshot(contract) == before

    response = post(winner, url, {"reason": "Cannot deliver in time."})

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["end_reason"]) == (
        "declined",
        "Cannot deliver in time.",
    )
    assert error_of(post(winner, url, {"reason": "again"}), 422)["code"] == "invalid_status"


# --- under a contract in force --------------------------------------------------------------


def test_the_buyer_amends_accepts_pays_and_terminates(cast, world):
    contract = signed_by_both(world, cast, world.contracts[2])
    url = f"{API}/contracts/{contract.number}"
    buyer = client_of(cast.buyer)

    response = post(
        buyer, f"{url}/amendments", {"new_price": "760000.00", "reason": "Fewer packs."}
    )
    assert response.status_code == 201, response.content
    amendment = response.json()
    assert amendment.pop("made_at").endswith("Z")
    assert amendment == {
        "number": 1,
        "old_price": "800000.00",
        "new_price": "760000.00",
        "reason": "Fewer packs.",
    }

    response = post(
        buyer, f"{url}/acceptances", {"amount": "500000.00", "description": "6,000 packs"}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["number"], response.json()["amount"], response.json()["status"]) == (
        1,
        "500000.00",
        "accepted",
    )

    response = post(buyer, f"{url}/payments", {"amount": "500000.00", "reference": "PO-2026-0042"})
    assert response.status_code == 201, response.content
    assert response.json() | {"paid_at": None} == {
        "number": 1,
        "amount": "500000.00",
        "reference": "PO-2026-0042",
        "paid_at": None,
    }

    detail = Client().get(url).json()
    assert (detail["price"], detail["accepted_total"], detail["paid_total"]) == (
        "760000.00",
        "500000.00",
        "500000.00",
    )
    assert [a["status"] for a in detail["acceptances"]] == ["paid"]
    assert [p["reference"] for p in detail["payments"]] == ["PO-2026-0042"]
    assert [a["new_price"] for a in detail["amendments"]] == ["760000.00"]

    response = post(
        client_of(cast.agency_admin),
        f"{url}/termination",
        {"reason": "Supplier stopped delivering."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "terminated"
    line = BudgetLine.objects.with_balances().get(pk=contract.lot.budget_line_id)
    assert (line.obligated, line.paid) == (0, Decimal("500000.00"))


def test_only_the_buyers_side_records_what_happens_under_a_contract(cast, world):
    contract = signed_by_both(world, cast, world.contracts[2])
    url = f"{API}/contracts/{contract.number}"
    bodies = {
        "amendments": {"new_price": "760000.00", "reason": "Fewer packs."},
        "acceptances": {"amount": "100.00", "description": "1 pack"},
        "payments": {"amount": "100.00", "reference": "PO-1"},
        "termination": {"reason": "No longer needed."},
    }
    clients = [
        client_of(u)
        for u in (
            cast.supplier_a,
            cast.commission[0],
            cast.other_buyer,
            cast.auditor,
            cast.operator,
        )
    ]
    before = snapshot(contract)

    for action, body in bodies.items():
        error_of(post(Client(), f"{url}/{action}", body), 401)
        for client in clients:
            assert "buyer" in error_of(post(client, f"{url}/{action}", body), 403)["message"]

    assert snapshot(contract) == before


def test_bad_amounts_are_refused_with_their_field(cast, world):
    contract = signed_by_both(world, cast, world.contracts[2])
    url = f"{API}/contracts/{contract.number}"
    buyer = client_of(cast.buyer)
    before = snapshot(contract)

    def fields(action, body) -> list:
        return list(error_of(post(buyer, f"{url}/{action}", body), 422)["fields"])

    assert fields("amendments", {"new_price": "1000000.00", "reason": "More."}) == ["new_price"]
    assert fields("amendments", {"new_price": "800000.00", "reason": "Same."}) == ["new_price"]
    assert fields("amendments", {"new_price": "abc", "reason": "x"}) == ["new_price"]
    assert fields("amendments", {"new_price": "790000.001", "reason": "x"}) == ["new_price"]
    assert fields("acceptances", {"amount": "800000.01", "description": "all"}) == ["amount"]
    assert fields("acceptances", {"amount": "-1", "description": "x"}) == ["amount"]
    assert fields("acceptances", {"amount": "1.00"}) == ["description"]
    assert fields("payments", {"amount": "1.00", "reference": "PO-1"}) == ["amount"]
    assert fields("payments", {"amount": "1.00", "reference": "x" * 101}) == ["reference"]
    assert fields("termination", {}) == ["reason"]

    assert snapshot(contract) == before


def test_nothing_is_recorded_under_a_contract_not_in_force(cast, world):
    contract = world.contracts[2]
    url = f"{API}/contracts/{contract.number}"
    before = snapshot(contract)
    error = error_of(
        post(client_of(cast.buyer), f"{url}/acceptances", {"amount": "1.00", "description": "x"}),
        422,
    )
    assert error["code"] == "invalid_status"
    assert snapshot(contract) == before


def test_payments_are_capped_by_what_was_accepted(cast, world):
    contract = signed_by_both(world, cast, world.contracts[2])
    accept_delivery(contract=contract, actor=cast.buyer, amount="100.00", description="1 pack")
    url = f"{API}/contracts/{contract.number}/payments"
    error = error_of(
        post(client_of(cast.buyer), url, {"amount": "100.01", "reference": "PO-1"}), 422
    )
    assert "accepted" in error["fields"]["amount"][0]
    assert not Payment.objects.exists()


# --- single source ---------------------------------------------------------------------------


@pytest.fixture
def single_source_draft(cast):
    tender = ready_tender(cast, amount="3000000.00")
    Tender.objects.filter(pk=tender.pk).update(procedure=procedure("single_source"))
    return Tender.objects.get(pk=tender.pk)


def test_the_buyer_contracts_a_single_source_directly(cast, single_source_draft):
    url = f"{API}/tenders/{single_source_draft.number}/single-source-contract"
    body = {
        "supplier_bin": cast.supplier_org_a.bin,
        "price": "2500000.00",
        "justification": "The only licensed maker.",
    }

    response = post(client_of(cast.buyer), url, body)

    assert response.status_code == 201, response.content
    contract = response.json()
    assert (contract["status"], contract["price"], contract["supplier_bin"], contract["lot"]) == (
        "pending",
        "2500000.00",
        cast.supplier_org_a.bin,
        1,
    )
    awards = (
        client_of(cast.supplier_a).get(f"{API}/tenders/{single_source_draft.number}/awards").json()
    )
    assert [(a["bid"], a["status"], a["justification"], a["contract"]) for a in awards] == [
        (None, "active", "The only licensed maker.", contract["number"])
    ]
    assert (
        client_of(cast.supplier_a).get(f"{API}/contracts/{contract['number']}").status_code == 200
    )


def test_a_single_source_contract_is_refused_to_others_and_for_bad_input(cast, single_source_draft):
    url = f"{API}/tenders/{single_source_draft.number}/single-source-contract"
    body = {
        "supplier_bin": cast.supplier_org_a.bin,
        "price": "2500000.00",
        "justification": "Only maker.",
    }
    buyer = client_of(cast.buyer)
    before = Entry.objects.count()

    error_of(post(Client(), url, body), 401)
    for user in (cast.other_buyer, cast.supplier_a, cast.auditor):
        error_of(post(client_of(user), url, body), 404)
    for user in (cast.commission[0], cast.operator):
        error_of(post(client_of(user), url, body), 403)

    def fields(**changes) -> list:
        return list(error_of(post(buyer, url, body | changes), 422)["fields"])

    assert fields(supplier_bin="999999999999") == ["supplier_bin"]
    assert fields(supplier_bin="12") == ["supplier_bin"]
    assert fields(supplier_bin=cast.shady_org.bin) == ["supplier_bin"]  # blacklisted
    assert fields(price="3000000.01") == ["price"]
    assert fields(price="0") == ["price"]
    assert fields(justification="") == ["justification"]
    assert not Contract.objects.exists()
    assert Entry.objects.count() == before
    assert Tender.objects.get(pk=single_source_draft.pk).status == "draft"


def test_a_competitive_draft_is_not_contracted_directly(cast):
    tender = ready_tender(cast)
    url = f"{API}/tenders/{tender.number}/single-source-contract"
    body = {"supplier_bin": cast.supplier_org_a.bin, "price": "1.00", "justification": "Urgent."}
    error = error_of(post(client_of(cast.buyer), url, body), 422)
    assert error["code"] == "not_single_source"
    assert not Contract.objects.exists()
