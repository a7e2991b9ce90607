"""Approving a draft plan item: only drafts, only within the line's approved amount."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import PlanItem
from procurement.services.budget import approve_plan_item
from tests.conftest import cast_member
from tests.procurement.factories import BudgetLineFactory, PlanItemFactory, counts, events_since


@pytest.fixture
def item(cast):
    line = BudgetLineFactory(
        agency=cast.agency,
        programme_code="001",
        subprogramme_code="015",
        name="Medicines",
        approved_amount=Decimal("5000000.00"),
    )
    return PlanItemFactory(budget_line=line, planned_amount=Decimal("3000000.00"))


def test_buyer_approves_a_draft(cast, item):
    before = counts()

    approved = approve_plan_item(item=item, actor=cast.buyer)

    assert approved.status == "approved"
    item = PlanItem.objects.get(pk=item.pk)
    assert item.status == "approved"
    assert item.approved_at is not None
    [event] = events_since(before["events"])
    assert (event.action, event.subject_id) == ("procurement.planitem.approved", str(item.pk))
    assert event.data["planned_amount"] == "3000000.00"
    assert event.data["procedure"] == "open_tender"


def test_may_approve_an_item_planned_at_the_whole_approved_amount(cast, item):
    item = PlanItemFactory(budget_line=item.budget_line, planned_amount=Decimal("5000000.00"))

    assert approve_plan_item(item=item, actor=cast.buyer).status == "approved"


def test_refuses_an_item_planned_above_the_lines_approved_amount(cast, item):
    item = PlanItemFactory(budget_line=item.budget_line, planned_amount=Decimal("5000000.01"))
    before = counts()

    with pytest.raises(ValidationError) as refused:
        approve_plan_item(item=item, actor=cast.buyer)

    assert refused.value.message_dict == {
        "planned_amount": [
            "The planned amount 5,000,000.01 KZT is more than the approved amount of budget line "
            "001/015 “Medicines”, 5,000,000.00 KZT."
        ]
    }
    assert PlanItem.objects.get(pk=item.pk).status == "draft"
    assert counts() == before


@pytest.mark.parametrize("status", ["approved", "cancelled"])
def test_refuses_an_item_that_is_not_a_draft(cast, item, status):
    item = PlanItemFactory(budget_line=item.budget_line, status=status)
    before = counts()

    with pytest.raises(
        ValidationError, match=f"Only a draft plan item can be approved; this one is {status}"
    ):
        approve_plan_item(item=item, actor=cast.buyer)

    assert PlanItem.objects.get(pk=item.pk).status == status
    assert counts() == before


def test_a_second_approval_of_the_same_item_is_refused(cast, item):
    approve_plan_item(item=item, actor=cast.buyer)

    with pytest.raises(ValidationError) as refused:
        approve_plan_item(item=item, actor=cast.agency_admin)  # a stale copy, still "draft"

    assert refused.value.code == "invalid_status"


@pytest.mark.parametrize("role", ["agency_admin", "buyer", "operator"])
def test_buyers_admins_and_operators_may_approve(cast, item, role):
    assert approve_plan_item(item=item, actor=cast_member(cast, role)).status == "approved"


@pytest.mark.parametrize(
    "role", ["commission", "other_buyer", "supplier_a", "auditor", "reviewer", "outsider"]
)
def test_others_may_not_approve(cast, item, role):
    before = counts()

    with pytest.raises(PermissionDenied):
        approve_plan_item(item=item, actor=cast_member(cast, role))

    assert PlanItem.objects.get(pk=item.pk).status == "draft"
    assert counts() == before


def test_the_status_cannot_be_set_by_hand(item):
    with pytest.raises(AttributeError, match="Direct status modification is not allowed"):
        item.status = "approved"
