"""A procedure with a value ceiling (price quotations) caps the whole tender, not one lot."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from procurement.models import Lot
from procurement.services.tenders import add_lot
from tests.procurement.factories import approved_item, draft_tender, procedure

CEILING = Decimal("15728000.00")  # 4,000 MCI of 2025


@pytest.fixture
def quotation(cast):
    return draft_tender(cast.agency, procedure=procedure("price_quotations"))


def item(cast, amount):
    return approved_item(
        cast.agency, procedure=procedure("price_quotations"), planned_amount=Decimal(amount)
    )


def test_lots_up_to_the_ceiling_are_accepted(cast, quotation):
    add_lot(tender=quotation, plan_items=[item(cast, "10000000.00")], actor=cast.buyer)
    lot = add_lot(tender=quotation, plan_items=[item(cast, "5728000.00")], actor=cast.buyer)
    assert lot.number == 2


def test_a_lot_that_takes_the_tender_over_the_ceiling_is_refused_with_the_figures(cast, quotation):
    add_lot(tender=quotation, plan_items=[item(cast, "10000000.00")], actor=cast.buyer)
    with pytest.raises(ValidationError) as exc:
        add_lot(tender=quotation, plan_items=[item(cast, "5728000.01")], actor=cast.buyer)
    [message] = exc.value.message_dict["amount"]
    assert "up to 15,728,000.00" in message
    assert "15,728,000.01" in message
    assert Lot.objects.filter(tender=quotation).count() == 1


def test_open_tenders_have_no_ceiling(cast):
    tender = draft_tender(cast.agency)
    lot = add_lot(
        tender=tender,
        plan_items=[approved_item(cast.agency, planned_amount=Decimal("9000000.00"))],
        actor=cast.buyer,
    )
    assert lot.amount == Decimal("9000000.00")
