"""Whole tenders replayed step by step through the services, with every budget line checked
after each step: its reserved, obligated, paid and available amounts as expected, none below
zero, the four adding up to the approved amount, and the balances the database computes equal
to a plain sum of the line's ledger entries."""

from collections import defaultdict
from decimal import Decimal

import pytest

from awards.services.complaints import decide_complaint, file_complaint
from contracts.services.awarding import award_next_bidder, decline_award
from contracts.services.execution import (
    accept_delivery,
    amend_contract,
    record_payment,
    terminate_contract,
)
from procurement.clock import tick
from procurement.models import BudgetEntry, BudgetLine
from tests.awards.world import (
    award_world,
    contract_for,
    fresh,
    on_a_monday,
    publish,
    review_all,
    signed,
)

pytestmark = pytest.mark.django_db

D = Decimal
APPROVED = D("10000000.00")  # each lot has a line of its own
ZERO = D("0.00")


@pytest.fixture(autouse=True)
def clock():
    with on_a_monday() as traveller:
        yield traveller


def from_entries(line) -> tuple:
    """The balances recomputed from the entries, as BudgetLine's docstring defines them."""
    total = defaultdict(lambda: ZERO)
    for kind, amount in BudgetEntry.objects.filter(line=line).values_list("kind", "amount"):
        total[kind] += amount
    reserved = total["reserve"] - total["release"] - total["obligate"]
    obligated = total["obligate"] - total["pay"] - total["deobligate"]
    paid = total["pay"]
    return reserved, obligated, paid, line.approved_amount - reserved - obligated - paid


class Ledger:
    """Checks every line of the tender after each step; `steps` names those checked."""

    def __init__(self, tender):
        self.lines = {lot.number: lot.budget_line_id for lot in tender.lots.all()}
        self.steps = []

    def check(self, step: str, **expected: tuple) -> None:
        self.steps.append(step)
        for lot_number, line_id in self.lines.items():
            line = BudgetLine.objects.with_balances().get(pk=line_id)
            got = (line.reserved, line.obligated, line.paid, line.available)
            where = f"after {step}, lot {lot_number}'s line"
            assert all(amount >= 0 for amount in got), f"{where} went negative: {got}"
            assert sum(got) == line.approved_amount == APPROVED, f"{where} does not add up: {got}"
            assert got == from_entries(line), f"{where} disagrees with its entries"
            want = tuple(D(x) for x in expected[f"lot{lot_number}"])
            assert got == want, f"{where}: {got} != {want}"


