"""Cancelling one lot: its reservation is released, the tender gets a new version that does
not invalidate bids on the other lots, and cancelling the last lot cancels the tender."""

import json
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import BudgetLine, Lot, Notice, Tender, TenderVersion
from procurement.services.amendments import cancel_lot
from procurement.services.questions import ask_question
from procurement.services.tenders import add_lot, publish_tender
from tests.procurement.factories import FROZEN, approved_item, counts, events_since, ready_tender


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def two_lots(cast):
    tender = ready_tender(cast, amount="3000000.00")
    line = tender.lots.get().budget_line
    add_lot(
        tender=tender,
        plan_items=[approved_item(cast.agency, line, planned_amount=Decimal("1000000.00"))],
        actor=cast.buyer,
    )
    return tender


def available(line) -> Decimal:
    return BudgetLine.objects.with_balances().get(pk=line.pk).available


def state(tender) -> dict:
    return {
        **counts(),
        "versions": TenderVersion.objects.count(),
        "lots": list(Lot.objects.filter(tender=tender).values_list("status", flat=True)),
    }


def test_cancelling_a_lot_of_a_published_tender_releases_its_amount(cast, two_lots):
    tender = publish_tender(tender=two_lots, actor=cast.buyer)
    lot1, lot2 = tender.lots.order_by("number")
    line = lot2.budget_line
    before_available = available(line)
    before = counts()

    cancel_lot(lot=lot2, reason="budget_cut", text="Funds withdrawn", actor=cast.buyer)

    assert available(line) == before_available + Decimal("1000000.00")
    assert Lot.objects.get(pk=lot2.pk).status == "cancelled"
    assert Lot.objects.get(pk=lot1.pk).status == "active"
    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == "enquiries"
    version = tender.versions.get(number=2)
    assert not version.invalidates_bids
    assert not version.deadline_moved
    lots = json.loads(bytes(version.content))["lots"]
    assert [(lot["id"], lot["status"]) for lot in lots] == [("1", "active"), ("2", "cancelled")]
    [event] = events_since(before["events"])
    assert event.action == "procurement.lot.cancelled"
    assert event.data["released"] == "1000000.00"
    assert event.data["tender_cancelled"] is False
    assert event.data["version"] == 2


def test_cancelling_the_last_lot_cancels_the_tender_and_releases_everything(cast):
    tender = publish_tender(tender=ready_tender(cast, amount="3000000.00"), actor=cast.buyer)
    lot = tender.lots.get()
    before_available = available(lot.budget_line)
    ask_question(tender=tender, text="Delivery?", actor=cast.supplier_b)

    cancel_lot(lot=lot, reason="no_demand", text="Bought centrally", actor=cast.buyer)

    tender = Tender.objects.get(pk=tender.pk)
    assert (tender.status, tender.cancel_reason) == ("cancelled", "no_demand")
    assert available(lot.budget_line) == before_available + Decimal("3000000.00")
    assert tender.versions.count() == 1
    [notice] = Notice.objects.all()
    assert (notice.supplier, notice.kind) == (cast.supplier_org_b, "cancelled")


def test_cancelling_a_draft_lot_moves_no_money_and_makes_no_version(cast, two_lots):
    lot = two_lots.lots.get(number=2)
    before = counts()
    cancel_lot(lot=lot, reason="other", text="Merged into lot 1", actor=cast.buyer)
    after = counts()
    assert after["entries"] == before["entries"]
    assert after["events"] == before["events"] + 1
    assert TenderVersion.objects.count() == 0
    assert Tender.objects.get(pk=two_lots.pk).status == "draft"


@pytest.mark.parametrize(
    ("reason", "text", "expected"),
    [
        ("whim", "x", {"reason": ["Choose one of the reasons for cancelling."]}),
        ("other", "  ", {"text": ["Explain the cancellation."]}),
    ],
)
def test_refusals_name_the_field_and_change_nothing(cast, two_lots, reason, text, expected):
    lot = two_lots.lots.get(number=2)
    before = state(two_lots)
    with pytest.raises(ValidationError) as exc:
        cancel_lot(lot=lot, reason=reason, text=text, actor=cast.buyer)
    assert exc.value.message_dict == expected
    assert state(two_lots) == before


def test_a_cancelled_lot_is_not_cancelled_twice(cast, two_lots):
    lot = two_lots.lots.get(number=2)
    cancel_lot(lot=lot, reason="other", text="Merged", actor=cast.buyer)
    before = state(two_lots)
    with pytest.raises(ValidationError, match="Lot 2 is already cancelled"):
        cancel_lot(lot=lot, reason="other", text="Again", actor=cast.buyer)
    assert state(two_lots) == before


def test_a_lot_of_a_finished_tender_is_not_cancelled(cast, two_lots):
    Tender.objects.filter(pk=two_lots.pk).update(status="unsuccessful")
    with pytest.raises(ValidationError, match="is unsuccessful: its lots can no longer"):
        cancel_lot(lot=two_lots.lots.get(number=1), reason="other", text="x", actor=cast.buyer)


@pytest.mark.parametrize("role", ["supplier_a", "other_buyer", "auditor", "commission"])
def test_only_the_agencys_buyers_cancel_lots(cast, two_lots, role):
    from tests.conftest import cast_member

    with pytest.raises(PermissionDenied):
        cancel_lot(
            lot=two_lots.lots.get(number=1),
            reason="other",
            text="x",
            actor=cast_member(cast, role),
        )
