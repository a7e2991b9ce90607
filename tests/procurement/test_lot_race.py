"""Two drafts taking the same approved plan item at the same instant: the plan item's row
lock serves them one after the other, so exactly one lot gets it.

On PostgreSQL each thread is its own database session, as separate app servers would be."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from procurement.models import Lot
from procurement.services.tenders import add_lot
from tests.procurement.factories import approved_item, draft_tender

ROUNDS = 5


def _add(tender, item, actor, outcomes, barrier) -> None:
    try:
        barrier.wait()
        add_lot(tender=tender, plan_items=[item], actor=actor)
        outcomes["added"].append(tender.pk)
    except ValidationError as exc:
        outcomes["refused"].append(exc.messages[0])
    except Exception as exc:  # reported to the test thread
        outcomes["errors"].append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_one_plan_item_goes_into_one_lot_only(cast):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip(
            "SQLite's in-memory test database is one connection; PostgreSQL runs this in CI"
        )
    for _ in range(ROUNDS):
        item = approved_item(cast.agency)
        drafts = [draft_tender(cast.agency), draft_tender(cast.agency)]
        outcomes = {"added": [], "refused": [], "errors": []}
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=_add, args=(t, item, cast.buyer, outcomes, barrier))
            for t in drafts
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes["errors"] == []
        assert len(outcomes["added"]) == 1
        assert outcomes["refused"] == [f"“{item.subject}” is already in a lot of another tender."]
        assert Lot.objects.filter(plan_items=item).count() == 1
