"""A single-source purchase goes from the buyer's justified decision straight to a contract:
the lot's money is reserved, the award is active at once, and both sides sign."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from awards.models import Award
from awards.services.requirements import set_contract_terms
from contracts.services.awarding import award_next_bidder
from contracts.services.signing import sign_contract
from contracts.services.single_source import contract_directly
from procurement.clock import tick
from procurement.models import Lot, Notice, Tender
from tests.awards.world import (
    at,
    balances,
    events_since,
    fresh,
    log_size,
    on_a_monday,
    sign,
    signer_for,
    state,
    trusted_ca,
)
from tests.factories import SupplierFactory
from tests.procurement.factories import approved_item, procedure, ready_tender

pytestmark = pytest.mark.django_db

D = Decimal
LINE = D("10000000.00")
AMOUNT = D("3000000.00")
JUSTIFICATION = "The only registered holder of the patent for this insulin."
# Decided on Monday 2 February 2026: signed within five working days, by Monday 9 February,
# 18:00 in Almaty.
SIGN_BY = dt.datetime(2026, 2, 9, 13, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _monday():
    with on_a_monday():
        yield


@pytest.fixture
def draft(cast):
    tender = ready_tender(cast, amount=str(AMOUNT))
    Tender.objects.filter(pk=tender.pk).update(procedure=procedure("single_source"))
    set_contract_terms(tender=tender, actor=cast.buyer, terms="Delivery within 10 days.")
    return Tender.objects.get(pk=tender.pk)


def directly(tender, cast, **kw):
    kw = {
        "supplier": cast.supplier_org_a,
        "price": "2950000.00",
        "justification": JUSTIFICATION,
        **kw,
    }
    return contract_directly(tender=tender, actor=kw.pop("actor", cast.buyer), **kw)


def test_the_buyer_contracts_a_single_source_directly(cast, draft):
    before = log_size()
    contract = directly(draft, cast)

    tender = fresh(draft)
    assert (tender.status, tender.version_number, tender.timer_at) == ("contracting", 1, SIGN_BY)
    assert tender.published_at is not None
    lot = tender.lots.get()
    assert balances(lot) == (AMOUNT, 0, 0, LINE - AMOUNT)
    award = Award.objects.get(tender=tender)
    assert (award.status, award.bid, award.protocol, award.rank) == ("active", None, None, 1)
    assert (award.supplier, award.price, award.justification) == (
        cast.supplier_org_a,
        D("2950000.00"),
        JUSTIFICATION,
    )
    contract = fresh(contract)
    assert (contract.status, contract.award, contract.price, contract.sign_deadline) == (
        "pending",
        award,
        D("2950000.00"),
        SIGN_BY,
    )
    document = json.loads(bytes(contract.content))
    assert document["award"] == {"bid": None, "results_protocol_sha256": None}
    assert document["terms"] == "Delivery within 10 days."
    assert document["tender_version"] == tender.version_hash
    assert Notice.objects.filter(tender=tender, kind="contract", supplier=cast.supplier_org_a)
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "contracts.contract.single_source",
        cast.buyer.pk,
        "contracts.contract",
        str(contract.pk),
    )
    assert event.data == {
        "tender": tender.number,
        "number": contract.number,
        "supplier": cast.supplier_org_a.bin,
        "price": "2950000.00",
        "lot_amount": "3000000.00",
        "justification_sha256": hashlib.sha256(JUSTIFICATION.encode()).hexdigest(),
        "version_sha256": tender.version_hash,
    }


def test_signed_by_both_the_price_is_obligated_and_the_tender_complete(cast, draft):
    with trusted_ca() as ca:
        supplier = signer_for(ca, cast.supplier_org_a, cast.supplier_a)
        buyer = signer_for(ca, cast.agency, cast.buyer)
        contract = directly(draft, cast)
        content = bytes(contract.content)
        sign_contract(contract=contract, actor=cast.supplier_a, signature=sign(supplier, content))
        sign_contract(contract=contract, actor=cast.buyer, signature=sign(buyer, content))

    assert fresh(contract).status == "active"
    tender = fresh(draft)
    assert tender.status == "complete"
    assert balances(tender.lots.get()) == (0, D("2950000.00"), 0, LINE - D("2950000.00"))


def test_an_unsigned_single_source_contract_lapses_and_the_purchase_fails(cast, draft):
    contract = directly(draft, cast)
    with at(SIGN_BY):
        tick()
        assert fresh(contract).status == "lapsed"
        # No other bidder exists: the lot fails and its money goes back.
        assert award_next_bidder(lot=draft.lots.get(), actor=cast.buyer, reason="Lapsed") is None
    tender = fresh(draft)
    assert tender.status == "unsuccessful"
    assert balances(tender.lots.get()) == (0, 0, 0, LINE)


# --- refusals ----------------------------------------------------------------------------------


def test_refuses_a_competitive_procedure(cast, draft):
    Tender.objects.filter(pk=draft.pk).update(procedure=procedure("open_tender"))
    before = state(draft)
    with pytest.raises(ValidationError) as refused:
        directly(fresh(draft), cast)
    assert refused.value.code == "not_single_source"
    assert state(draft) == before


def test_refuses_a_draft_with_more_than_one_lot(cast, draft):
    item = approved_item(cast.agency)
    Lot.objects.create(
        tender=draft, number=2, title="x", amount=D("100.00"), budget_line=item.budget_line
    )
    before = state(draft)
    with pytest.raises(ValidationError) as refused:
        directly(draft, cast)
    assert refused.value.code == "lots"
    assert (
        refused.value.message == "A single-source purchase has exactly one lot; this draft has 2."
    )
    assert state(draft) == before


def test_refuses_a_price_above_the_lots_amount(cast, draft):
    before = state(draft)
    with pytest.raises(ValidationError) as refused:
        directly(draft, cast, price="3000000.01")
    assert refused.value.message_dict == {
        "price": ["The price is above the lot's amount, 3,000,000.00 KZT."]
    }
    assert state(draft) == before


@pytest.mark.parametrize("which", ["blacklisted", "unverified", "agency"])
def test_refuses_a_supplier_that_may_not_be_contracted(cast, draft, which):
    supplier = {
        "blacklisted": cast.shady_org,
        "unverified": SupplierFactory(status="pending"),
        "agency": cast.other_agency,
    }[which]
    before = state(draft)
    with pytest.raises(ValidationError) as refused:
        directly(draft, cast, supplier=supplier)
    assert list(refused.value.message_dict) == ["supplier"]
    assert state(draft) == before


@pytest.mark.parametrize("who", ["commission", "other_buyer", "supplier_a", "outsider"])
def test_only_the_agencys_buyers_contract_directly(cast, draft, who):
    actor = cast.commission[0] if who == "commission" else getattr(cast, who)
    before = state(draft)
    with pytest.raises(PermissionDenied):
        directly(draft, cast, actor=actor)
    assert state(draft) == before


def test_refuses_a_tender_that_is_no_longer_a_draft(cast, draft):
    directly(draft, cast)
    before = state(draft)
    with pytest.raises(ValidationError, match="Contracting from a single source is not possible"):
        directly(draft, cast, supplier=cast.supplier_org_b)
    assert state(draft) == before


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"justification": " "}, {"justification": ["Justify buying from a single source."]}),
        ({"price": "0"}, {"price": ["Give an amount above zero with at most two decimals."]}),
        ({"price": "1.234"}, {"price": ["Give an amount above zero with at most two decimals."]}),
    ],
)
def test_refuses_a_decision_without_justification_or_price(cast, draft, fields, errors):
    before = state(draft)
    with pytest.raises(ValidationError) as refused:
        directly(draft, cast, **fields)
    assert refused.value.message_dict == errors
    assert state(draft) == before
