"""Signatures and payments arriving at the same instant from separate sessions (as separate app
servers would send them): the tender's and the contract's row locks serve them one at a time,
so the price is obligated once and never more is paid than is obligated.

On PostgreSQL each thread is its own database session; SQLite's in-memory test database is one
connection, so there the test is skipped (PostgreSQL runs it in CI)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from contracts.models import Contract, Payment
from contracts.services.execution import accept_delivery, record_payment
from contracts.services.signing import sign_contract
from procurement.models import BudgetEntry
from tests.awards.world import (
    award_world,
    balances,
    fresh,
    on_a_monday,
    sign,
    sign_as_supplier,
    signed,
    to_contracting,
)

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal
PRICE = D("2800000.00")  # B's contract for lot 1, on a line of 10,000,000.00


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip(
            "SQLite's in-memory test database is one connection; PostgreSQL runs this in CI"
        )


@pytest.fixture
def world(cast):
    with on_a_monday() as clock, award_world(cast) as world:
        world.contract = to_contracting(world, cast, clock, disqualified=("c",))[1]
        yield world


def at_once(calls) -> dict:
    """Run the calls in threads released together; what each did, by outcome."""
    outcomes = {"done": [], "refused": [], "errors": []}
    barrier = threading.Barrier(len(calls))

    def run(n, call):
        try:
            barrier.wait()
            call()
            outcomes["done"].append(n)
        except ValidationError as exc:
            outcomes["refused"].append(getattr(exc, "code", None) or exc.messages[0])
        except Exception as exc:  # reported to the test thread
            outcomes["errors"].append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes["errors"] == []
    return outcomes


def obligations(contract) -> list:
    return list(
        BudgetEntry.objects.filter(line=contract.lot.budget_line, kind="obligate").values_list(
            "amount", flat=True
        )
    )


def test_both_sides_signing_at_once_obligate_the_price_once(cast, world):
    contract, content = world.contract, bytes(world.contract.content)
    outcomes = at_once(
        [
            lambda: sign_as_supplier(world, contract),
            lambda: sign_contract(
                contract=contract, actor=cast.buyer, signature=sign(world.chair, content)
            ),
        ]
    )

    assert sorted(outcomes["done"]) == [0, 1]
    contract = fresh(contract)
    assert contract.status == "active"
    assert obligations(contract) == [PRICE]
    assert balances(contract.lot) == (0, PRICE, 0, D("10000000.00") - PRICE)


def test_two_buyers_giving_the_last_signature_at_once_obligate_the_price_once(cast, world):
    contract, content = world.contract, bytes(world.contract.content)
    sign_as_supplier(world, contract)
    outcomes = at_once(
        [
            lambda actor=actor: sign_contract(
                contract=contract, actor=actor, signature=sign(world.chair, content)
            )
            for actor in (cast.buyer, cast.agency_admin)
        ]
    )

    assert len(outcomes["done"]) == 1
    assert outcomes["refused"] == ["invalid_status"]
    assert Contract.objects.get(pk=contract.pk).status == "active"
    assert obligations(contract) == [PRICE]
    assert balances(contract.lot) == (0, PRICE, 0, D("10000000.00") - PRICE)


def test_payments_at_once_pay_at_most_what_was_accepted(cast, world):
    contract = signed(world, cast, world.contract)
    accept_delivery(contract=contract, actor=cast.buyer, amount="1000000.00", description="Half")
    outcomes = at_once(
        [
            lambda n=n: record_payment(
                contract=contract, actor=cast.buyer, amount="300000.00", reference=f"PO-{n}"
            )
            for n in range(6)
        ]
    )

    assert len(outcomes["done"]) == 3
    assert len(outcomes["refused"]) == 3
    assert sorted(Payment.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert balances(contract.lot) == (0, PRICE - D("900000.00"), D("900000.00"), D("7200000.00"))


def test_payments_at_once_never_pay_more_than_the_obligation(cast, world):
    contract = signed(world, cast, world.contract)
    accept_delivery(contract=contract, actor=cast.buyer, amount=PRICE, description="Everything")
    outcomes = at_once(
        [
            lambda n=n: record_payment(
                contract=contract, actor=cast.buyer, amount="700000.00", reference=f"PO-{n}"
            )
            for n in range(8)
        ]
    )

    # Four payments of 700,000.00 pay the 2,800,000.00 obligated; the rest are refused.
    assert len(outcomes["done"]) == 4
    assert len(outcomes["refused"]) == 4
    assert fresh(contract).status == "completed"
    assert balances(contract.lot) == (0, 0, PRICE, D("10000000.00") - PRICE)
