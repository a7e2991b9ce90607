"""Amending a line's approved amount: never below what is reserved, obligated and paid."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import BudgetLine
from procurement.services.budget import change_approved_amount
from tests.conftest import cast_member
from tests.procurement.factories import BudgetLineFactory, counts, events_since, move


@pytest.fixture
def line(cast):
    return BudgetLineFactory(
        agency=cast.agency,
        programme_code="001",
        subprogramme_code="015",
        name="Medicines",
        approved_amount=Decimal("10000000.00"),
    )


@pytest.fixture
def committed(line):
    """3,000,000.00 committed: 1,000,000 reserved, 1,500,000 obligated, 500,000 paid."""
    move("reserve", line, "3000000.00")
    move("obligate", line, "2000000.00", reference=("procurement.contract", 1))
    move("pay", line, "500000.00", reference=("procurement.contract", 1))
    return line


def test_buyer_raises_the_approved_amount(cast, line):
    before = counts()

    changed = change_approved_amount(
        line=line, approved_amount=Decimal("12500000.00"), reason="Order No. 12", actor=cast.buyer
    )

    assert changed.approved_amount == Decimal("12500000.00")
    assert BudgetLine.objects.get(pk=line.pk).approved_amount == Decimal("12500000.00")
    [event] = events_since(before["events"])
    assert event.action == "procurement.budgetline.amended"
    assert event.data == {"from": "10000000.00", "to": "12500000.00", "reason": "Order No. 12"}


def test_may_lower_it_down_to_exactly_what_is_committed(cast, committed):
    change_approved_amount(
        line=committed, approved_amount=Decimal("3000000.00"), reason="Cut", actor=cast.buyer
    )

    line = BudgetLine.objects.with_balances().get(pk=committed.pk)
    assert line.available == Decimal("0.00")
    assert (line.reserved, line.obligated, line.paid) == (
        Decimal("1000000.00"),
        Decimal("1500000.00"),
        Decimal("500000.00"),
    )


def test_refuses_to_go_below_what_is_committed_naming_the_shortfall(cast, committed):
    before = counts()

    with pytest.raises(ValidationError) as refused:
        change_approved_amount(
            line=committed, approved_amount=Decimal("2750000.00"), reason="Cut", actor=cast.buyer
        )

    assert refused.value.message_dict == {
        "approved_amount": [
            "Budget line 001/015 “Medicines” has 3,000,000.00 KZT committed (reserved, "
            "obligated or paid): the approved amount cannot go below it, 250,000.00 KZT short."
        ]
    }
    assert BudgetLine.objects.get(pk=committed.pk).approved_amount == Decimal("10000000.00")
    assert counts() == before


def test_refuses_without_a_reason(cast, line):
    before = counts()

    with pytest.raises(ValidationError) as refused:
        change_approved_amount(
            line=line, approved_amount=Decimal("1.00"), reason="  ", actor=cast.buyer
        )

    assert list(refused.value.message_dict) == ["reason"]
    assert counts() == before


def test_refuses_a_change_that_changes_nothing(cast, line):
    before = counts()

    with pytest.raises(ValidationError, match=r"already 10,000,000\.00 KZT"):
        change_approved_amount(
            line=line, approved_amount=Decimal("10000000.00"), reason="Same", actor=cast.buyer
        )

    assert counts() == before


def test_refuses_a_negative_amount(cast, line):
    with pytest.raises(ValidationError) as refused:
        change_approved_amount(
            line=line, approved_amount=Decimal("-5.00"), reason="Typo", actor=cast.buyer
        )

    assert list(refused.value.message_dict) == ["approved_amount"]


@pytest.mark.parametrize("role", ["agency_admin", "buyer", "operator"])
def test_buyers_admins_and_operators_may_amend(cast, line, role):
    change_approved_amount(
        line=line, approved_amount=Decimal("1.00"), reason="x", actor=cast_member(cast, role)
    )

    assert BudgetLine.objects.get(pk=line.pk).approved_amount == Decimal("1.00")


@pytest.mark.parametrize(
    "role", ["commission", "other_buyer", "supplier_a", "auditor", "reviewer", "outsider"]
)
def test_others_may_not_amend(cast, line, role):
    before = counts()

    with pytest.raises(PermissionDenied):
        change_approved_amount(
            line=line, approved_amount=Decimal("1.00"), reason="x", actor=cast_member(cast, role)
        )

    assert BudgetLine.objects.get(pk=line.pk).approved_amount == Decimal("10000000.00")
    assert counts() == before
