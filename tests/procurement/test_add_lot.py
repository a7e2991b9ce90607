"""Lots come from approved plan items of the tender's agency, all on one budget line."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import Lot
from procurement.services.tenders import add_lot
from tests.conftest import ROLES, cast_member
from tests.procurement.factories import (
    BudgetLineFactory,
    PlanItemFactory,
    approved_item,
    counts,
    draft_tender,
    events_since,
    procedure,
)


@pytest.fixture
def tender(cast):
    return draft_tender(cast.agency)


@pytest.fixture
def line(cast):
    return BudgetLineFactory(agency=cast.agency, programme_code="001", name="Medicines")


def test_lot_amount_defaults_to_what_its_items_plan(cast, tender, line):
    items = [
        approved_item(cast.agency, line, planned_amount=Decimal("1000000.00")),
        approved_item(cast.agency, line, planned_amount=Decimal("250000.50")),
    ]
    before = counts()

    lot = add_lot(tender=tender, plan_items=items, title="Insulin", actor=cast.buyer)

    assert (lot.number, lot.title, lot.amount, lot.budget_line) == (
        1,
        "Insulin",
        Decimal("1250000.50"),
        line,
    )
    assert set(lot.plan_items.all()) == set(items)
    [event] = events_since(before["events"])
    assert (event.action, event.subject_id) == ("procurement.lot.added", str(lot.pk))
    assert event.data["amount"] == "1250000.50"
    second = add_lot(tender=tender, plan_items=[approved_item(cast.agency, line)], actor=cast.buyer)
    assert second.number == 2
    assert second.title == "Insulin glargine 100 IU/ml, 3 ml cartridge"


def test_a_lot_may_ask_for_less_than_planned_but_not_more(cast, tender, line):
    item = approved_item(cast.agency, line, planned_amount=Decimal("1000.00"))
    assert add_lot(
        tender=tender, plan_items=[item], amount=Decimal("900.00"), actor=cast.buyer
    ).amount == Decimal("900.00")
    other = approved_item(cast.agency, line, planned_amount=Decimal("1000.00"))
    with pytest.raises(ValidationError) as refused:
        add_lot(tender=tender, plan_items=[other], amount=Decimal("1000.01"), actor=cast.buyer)
    assert refused.value.message_dict == {
        "amount": ["The lot's amount cannot exceed what its plan items plan, 1,000.00."]
    }


@pytest.mark.parametrize(
    ("make_item", "message"),
    [
        (lambda c, line: PlanItemFactory(budget_line=line), "is not an approved plan item"),
        (lambda c, line: approved_item(c.other_agency), "is not in this agency's plan"),
        (
            lambda c, line: approved_item(
                c.agency, line, procedure=procedure("price_quotations"), planned_amount=1000
            ),
            "is planned for another procedure",
        ),
    ],
    ids=["draft item", "other agency", "other procedure"],
)
def test_refuses_items_that_do_not_fit(cast, tender, line, make_item, message):
    item = make_item(cast, line)
    before = counts()
    with pytest.raises(ValidationError, match=message):
        add_lot(tender=tender, plan_items=[item], actor=cast.buyer)
    assert counts() == before
    assert not Lot.objects.exists()


def test_refuses_no_items_and_items_on_two_lines(cast, tender, line):
    with pytest.raises(ValidationError, match="Choose at least one approved plan item"):
        add_lot(tender=tender, plan_items=[], actor=cast.buyer)
    items = [approved_item(cast.agency, line), approved_item(cast.agency)]
    with pytest.raises(ValidationError, match="A lot is paid from one budget line"):
        add_lot(tender=tender, plan_items=items, actor=cast.buyer)


def test_refuses_an_item_already_in_another_tenders_lot(cast, tender, line):
    item = approved_item(cast.agency, line)
    add_lot(tender=draft_tender(cast.agency), plan_items=[item], actor=cast.buyer)
    with pytest.raises(ValidationError, match="is already in a lot of another tender"):
        add_lot(tender=tender, plan_items=[item], actor=cast.buyer)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("buyer", "agency_admin")])
def test_only_the_agencys_buyers_and_administrators_add_lots(cast, tender, line, role):
    item = approved_item(cast.agency, line)
    actor = None if role == "anonymous" else cast_member(cast, role)
    with pytest.raises(PermissionDenied):
        add_lot(tender=tender, plan_items=[item], actor=actor)
    assert not Lot.objects.exists()
