"""Fifty tenders reserving on one line at the same instant: the line's row lock serves them one
at a time, so exactly as many succeed as the money allows and nothing goes below zero.

On PostgreSQL each thread is its own database session, as separate app servers would be."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from procurement.models import BudgetEntry, BudgetLine
from procurement.services import ledger
from tests.procurement.factories import BudgetLineFactory

TENDERS = 50
EACH = Decimal("250000.00")


def _tender(n: int, line, outcomes: dict, barrier: threading.Barrier) -> None:
    try:
        barrier.wait()
        with transaction.atomic():
            ledger.reserve(line=line, amount=EACH, reference=("procurement.tender", n), actor=None)
        outcomes["reserved"].append(n)
    except ValidationError as exc:
        outcomes["refused"].append(exc.messages[0])
    except Exception as exc:  # reported to the test thread
        outcomes["errors"].append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("approved", "left"),
    [(EACH * 20, Decimal("0.00")), (EACH * 20 + Decimal("249999.99"), Decimal("249999.99"))],
)
def test_exactly_as_many_reservations_succeed_as_the_line_allows(approved, left):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip(
            "SQLite's in-memory test database is one connection; PostgreSQL runs this in CI"
        )
    line = BudgetLineFactory(approved_amount=approved)
    outcomes = {"reserved": [], "refused": [], "errors": []}
    barrier = threading.Barrier(TENDERS)
    threads = [
        threading.Thread(target=_tender, args=(n, line, outcomes, barrier)) for n in range(TENDERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes["errors"] == []
    assert len(outcomes["reserved"]) == 20
    assert len(outcomes["refused"]) == TENDERS - 20
    assert all(f"needed {EACH:,.2f}" in message for message in outcomes["refused"])
    line = BudgetLine.objects.with_balances().get(pk=line.pk)
    assert line.available == left
    assert line.reserved == EACH * 20
    assert BudgetEntry.objects.filter(line=line).count() == 20
    assert sorted(
        int(ref) for ref in BudgetEntry.objects.values_list("reference_id", flat=True)
    ) == sorted(outcomes["reserved"])
