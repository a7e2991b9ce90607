"""The contract pages with Django's test client: the public list, a contract's page for its
parties while unsigned and for everyone once signed, the exact bytes and the signature upload,
the winner's decline and the buyer's move to the next bidder, amendments, acceptance acts,
payments, termination, and the single-source decision. Each form is tried once as it succeeds
and once as it is refused (400, the message shown, nothing changed)."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import Entry
from awards.models import Award
from awards.results import results_bytes
from awards.services.results import publish_results
from awards.services.reviews import review_bid
from contracts.models import Contract
from contracts.services.awarding import decline_award, run_award_timers
from contracts.services.execution import accept_delivery
from contracts.services.signing import sign_contract
from tests.awards.world import award_world, draft_with_lots, fails, meets_all, sign
from tests.conftest import ROLES
from tests.pages import errors_of_field, messages_of, visitor

pytestmark = pytest.mark.django_db

NOTHING_CHANGED = "Nothing was changed: see the problems marked below."
D = Decimal


def events() -> int:
    return Entry.objects.count()


def url(name: str, *args) -> str:
    return reverse(name, args=args)


@pytest.fixture
def world(cast):
    """Results published (B wins lot 1, A lot 2, C disqualified), the standstill over and the
    two contracts drafted; `world.contract` is lot 2's, supplier A's."""
    with award_world(cast) as built:
        tender = built.tender
        review_bid(bid=built.bids["a"], actor=cast.buyer, decisions=meets_all(tender))
        review_bid(bid=built.bids["b"], actor=cast.buyer, decisions=meets_all(tender))
        review_bid(bid=built.bids["c"], actor=cast.buyer, decisions=fails(tender, 1, "No licence"))
        content = results_bytes(tender)
        publish_results(
            tender=tender,
            actor=cast.buyer,
            content_sha256=hashlib.sha256(content).hexdigest(),
            signature=sign(built.chair, content),
        )
        end = tender.awards.first().standstill_end
        run_award_timers(tender=tender, now=end + dt.timedelta(seconds=1))
        built.contract = Contract.objects.get(tender=tender, lot__number=2)
        yield built


def signed(world, cast) -> Contract:
    contract = world.contract
    for actor, signer in ((cast.supplier_a, world.signers["a"]), (cast.buyer, world.chair)):
        sign_contract(
            contract=contract, actor=actor, signature=sign(signer, bytes(contract.content))
        )
    return Contract.objects.get(pk=contract.pk)


def upload(signature: bytes) -> dict:
    return {"signature": SimpleUploadedFile("contract.json.p7s", signature)}


# --- who sees a contract -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("buyer", 200),
        ("agency_admin", 200),
        ("supplier_a", 200),
        ("auditor", 200),
        ("operator", 200),
        ("supplier_b", 404),
        ("commission", 404),
        ("other_buyer", 404),
        ("anonymous", 404),
    ],
)
def test_an_unsigned_contract_is_its_parties_and_watchers(world, cast, role, status):
    response = visitor(cast, role).get(world.contract.get_absolute_url())

    assert response.status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_a_signed_contract_is_public(world, cast, role):
    contract = signed(world, cast)

    assert visitor(cast, role).get(contract.get_absolute_url()).status_code == 200


def test_the_parties_download_the_exact_bytes_and_get_the_command(world, cast):
    contract = world.contract
    page = visitor(cast, "supplier_a").get(contract.get_absolute_url()).content.decode()

    download = visitor(cast, "supplier_a").get(url("contracts:contract-document", contract.number))

    assert download.content == bytes(contract.content)
    assert contract.sha256 in page
    assert f"python tools/tenderctl.py sign contract-{contract.number}.json" in page
    assert "Upload the signature" in page
    assert "Decline" in page


def test_the_contract_list_shows_parties_their_contracts_to_sign_and_everyone_the_signed(
    world, cast
):
    mine = visitor(cast, "supplier_a").get(url("contracts:contract-list")).content.decode()
    public = Client().get(url("contracts:contract-list")).content.decode()

    assert world.contract.number in mine
    assert world.contract.number not in public

    contract = signed(world, cast)
    public = Client().get(url("contracts:contract-list")).content.decode()
    assert contract.number in public


# --- signing and declining -------------------------------------------------------------------


def test_the_supplier_signs_by_uploading_the_signature_file_then_the_buyer(world, cast):
    contract = world.contract
    supplier = visitor(cast, "supplier_a")

    response = supplier.post(
        url("contracts:contract-sign", contract.number),
        upload(sign(world.signers["a"], bytes(contract.content))),
    )

    assert response.status_code == 302
    assert response["Location"] == contract.get_absolute_url()
    assert Contract.objects.get(pk=contract.pk).supplier_signed_at is not None
    page = supplier.get(response["Location"]).content.decode()
    assert "Your signature is on the contract." in page
    assert "Upload the signature" not in page

    response = visitor(cast, "buyer").post(
        url("contracts:contract-sign", contract.number),
        upload(sign(world.chair, bytes(contract.content))),
    )

    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == "active"
    signature = Client().get(url("contracts:contract-signature", contract.number, "supplier"))
    assert signature.content == bytes(contract.supplier_signature)


def test_a_signature_over_other_bytes_is_refused_at_the_top(world, cast):
    contract = world.contract
    before = events()

    response = visitor(cast, "supplier_a").post(
        url("contracts:contract-sign", contract.number),
        upload(sign(world.signers["a"], b"another contract")),
    )

    assert response.status_code == 400
    assert "signature" in messages_of(response.content.decode()).lower()
    assert Contract.objects.get(pk=contract.pk).supplier_signed_at is None
    assert events() == before


def test_a_signature_by_another_company_is_refused(world, cast):
    contract = world.contract

    response = visitor(cast, "supplier_a").post(
        url("contracts:contract-sign", contract.number),
        upload(sign(world.signers["b"], bytes(contract.content))),
    )

    assert response.status_code == 400
    assert Contract.objects.get(pk=contract.pk).supplier_signed_at is None


@pytest.mark.parametrize(("role", "status"), [("auditor", 403), ("supplier_b", 404)])
def test_only_the_parties_sign(world, cast, role, status):
    contract = world.contract

    response = visitor(cast, role).post(
        url("contracts:contract-sign", contract.number),
        upload(sign(world.signers["a"], bytes(contract.content))),
    )

    assert response.status_code == status


def test_the_winner_declines_and_the_buyer_moves_the_award_on_with_a_blacklist_proposal(
    world, cast
):
    contract = world.contract

    response = visitor(cast, "supplier_a").post(
        url("contracts:contract-decline", contract.number),
        {"reason": "We can no longer deliver at this price."},
    )

    assert response.status_code == 302
    assert Contract.objects.get(pk=contract.pk).status == "declined"
    buyer = visitor(cast, "buyer")
    assert "Move the award" in buyer.get(contract.get_absolute_url()).content.decode()

    response = buyer.post(
        url("contracts:award-next", contract.number),
        {"reason": "The winner declined.", "propose_blacklist": "on"},
    )

    assert response.status_code == 302
    assert response["Location"] == world.tender.get_absolute_url()
    awards = list(Award.objects.filter(lot=contract.lot).order_by("pk"))
    assert [a.supplier for a in awards] == [cast.supplier_org_a, cast.supplier_org_b]
    assert awards[0].blacklist_proposed_at is not None
    assert awards[1].status == "pending"
    page = Client().get(url("awards:results", world.tender.number)).content.decode()
    assert "proposed for the register of unreliable suppliers" in page


def test_a_decline_without_a_reason_is_refused_next_to_it(world, cast):
    contract = world.contract

    response = visitor(cast, "supplier_a").post(
        url("contracts:contract-decline", contract.number), {"reason": ""}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in errors_of_field(html, "id_decline_reason")
    assert NOTHING_CHANGED in messages_of(html)
    assert Contract.objects.get(pk=contract.pk).status == "pending"


def test_the_buyer_does_not_decline_for_the_supplier(world, cast):
    response = visitor(cast, "buyer").post(
        url("contracts:contract-decline", world.contract.number), {"reason": "No."}
    )

    assert response.status_code == 403
    assert Contract.objects.get(pk=world.contract.pk).status == "pending"


def test_moving_an_award_that_stands_is_refused_at_the_top(world, cast):
    contract = world.contract
    before = events()

    response = visitor(cast, "buyer").post(
        url("contracts:award-next", contract.number), {"reason": "Impatient."}
    )

    assert response.status_code == 400
    assert "has no award that was declined or left unsigned" in messages_of(
        response.content.decode()
    )
    assert Award.objects.filter(lot=contract.lot).count() == 1
    assert events() == before


def test_only_the_agency_moves_awards(world, cast):
    decline_award(contract=world.contract, actor=cast.supplier_a, reason="Cannot deliver.")

    response = visitor(cast, "supplier_a").post(
        url("contracts:award-next", world.contract.number), {"reason": "Move it."}
    )

    assert response.status_code == 403
    assert Award.objects.filter(lot=world.contract.lot).count() == 1


# --- life under a signed contract -----------------------------------------------------------


def test_the_buyer_amends_accepts_pays_and_the_public_sees_it(world, cast):
    contract = signed(world, cast)
    buyer = visitor(cast, "buyer")
    number = contract.number

    amend = buyer.post(
        url("contracts:contract-amend", number),
        {"new_price": "760000.00", "reason": "Smaller quantity."},
    )
    act = buyer.post(
        url("contracts:acceptance-add", number),
        {"amount": "500000.00", "description": "6,000 packs delivered"},
    )
    pay = buyer.post(
        url("contracts:payment-add", number), {"amount": "500000.00", "reference": "PO-2026-7"}
    )

    assert [r.status_code for r in (amend, act, pay)] == [302, 302, 302]
    contract.refresh_from_db()
    assert (contract.price, contract.paid_total()) == (D("760000.00"), D("500000.00"))
    public = Client().get(contract.get_absolute_url()).content.decode()
    for shown in ("Smaller quantity.", "6,000 packs delivered", "PO-2026-7", "760,000.00"):
        assert shown in public
    assert "Record the payment" not in public


def test_a_price_change_beyond_the_limit_is_refused_next_to_the_price(world, cast):
    contract = signed(world, cast)
    before = events()

    response = visitor(cast, "buyer").post(
        url("contracts:contract-amend", contract.number),
        {"new_price": "1000000.00", "reason": "More packs."},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The price may move by at most" in errors_of_field(html, "id_amend_new_price")
    assert "More packs." in html
    assert Contract.objects.get(pk=contract.pk).price == D("800000.00")
    assert events() == before


def test_an_acceptance_above_the_price_is_refused_next_to_the_amount(world, cast):
    contract = signed(world, cast)

    response = visitor(cast, "buyer").post(
        url("contracts:acceptance-add", contract.number),
        {"amount": "900000.00", "description": "Everything and more"},
    )

    assert response.status_code == 400
    assert "is not yet accepted" in errors_of_field(response.content.decode(), "id_act_amount")
    assert not contract.acceptances.exists()


def test_a_payment_above_what_was_accepted_is_refused_next_to_the_amount(world, cast):
    contract = signed(world, cast)
    accept_delivery(contract=contract, actor=cast.buyer, amount="100000.00", description="Part")
    before = events()

    response = visitor(cast, "buyer").post(
        url("contracts:payment-add", contract.number),
        {"amount": "200000.00", "reference": "PO-2026-8"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "is accepted and not yet paid" in errors_of_field(html, "id_payment_amount")
    assert NOTHING_CHANGED in messages_of(html)
    assert not contract.payments.exists()
    assert events() == before


def test_the_buyer_terminates_with_a_reason_and_not_without(world, cast):
    contract = signed(world, cast)
    buyer = visitor(cast, "buyer")

    refused = buyer.post(url("contracts:contract-terminate", contract.number), {"reason": " "})
    assert refused.status_code == 400
    assert Contract.objects.get(pk=contract.pk).status == "active"

    done = buyer.post(
        url("contracts:contract-terminate", contract.number), {"reason": "Supplier bankrupt."}
    )
    assert done.status_code == 302
    assert Contract.objects.get(pk=contract.pk).status == "terminated"


def test_managing_an_unsigned_contract_is_refused_at_the_top(world, cast):
    response = visitor(cast, "buyer").post(
        url("contracts:acceptance-add", world.contract.number),
        {"amount": "1.00", "description": "Early"},
    )

    assert response.status_code == 400
    assert "is possible only under a contract in force" in messages_of(response.content.decode())


@pytest.mark.parametrize(
    "route", ["contracts:contract-amend", "contracts:payment-add", "contracts:contract-terminate"]
)
def test_the_supplier_does_not_manage_the_contract(world, cast, route):
    contract = signed(world, cast)

    response = visitor(cast, "supplier_a").post(
        url(route, contract.number),
        {"new_price": "790000.00", "amount": "1.00", "reference": "x", "reason": "x"},
    )

    assert response.status_code == 403
    assert Contract.objects.get(pk=contract.pk).price == D("800000.00")


# --- single source ---------------------------------------------------------------------------


@pytest.fixture
def single_source_draft(cast):
    return draft_with_lots(cast, procedure_code="single_source", lots={"1": "3000000.00"})


def test_the_buyer_contracts_directly_from_a_single_source(cast, single_source_draft):
    tender = single_source_draft
    page = visitor(cast, "buyer").get(url("awards:requirements", tender.number)).content.decode()
    assert "Contract directly from a single source" in page

    response = visitor(cast, "buyer").post(
        url("contracts:single-source", tender.number),
        {
            "supplier": cast.supplier_org_a.bin,
            "price": "2500000.00",
            "justification": "The only registered manufacturer (article 16).",
        },
    )

    assert response.status_code == 302
    contract = Contract.objects.get(tender=tender)
    assert response["Location"] == contract.get_absolute_url()
    assert (contract.supplier, contract.price) == (cast.supplier_org_a, D("2500000.00"))
    page = visitor(cast, "supplier_a").get(contract.get_absolute_url()).content.decode()
    assert "The only registered manufacturer (article 16)." in page


@pytest.mark.parametrize(
    ("supplier", "price", "field", "message"),
    [
        ("000000000000", "100.00", "id_single_supplier", "No supplier with BIN 000000000000"),
        (None, "3000000.01", "id_single_price", "The price is above the lot"),
        ("shady", "100.00", "id_single_supplier", "register of unreliable suppliers"),
    ],
)
def test_a_single_source_decision_is_refused_next_to_its_field(
    cast, single_source_draft, supplier, price, field, message
):
    tender = single_source_draft
    bin_ = {None: cast.supplier_org_a.bin, "shady": cast.shady_org.bin}.get(supplier, supplier)
    before = events()

    response = visitor(cast, "buyer").post(
        url("contracts:single-source", tender.number),
        {"supplier": bin_, "price": price, "justification": "Sole manufacturer."},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert message in errors_of_field(html, field)
    assert NOTHING_CHANGED in messages_of(html)
    assert "Sole manufacturer." in html
    assert not Contract.objects.exists()
    assert events() == before


@pytest.mark.parametrize(("role", "status"), [("commission", 403), ("other_buyer", 404)])
def test_only_the_agencys_buyers_contract_directly(cast, single_source_draft, role, status):
    response = visitor(cast, role).post(
        url("contracts:single-source", single_source_draft.number),
        {"supplier": cast.supplier_org_a.bin, "price": "100.00", "justification": "Sole."},
    )

    assert response.status_code == status
    assert not Contract.objects.exists()
