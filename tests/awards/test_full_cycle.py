"""One open tender from publication to payment through the services, with the budget line
checked after every step: reserved at publication, obligated at the contract price with the
savings released, paid, and never below zero."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
import time_machine

from audit.services.verification import run_verification
from awards.results import results_bytes
from awards.services.complaints import decide_complaint, file_complaint
from awards.services.results import publish_results
from awards.services.reviews import review_bid
from contracts.models import Contract
from contracts.services.execution import accept_delivery, record_payment
from contracts.services.signing import sign_contract
from procurement.clock import tick
from procurement.models import BudgetLine, Tender
from tests.awards.world import award_world, fails, meets_all, sign

pytestmark = pytest.mark.django_db

D = Decimal


def balances(lot) -> tuple:
    line = BudgetLine.objects.with_balances().get(pk=lot.budget_line_id)
    return (line.reserved, line.obligated, line.paid, line.available)


def test_a_tender_runs_from_opened_bids_to_payment_with_the_budget_right_at_each_step(cast):
    with award_world(cast) as world:
        tender = world.tender
        lot1, lot2 = tender.lots.order_by("number")
        # Each lot is on its own line of 10,000,000.00; publication reserved the lot amounts.
        assert balances(lot1) == (D("3000000.00"), 0, 0, D("7000000.00"))
        assert balances(lot2) == (D("1000000.00"), 0, 0, D("9000000.00"))

        # Evaluation: C (cheapest on lot 1) lacks the licence; A and B qualify.
        review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=meets_all(tender))
        review_bid(bid=world.bids["b"], actor=cast.commission[0], decisions=meets_all(tender))
        review_bid(
            bid=world.bids["c"],
            actor=cast.buyer,
            decisions=fails(tender, 1, "No licence for pharmaceutical activity attached"),
        )
        content = results_bytes(tender)
        protocol = publish_results(
            tender=tender,
            actor=cast.buyer,
            content_sha256=hashlib.sha256(content).hexdigest(),
            signature=sign(world.chair, content),
        )
        tender.refresh_from_db()
        assert tender.status == "standstill"
        winners = {a.lot.number: (a.supplier, a.price) for a in tender.awards.all()}
        assert winners == {
            1: (cast.supplier_org_b, D("2800000.00")),
            2: (cast.supplier_org_a, D("800000.00")),
        }
        assert protocol.revision == 1

        # C complains against the results during standstill; the reviewer dismisses it.
        complaint = file_complaint(
            tender=tender,
            actor=world.user_c,
            complainant=world.org_c,
            kind="results",
            text="Our licence was in the bid's documents.",
        )
        tender.refresh_from_db()
        assert tender.timer_at is None  # the complaint holds the awards
        decide_complaint(
            complaint=complaint,
            actor=cast.reviewer,
            satisfied=False,
            decision="The licence attached had expired in 2024.",
        )
        tender.refresh_from_db()
        standstill_end = tender.timer_at
        assert standstill_end is not None

        # One second before the standstill ends nothing moves; one second after, the awards
        # are active and the contracts drafted.
        with time_machine.travel(standstill_end - dt.timedelta(seconds=1)):
            tick()
        assert Tender.objects.get(pk=tender.pk).status == "standstill"
        with time_machine.travel(standstill_end + dt.timedelta(seconds=1)):
            tick()
        tender.refresh_from_db()
        assert tender.status == "contracting"
        contracts = {c.lot.number: c for c in Contract.objects.filter(tender=tender)}
        assert set(contracts) == {1, 2}

        # Both sides sign each contract: obligations at the contract prices, savings released.
        for number, supplier_key, user in ((1, "b", cast.supplier_b), (2, "a", cast.supplier_a)):
            contract = contracts[number]
            sign_contract(
                contract=contract,
                actor=user,
                signature=sign(world.signers[supplier_key], bytes(contract.content)),
            )
            sign_contract(
                contract=contract,
                actor=cast.buyer,
                signature=sign(world.chair, bytes(contract.content)),
            )
        assert balances(lot1) == (0, D("2800000.00"), 0, D("7200000.00"))
        assert balances(lot2) == (0, D("800000.00"), 0, D("9200000.00"))
        tender.refresh_from_db()
        assert tender.status == "complete"

        # Delivery accepted, then paid.
        contract = Contract.objects.get(pk=contracts[2].pk)
        accept_delivery(
            contract=contract,
            actor=cast.buyer,
            amount="800000.00",
            description="10,000 packs delivered",
        )
        record_payment(
            contract=contract, actor=cast.buyer, amount="800000.00", reference="PO-2026-0042"
        )
        assert balances(lot2) == (0, 0, D("800000.00"), D("9200000.00"))
        assert Contract.objects.get(pk=contract.pk).status == "completed"

        assert run_verification().ok
