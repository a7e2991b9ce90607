"""When the winner does not sign in time or declines, the buyer moves the lot's award to the
next-ranked qualified bid (with a standstill of its own) and may propose the evader for the
register of unreliable suppliers; with no bid left the lot fails and its money goes back."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from awards.models import Award
from awards.services.complaints import decide_complaint, file_complaint
from contracts.models import Contract
from contracts.services.awarding import award_next_bidder, decline_award, run_award_timers
from procurement.clock import tick
from tests.awards.world import (
    at,
    award_world,
    balances,
    contract_for,
    events_since,
    fresh,
    log_size,
    on_a_monday,
    publish,
    review_all,
    sign_as_supplier,
    signed,
    state,
    to_contracting,
)

pytestmark = pytest.mark.django_db

D = Decimal
LINE = D("10000000.00")
SECOND = dt.timedelta(seconds=1)
# Contracts drafted at the end of standstill (Thursday 5 February 2026, 18:00 in Almaty) are
# signed by Thursday 12 February, 18:00; an award moved on that Thursday evening waits out a
# new standstill of three working days, to Tuesday 10 February, 18:00.
SIGN_BY = dt.datetime(2026, 2, 12, 13, 0, tzinfo=dt.UTC)
NEW_STANDSTILL_END = dt.datetime(2026, 2, 10, 13, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with on_a_monday() as traveller:
        yield traveller


@pytest.fixture
def world(cast, clock):
    """Contracts drafted: lot 1 to B at 2,800,000.00 (A ranked second at 2,900,000.00), lot 2
    to A at 800,000.00 (B second at 900,000.00). C is disqualified."""
    with award_world(cast) as world:
        world.contracts = to_contracting(world, cast, clock, disqualified=("c",))
        yield world


def decline(world, cast, lot_number=1, reason="  We cannot deliver by the date. "):
    contract = contract_for(world.tender, lot_number)
    key = "b" if contract.supplier == cast.supplier_org_b else "a"
    return decline_award(contract=contract, actor=world.people[key][1], reason=reason)


def move(world, cast, lot_number=1, **kw):
    kw.setdefault("reason", "The winner declined.")
    lot = world.tender.lots.get(number=lot_number)
    return award_next_bidder(lot=lot, actor=cast.buyer, **kw)


# --- the clock lapses unsigned contracts -------------------------------------------------------


def test_the_clock_leaves_the_contract_one_second_before_the_deadline(cast, world):
    before = state(world.tender)
    with at(SIGN_BY - SECOND):
        tick()
    assert state(world.tender) == before


def test_the_clock_lapses_an_unsigned_contract_at_its_deadline(cast, world):
    signed(world, cast, world.contracts[2])  # A signed lot 2 in time
    before = log_size()
    with at(SIGN_BY):
        tick()

    contract = fresh(world.contracts[1])
    assert (contract.status, contract.ended_at) == ("lapsed", SIGN_BY)
    assert "not signed by the supplier by 12.02.2026 18:00" in contract.end_reason
    assert fresh(contract.award).status == "lapsed"
    assert fresh(world.contracts[2]).status == "active"
    tender = fresh(world.tender)
    assert (tender.status, tender.timer_at, tender.next_check) == ("contracting", None, None)
    # The lot's money stays reserved for the next bidder.
    assert balances(contract.lot) == (D("3000000.00"), 0, 0, LINE - D("3000000.00"))
    [event] = [e for e in events_since(before) if e.action.startswith("awards.")]
    assert (event.action, event.actor_id, event.subject_id) == (
        "awards.award.timers_run",
        None,
        str(tender.pk),
    )
    assert event.data == {"activated": [], "lapsed": [contract.number], "status": "contracting"}


def test_a_contract_the_supplier_signed_does_not_lapse(cast, world):
    sign_as_supplier(world, world.contracts[1])
    with at(SIGN_BY + dt.timedelta(days=1)):
        tick()
    assert fresh(world.contracts[1]).status == "pending"  # the buyer still signs it
    assert fresh(world.contracts[2]).status == "lapsed"


def test_the_award_timers_with_nothing_due_change_nothing(cast, world):
    before = state(world.tender)
    assert run_award_timers(tender=world.tender, now=SIGN_BY - SECOND) is None
    assert state(world.tender) == before


# --- the winner declines -----------------------------------------------------------------------


def test_the_winner_declines(cast, world):
    before = log_size()
    contract = decline(world, cast)

    contract = fresh(contract)
    assert (contract.status, contract.end_reason) == ("declined", "We cannot deliver by the date.")
    award = fresh(contract.award)
    assert (award.status, award.end_reason) == ("declined", "We cannot deliver by the date.")
    assert fresh(world.tender).status == "contracting"
    assert balances(contract.lot) == (D("3000000.00"), 0, 0, LINE - D("3000000.00"))
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "contracts.contract.declined",
        cast.supplier_b.pk,
        "contracts.contract",
        str(contract.pk),
    )
    assert event.data == {
        "tender": world.tender.number,
        "number": contract.number,
        "reason": "We cannot deliver by the date.",
        "status": "contracting",
    }


@pytest.mark.parametrize("who", ["buyer", "supplier_a", "outsider"])
def test_only_the_winner_declines(cast, world, who):
    before = state(world.tender)
    with pytest.raises(PermissionDenied, match="Only the winning supplier declines"):
        decline_award(contract=world.contracts[1], actor=getattr(cast, who), reason="No.")
    assert state(world.tender) == before


def test_refuses_to_decline_a_signed_contract(cast, world):
    signed(world, cast, world.contracts[1])
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        decline(world, cast)
    assert refused.value.code == "invalid_status"
    assert state(world.tender) == before


def test_refuses_to_decline_without_a_reason(cast, world):
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        decline(world, cast, reason=" ")
    assert refused.value.message_dict == {"reason": ["Say why you decline the contract."]}
    assert state(world.tender) == before


# --- moving the award on -----------------------------------------------------------------------


def test_the_award_moves_to_the_next_ranked_bid_with_a_new_standstill(cast, world):
    decline(world, cast)
    before = log_size()
    award = move(world, cast)

    award = fresh(award)
    assert (award.supplier, award.bid, award.rank, award.price, award.status) == (
        cast.supplier_org_a,
        world.bids["a"],
        2,
        D("2900000.00"),
        "pending",
    )
    assert award.standstill_end == NEW_STANDSTILL_END
    tender = fresh(world.tender)
    assert (tender.status, tender.timer_at) == ("standstill", NEW_STANDSTILL_END)
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_type) == (
        "awards.award.moved_to_next",
        cast.buyer.pk,
        "procurement.lot",
    )
    assert event.data == {
        "tender": tender.number,
        "lot": 1,
        "from": cast.supplier_org_b.bin,
        "from_status": "declined",
        "to": cast.supplier_org_a.bin,
        "price": "2900000.00",
        "reason": "The winner declined.",
        "blacklist_proposed": False,
        "status": "standstill",
    }

    # After its own standstill A's contract is drafted; signed, it obligates A's price.
    with at(NEW_STANDSTILL_END):
        tick()
    contract = contract_for(world.tender, 1)
    assert (contract.award, contract.price, contract.number.endswith("-1-2")) == (
        award,
        D("2900000.00"),
        True,
    )
    signed(world, cast, contract)
    assert balances(contract.lot) == (0, D("2900000.00"), 0, LINE - D("2900000.00"))


def test_the_buyer_proposes_the_evader_for_the_blacklist(cast, world, clock):
    clock.move_to(SIGN_BY)
    tick()
    before = log_size()
    move(world, cast, reason="B let the period pass.", propose_blacklist=True)

    evader = Award.objects.get(lot__number=1, status="lapsed")
    assert evader.supplier == cast.supplier_org_b
    assert evader.blacklist_proposed_at is not None
    [event] = events_since(before)
    assert (event.data["from_status"], event.data["blacklist_proposed"]) == ("lapsed", True)


def test_with_no_bid_left_the_lot_fails_and_its_money_goes_back(cast, world):
    signed(world, cast, world.contracts[1])
    decline(world, cast, lot_number=2)  # A declines lot 2; B is next
    move(world, cast, lot_number=2)
    with at(NEW_STANDSTILL_END):
        tick()
    decline(world, cast, lot_number=2)  # B declines too
    lot2 = world.tender.lots.get(number=2)
    before = log_size()
    assert move(world, cast, lot_number=2) is None

    assert fresh(lot2).status == "unsuccessful"
    assert balances(lot2) == (0, 0, 0, LINE)
    [release] = lot2.budget_line.entries.filter(kind="release")
    assert release.amount == D("1000000.00")
    tender = fresh(world.tender)
    assert (tender.status, tender.timer_at) == ("complete", None)  # lot 1 is signed
    [event] = events_since(before)
    assert (event.data["to"], event.data["price"], event.data["status"]) == (
        None,
        None,
        "complete",
    )


def test_when_the_last_lot_fails_the_tender_is_unsuccessful(cast, clock):
    # Only A bids, on lot 1 only: lot 2 fails at publication, lot 1 when A declines.
    with award_world(cast, prices={"a": {"1": "2900000.00"}}) as world:
        to_contracting(world, cast, clock)
        decline(world, cast)
        assert move(world, cast) is None
        tender = fresh(world.tender)
        assert (tender.status, tender.timer_at) == ("unsuccessful", None)
        for lot in tender.lots.all():
            assert (lot.status, balances(lot)) == ("unsuccessful", (0, 0, 0, LINE))


def test_a_bidder_whose_award_fell_with_set_aside_results_is_still_next_in_line(cast, clock):
    with award_world(cast) as world:
        review_all(world, cast, disqualified=("c",))
        publish(world, cast)  # B proposed for lot 1
        complaint = file_complaint(
            tender=world.tender,
            actor=world.user_c,
            complainant=world.org_c,
            kind="results",
            text="Our licence was valid.",
        )
        decide_complaint(complaint=complaint, actor=cast.reviewer, satisfied=True, decision="Yes")
        # Revision 2: C, B, A on lot 1. C wins and declines: B is next, though its first award
        # was cancelled with revision 1.
        to_contracting(world, cast, clock)
        assert contract_for(world.tender, 1).supplier == world.org_c
        decline_award(contract=contract_for(world.tender, 1), actor=world.user_c, reason="No.")
        award = move(world, cast)
        assert (award.supplier, award.rank) == (cast.supplier_org_b, 2)


# --- refusals ----------------------------------------------------------------------------------


def test_refuses_to_move_an_award_that_stands(cast, world):
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        move(world, cast)
    assert refused.value.code == "nothing_to_move"
    assert state(world.tender) == before


def test_refuses_to_move_an_award_twice(cast, world):
    decline(world, cast)
    move(world, cast)
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        move(world, cast)
    assert refused.value.code == "nothing_to_move"
    assert state(world.tender) == before


@pytest.mark.parametrize("who", ["commission", "supplier_a", "other_buyer", "outsider"])
def test_only_the_agencys_buyers_move_awards(cast, world, who):
    decline(world, cast)
    actor = cast.commission[0] if who == "commission" else getattr(cast, who)
    before = state(world.tender)
    with pytest.raises(PermissionDenied):
        award_next_bidder(lot=world.tender.lots.get(number=1), actor=actor, reason="Declined.")
    assert state(world.tender) == before


def test_refuses_to_move_an_award_without_a_reason(cast, world):
    decline(world, cast)
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        move(world, cast, reason="")
    assert refused.value.message_dict == {"reason": ["Say why the award moves on."]}
    assert state(world.tender) == before


def test_refuses_to_move_an_award_of_a_finished_tender(cast, world):
    decline(world, cast, lot_number=2)
    for number in (1,):
        signed(world, cast, world.contracts[number])
    move(world, cast, lot_number=2)
    with at(NEW_STANDSTILL_END):
        tick()
    signed(world, cast, contract_for(world.tender, 2))
    assert fresh(world.tender).status == "complete"
    before = state(world.tender)
    with pytest.raises(ValidationError, match="Moving an award is not possible while"):
        move(world, cast, lot_number=2)
    assert state(world.tender) == before
    assert Contract.objects.filter(tender=world.tender, status="active").count() == 2


def test_refuses_to_decline_after_the_supplier_signed_and_waits_for_the_buyer(cast, world):
    sign_as_supplier(world, world.contracts[1])
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        decline(world, cast)
    assert refused.value.code == "already_signed"
    assert state(world.tender) == before


def test_someone_else_cannot_decline_even_without_a_reason(cast, world):
    contract = contract_for(world.tender, 1)
    with pytest.raises(PermissionDenied):
        decline_award(contract=contract, actor=cast.outsider, reason="")
