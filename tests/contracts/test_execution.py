"""Life under a signed contract: price amendments within the procedure's limit (10% in an open
tender) move the obligation; acceptance acts record deliveries up to the price; payments pay
only what was accepted and not yet paid; a contract paid in full is fulfilled; termination
frees what is obligated and unpaid."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import Acceptance, ContractAmendment, Payment
from contracts.services.execution import (
    accept_delivery,
    amend_contract,
    record_payment,
    terminate_contract,
)
from procurement.models import BudgetEntry, BudgetLine
from tests.awards.world import (
    award_world,
    balances,
    events_since,
    fresh,
    log_size,
    on_a_monday,
    signed,
    state,
    to_contracting,
)

pytestmark = pytest.mark.django_db

D = Decimal
LINE = D("10000000.00")
PRICE = D("2800000.00")  # B's contract for lot 1 (the lot's amount is 3,000,000.00)


@pytest.fixture(autouse=True)
def clock():
    with on_a_monday() as traveller:
        yield traveller


@pytest.fixture
def world(cast, clock):
    with award_world(cast) as world:
        contracts = to_contracting(world, cast, clock, disqualified=("c",))
        world.contract = signed(world, cast, contracts[1])
        world.pending = contracts[2]  # A's, not yet signed
        yield world


@pytest.fixture
def contract(world):
    return world.contract


def amend(contract, cast, new_price, reason="Exchange rate of the active ingredient"):
    return amend_contract(contract=contract, actor=cast.buyer, new_price=new_price, reason=reason)


def accept(contract, cast, amount, description="Packs delivered to the pharmacy"):
    return accept_delivery(
        contract=contract, actor=cast.buyer, amount=amount, description=description
    )


def pay(contract, cast, amount, reference="PO-2026-0042"):
    return record_payment(contract=contract, actor=cast.buyer, amount=amount, reference=reference)


def contract_entries(contract) -> list[tuple]:
    return list(
        BudgetEntry.objects.filter(
            reference_type="contracts.contract", reference_id=str(contract.pk)
        )
        .order_by("pk")
        .values_list("kind", "amount")
    )


def test_the_signed_contract_obligates_its_price(contract):
    assert (contract.status, contract.price, contract.original_price) == ("active", PRICE, PRICE)
    assert balances(contract.lot) == (0, PRICE, 0, LINE - PRICE)


# --- amendments --------------------------------------------------------------------------------


def test_a_rise_within_the_limit_reserves_and_obligates_the_difference(cast, contract):
    before = log_size()
    amendment = amend(contract, cast, "3080000.00")  # +10%, the most the law allows

    assert (amendment.number, amendment.old_price, amendment.new_price, amendment.made_by) == (
        1,
        PRICE,
        D("3080000.00"),
        cast.buyer,
    )
    contract = fresh(contract)
    assert (contract.price, contract.original_price) == (D("3080000.00"), PRICE)
    assert balances(contract.lot) == (0, D("3080000.00"), 0, LINE - D("3080000.00"))
    assert contract_entries(contract) == [("reserve", D("280000.00")), ("obligate", D("280000.00"))]
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "contracts.contract.amended",
        cast.buyer.pk,
        "contracts.contract",
        str(contract.pk),
    )
    assert event.data == {
        "number": contract.number,
        "amendment": 1,
        "old_price": "2800000.00",
        "new_price": "3080000.00",
        "reason": "Exchange rate of the active ingredient",
    }


def test_a_cut_within_the_limit_frees_the_difference(cast, contract):
    amend(contract, cast, "2520000.00")  # -10%
    assert balances(contract.lot) == (0, D("2520000.00"), 0, LINE - D("2520000.00"))
    assert contract_entries(contract) == [("deobligate", D("280000.00"))]


def test_the_limit_is_counted_from_the_price_at_signature(cast, contract):
    amend(contract, cast, "3000000.00")
    second = amend(contract, cast, "2520000.00", reason="Smaller quantity")
    assert (second.number, second.old_price) == (2, D("3000000.00"))
    assert balances(contract.lot) == (0, D("2520000.00"), 0, LINE - D("2520000.00"))
    assert contract_entries(contract) == [
        ("reserve", D("200000.00")),
        ("obligate", D("200000.00")),
        ("deobligate", D("480000.00")),
    ]


@pytest.mark.parametrize("new_price", ["3080000.01", "2519999.99", "5000000.00"])
def test_refuses_a_change_beyond_the_limit_with_the_figures(cast, world, contract, new_price):
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        amend(contract, cast, new_price)
    assert refused.value.message_dict == {
        "new_price": [
            "The price may move by at most 10.00% of 2,800,000.00 KZT, that is 280,000.00, to "
            "between 2,520,000.00 and 3,080,000.00."
        ]
    }
    assert state(world.tender) == before


def test_refuses_a_price_below_what_was_accepted_or_paid(cast, world, contract):
    accept(contract, cast, "2600000.00")
    pay(contract, cast, "2550000.00")
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        amend(contract, cast, "2550000.00")
    assert refused.value.message_dict == {
        "new_price": ["The price cannot go below what was already accepted or paid, 2,600,000.00."]
    }
    assert state(world.tender) == before
    amend(contract, cast, "2600000.00")  # down to what was accepted is allowed
    assert balances(contract.lot) == (0, D("50000.00"), D("2550000.00"), LINE - D("2600000.00"))


def test_refuses_the_price_already_in_force(cast, world, contract):
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        amend(contract, cast, "2800000.00")
    assert refused.value.message_dict == {"new_price": ["This is the price already in force."]}
    assert state(world.tender) == before


def test_refuses_a_rise_the_budget_line_cannot_cover(cast, world, contract):
    # The line was cut to leave 100,000.00 available.
    BudgetLine.objects.filter(pk=contract.lot.budget_line_id).update(
        approved_amount=PRICE + D("100000.00")
    )
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        amend(contract, cast, "3000000.00")
    assert refused.value.code == "budget_shortfall"
    assert "lacks 100,000.00 KZT: available 100,000.00, needed 200,000.00" in refused.value.message
    assert state(world.tender) == before


@pytest.mark.parametrize("value", ["0", "-1", "1.001", "abc", "NaN", "Infinity", None])
def test_refuses_a_malformed_amount(cast, world, contract, value):
    before = state(world.tender)
    for call, field in (
        (lambda: amend(contract, cast, value), "new_price"),
        (lambda: accept(contract, cast, value), "amount"),
        (lambda: pay(contract, cast, value), "amount"),
    ):
        with pytest.raises(ValidationError) as refused:
            call()
        assert refused.value.message_dict == {
            field: ["Give an amount above zero with at most two decimals."]
        }
    assert state(world.tender) == before


def test_refuses_an_amendment_without_a_reason(cast, world, contract):
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        amend(contract, cast, "2900000.00", reason=" ")
    assert refused.value.message_dict == {"reason": ["Say why the price changes."]}
    assert state(world.tender) == before


# --- acceptance acts ---------------------------------------------------------------------------


def test_acceptance_acts_record_deliveries_up_to_the_price(cast, world, contract):
    before = log_size()
    first = accept(contract, cast, "2000000.00", description="  First half  ")
    second = accept(contract, cast, "800000.00")

    assert [(a.number, a.amount, a.status) for a in (first, second)] == [
        (1, D("2000000.00"), "accepted"),
        (2, D("800000.00"), "accepted"),
    ]
    assert fresh(first).description == "First half"
    one, _two = events_since(before)
    assert (one.action, one.actor_id, one.subject_type, one.subject_id) == (
        "contracts.acceptance.recorded",
        cast.buyer.pk,
        "contracts.acceptance",
        str(first.pk),
    )
    assert one.data == {"contract": contract.number, "act": 1, "amount": "2000000.00"}
    # Accepting moves no money.
    assert balances(contract.lot) == (0, PRICE, 0, LINE - PRICE)

    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        accept(contract, cast, "0.01")
    assert refused.value.message_dict == {
        "amount": ["Only 0.00 KZT of the contract's price is not yet accepted."]
    }
    assert state(world.tender) == before


def test_refuses_an_act_above_what_is_left_of_the_price(cast, world, contract):
    accept(contract, cast, "2000000.00")
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        accept(contract, cast, "800000.01")
    assert refused.value.message_dict == {
        "amount": ["Only 800,000.00 KZT of the contract's price is not yet accepted."]
    }
    assert state(world.tender) == before


def test_refuses_an_act_without_a_description(cast, world, contract):
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        accept(contract, cast, "100.00", description="")
    assert refused.value.message_dict == {"description": ["Say what was delivered."]}
    assert state(world.tender) == before


# --- payments ----------------------------------------------------------------------------------


def test_payments_pay_what_was_accepted_and_not_yet_paid(cast, world, contract):
    act = accept(contract, cast, "1000000.00")
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        pay(contract, cast, "1000000.01")
    assert refused.value.message_dict == {
        "amount": [
            "Only 1,000,000.00 KZT is accepted and not yet paid; record the acceptance act "
            "before paying for a delivery."
        ]
    }
    assert state(world.tender) == before

    log = log_size()
    first = pay(contract, cast, "600000.00", reference="  PO-1 ")
    assert (first.number, first.amount, first.reference, first.paid_by) == (
        1,
        D("600000.00"),
        "PO-1",
        cast.buyer,
    )
    assert fresh(act).status == "accepted"  # not yet covered in full
    assert balances(contract.lot) == (0, PRICE - D("600000.00"), D("600000.00"), LINE - PRICE)
    assert contract_entries(contract) == [("pay", D("600000.00"))]
    [event] = events_since(log)
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "contracts.payment.recorded",
        cast.buyer.pk,
        "contracts.payment",
        str(first.pk),
    )
    assert event.data == {
        "contract": contract.number,
        "payment": 1,
        "amount": "600000.00",
        "reference": "PO-1",
        "fulfilled": False,
    }

    second = pay(contract, cast, "400000.00", reference="PO-2")
    assert second.number == 2
    assert fresh(act).status == "paid"
    assert balances(contract.lot) == (0, D("1800000.00"), D("1000000.00"), LINE - PRICE)
    assert fresh(contract).status == "active"

    before = state(world.tender)
    with pytest.raises(ValidationError, match=r"Only 0\.00 KZT is accepted and not yet paid"):
        pay(contract, cast, "0.01")
    assert state(world.tender) == before


def test_payments_cover_the_oldest_acts_first(cast, contract):
    first = accept(contract, cast, "500000.00")
    second = accept(contract, cast, "500000.00")
    pay(contract, cast, "700000.00")
    assert (fresh(first).status, fresh(second).status) == ("paid", "accepted")
    pay(contract, cast, "300000.00")
    assert fresh(second).status == "paid"


def test_a_contract_paid_in_full_is_fulfilled(cast, world, contract):
    accept(contract, cast, "2800000.00")
    before = log_size()
    pay(contract, cast, "2800000.00")

    contract = fresh(contract)
    assert (contract.status, contract.ended_at is not None) == ("completed", True)
    assert balances(contract.lot) == (0, 0, PRICE, LINE - PRICE)
    [event] = events_since(before)
    assert event.data["fulfilled"] is True

    before = state(world.tender)
    with pytest.raises(ValidationError, match="Paying is possible only under a contract in force"):
        pay(contract, cast, "0.01")
    with pytest.raises(ValidationError, match="Terminating is possible only under a contract in"):
        terminate_contract(contract=contract, actor=cast.buyer, reason="Too late")
    assert state(world.tender) == before


def test_a_contract_amended_down_is_fulfilled_at_its_new_price(cast, contract):
    amend(contract, cast, "2600000.00")
    accept(contract, cast, "2600000.00")
    pay(contract, cast, "2600000.00")
    assert fresh(contract).status == "completed"
    assert balances(contract.lot) == (0, 0, D("2600000.00"), LINE - D("2600000.00"))


def test_refuses_a_payment_without_its_order_number(cast, world, contract):
    accept(contract, cast, "100.00")
    before = state(world.tender)
    for reference, message in (
        ("", "Give the payment order's number."),
        ("x" * 101, "Keep this to 100 characters or fewer."),
    ):
        with pytest.raises(ValidationError) as refused:
            pay(contract, cast, "100.00", reference=reference)
        assert refused.value.message_dict == {"reference": [message]}
    assert state(world.tender) == before


# --- termination -------------------------------------------------------------------------------


def test_termination_frees_the_unpaid_obligation(cast, world, contract):
    accept(contract, cast, "1000000.00")
    pay(contract, cast, "1000000.00")
    before = log_size()
    terminated = terminate_contract(
        contract=contract, actor=cast.buyer, reason="  Supplier stopped deliveries. "
    )

    terminated = fresh(terminated)
    assert (terminated.status, terminated.end_reason) == (
        "terminated",
        "Supplier stopped deliveries.",
    )
    assert balances(contract.lot) == (0, 0, D("1000000.00"), LINE - D("1000000.00"))
    assert contract_entries(contract)[-1] == ("deobligate", D("1800000.00"))
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "contracts.contract.terminated",
        cast.buyer.pk,
        "contracts.contract",
        str(contract.pk),
    )
    assert event.data == {
        "number": contract.number,
        "reason": "Supplier stopped deliveries.",
        "freed": "1800000.00",
    }


def test_a_terminated_contract_refuses_payments_acts_and_amendments(cast, world, contract):
    accept(contract, cast, "1000000.00")
    terminate_contract(contract=contract, actor=cast.buyer, reason="Breach")
    assert balances(contract.lot) == (0, 0, 0, LINE)
    before = state(world.tender)
    for call, doing in (
        (lambda: pay(contract, cast, "1000000.00"), "Paying"),
        (lambda: accept(contract, cast, "1.00"), "Accepting deliveries"),
        (lambda: amend(contract, cast, "2900000.00"), "Amending"),
        (lambda: terminate_contract(contract=contract, actor=cast.buyer, reason="x"), "Termin"),
    ):
        with pytest.raises(ValidationError, match=f"{doing}.* is possible only under a contract"):
            call()
    assert state(world.tender) == before


def test_a_contract_not_yet_signed_refuses_execution(cast, world):
    pending = world.pending
    before = state(world.tender)
    for call in (
        lambda: accept(pending, cast, "1.00"),
        lambda: pay(pending, cast, "1.00"),
        lambda: amend(pending, cast, "810000.00"),
        lambda: terminate_contract(contract=pending, actor=cast.buyer, reason="x"),
    ):
        with pytest.raises(ValidationError) as refused:
            call()
        assert refused.value.code == "invalid_status"
    assert state(world.tender) == before


@pytest.mark.parametrize("who", ["supplier_b", "commission", "other_buyer", "auditor"])
def test_only_the_buyers_side_manages_the_contract(cast, world, contract, who):
    actor = cast.commission[0] if who == "commission" else getattr(cast, who)
    accept(contract, cast, "1000.00")
    before = state(world.tender)
    for call in (
        lambda: amend_contract(contract=contract, actor=actor, new_price="2900000.00", reason="x"),
        lambda: accept_delivery(contract=contract, actor=actor, amount="1.00", description="x"),
        lambda: record_payment(contract=contract, actor=actor, amount="1.00", reference="x"),
        lambda: terminate_contract(contract=contract, actor=actor, reason="x"),
    ):
        with pytest.raises(PermissionDenied, match="Only the buyer's agency manages"):
            call()
    assert state(world.tender) == before
    assert (
        ContractAmendment.objects.count(),
        Acceptance.objects.count(),
        Payment.objects.count(),
    ) == (0, 1, 0)