def test_an_open_tender_from_publication_to_termination(cast, clock):
    with award_world(cast) as world:
        tender = world.tender
        ledger = Ledger(tender)
        unchanged = {"lot1": ("3000000", 0, 0, "7000000"), "lot2": ("1000000", 0, 0, "9000000")}

        # Publication reserved each lot's amount on its line; the bids are opened.
        assert [e.kind for e in BudgetEntry.objects.filter(line__lots__tender=tender)] == [
            "reserve",
            "reserve",
        ]
        ledger.check("publication and opening", **unchanged)

        review_all(world, cast, disqualified=("c",))
        ledger.check("evaluation", **unchanged)

        publish(world, cast)  # B proposed for lot 1 at 2,800,000, A for lot 2 at 800,000
        ledger.check("results", **unchanged)

        complaint = file_complaint(
            tender=tender,
            actor=world.user_c,
            complainant=world.org_c,
            kind="results",
            text="Our licence was attached.",
        )
        ledger.check("complaint filed", **unchanged)
        decide_complaint(complaint=complaint, actor=cast.reviewer, satisfied=False, decision="No.")
        ledger.check("complaint dismissed", **unchanged)

        clock.move_to(fresh(tender).timer_at)
        tick()
        assert fresh(tender).status == "contracting"
        ledger.check("end of standstill", **unchanged)

        decline_award(contract=contract_for(tender, 2), actor=cast.supplier_a, reason="No stock.")
        ledger.check("A declines lot 2", **unchanged)
        award_next_bidder(lot=tender.lots.get(number=2), actor=cast.buyer, reason="A declined")
        assert fresh(tender).status == "standstill"
        ledger.check("lot 2 moved to B", **unchanged)

        signed(world, cast, contract_for(tender, 1))
        after_lot1 = {"lot1": (0, "2800000", 0, "7200000"), "lot2": unchanged["lot2"]}
        ledger.check("lot 1 signed", **after_lot1)

        clock.move_to(fresh(tender).timer_at)
        tick()
        ledger.check("B's standstill on lot 2 ends", **after_lot1)

        signed(world, cast, contract_for(tender, 2))
        assert fresh(tender).status == "complete"
        ledger.check("lot 2 signed", lot1=after_lot1["lot1"], lot2=(0, "900000", 0, "9100000"))

        lot1, lot2 = contract_for(tender, 1), contract_for(tender, 2)
        amend_contract(contract=lot1, actor=cast.buyer, new_price="3000000.00", reason="Rates")
        ledger.check(
            "lot 1 amended up", lot1=(0, "3000000", 0, "7000000"), lot2=(0, "900000", 0, "9100000")
        )

        accept_delivery(contract=lot1, actor=cast.buyer, amount="1500000.00", description="Half")
        ledger.check(
            "lot 1 delivery accepted",
            lot1=(0, "3000000", 0, "7000000"),
            lot2=(0, "900000", 0, "9100000"),
        )

        record_payment(contract=lot1, actor=cast.buyer, amount="1000000.00", reference="PO-1")
        ledger.check(
            "lot 1 paid in part",
            lot1=(0, "2000000", "1000000", "7000000"),
            lot2=(0, "900000", 0, "9100000"),
        )

        amend_contract(contract=lot1, actor=cast.buyer, new_price="2600000.00", reason="Less")
        ledger.check(
            "lot 1 amended down",
            lot1=(0, "1600000", "1000000", "7400000"),
            lot2=(0, "900000", 0, "9100000"),
        )

        accept_delivery(contract=lot2, actor=cast.buyer, amount="900000.00", description="All")
        record_payment(contract=lot2, actor=cast.buyer, amount="900000.00", reference="PO-2")
        assert fresh(lot2).status == "completed"
        ledger.check(
            "lot 2 paid in full",
            lot1=(0, "1600000", "1000000", "7400000"),
            lot2=(0, 0, "900000", "9100000"),
        )

        terminate_contract(contract=lot1, actor=cast.buyer, reason="Deliveries stopped.")
        ledger.check(
            "lot 1 terminated", lot1=(0, 0, "1000000", "9000000"), lot2=(0, 0, "900000", "9100000")
        )

    assert len(ledger.steps) == 17


def test_a_tender_whose_lots_fail_one_after_the_other(cast, clock):
    with award_world(cast) as world:
        tender = world.tender
        ledger = Ledger(tender)
        unchanged = {"lot1": ("3000000", 0, 0, "7000000"), "lot2": ("1000000", 0, 0, "9000000")}
        ledger.check("publication and opening", **unchanged)

        # Lot 2's bidders (A and B) are both disqualified: it fails at publication.
        review_all(world, cast, disqualified=("a", "b"))
        publish(world, cast)
        ledger.check("results, lot 2 failed", lot1=unchanged["lot1"], lot2=(0, 0, 0, APPROVED))

        clock.move_to(fresh(tender).timer_at)
        tick()
        ledger.check("end of standstill", lot1=unchanged["lot1"], lot2=(0, 0, 0, APPROVED))

        # C, lot 1's only qualified bidder, declines; nobody is left.
        decline_award(contract=contract_for(tender, 1), actor=world.user_c, reason="No.")
        ledger.check("C declines", lot1=unchanged["lot1"], lot2=(0, 0, 0, APPROVED))
        award_next_bidder(lot=tender.lots.get(number=1), actor=cast.buyer, reason="C declined")
        assert fresh(tender).status == "unsuccessful"
        ledger.check("lot 1 failed", lot1=(0, 0, 0, APPROVED), lot2=(0, 0, 0, APPROVED))

    assert len(ledger.steps) == 5
