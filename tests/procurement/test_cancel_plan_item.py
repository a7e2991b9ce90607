"""Cancelling a draft plan item, with a reason; it stays in the plan as cancelled."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import PlanItem
from procurement.services.budget import cancel_plan_item
from tests.conftest import cast_member
from tests.procurement.factories import BudgetLineFactory, PlanItemFactory, counts, events_since


@pytest.fixture
def item(cast):
    return PlanItemFactory(budget_line=BudgetLineFactory(agency=cast.agency))


def test_buyer_cancels_a_draft_giving_the_reason(cast, item):
    before = counts()

    cancel_plan_item(item=item, reason=" Bought centrally by the ministry ", actor=cast.buyer)

    item = PlanItem.objects.get(pk=item.pk)
    assert item.status == "cancelled"
    assert item.cancel_reason == "Bought centrally by the ministry"
    assert item.cancelled_at is not None
    [event] = events_since(before["events"])
    assert event.action == "procurement.planitem.cancelled"
    assert event.data == {"reason": "Bought centrally by the ministry"}


@pytest.mark.parametrize(("reason", "message"), [("", "Give the reason"), ("x" * 401, "400")])
def test_refuses_without_a_reason_or_with_too_long_a_one(cast, item, reason, message):
    before = counts()

    with pytest.raises(ValidationError) as refused:
        cancel_plan_item(item=item, reason=reason, actor=cast.buyer)

    assert message in refused.value.message_dict["reason"][0]
    assert PlanItem.objects.get(pk=item.pk).status == "draft"
    assert counts() == before


@pytest.mark.parametrize("status", ["approved", "cancelled"])
def test_refuses_an_item_that_is_not_a_draft(cast, item, status):
    item = PlanItemFactory(budget_line=item.budget_line, status=status)
    before = counts()

    with pytest.raises(ValidationError, match=f"can be cancelled; this one is {status}"):
        cancel_plan_item(item=item, reason="No longer needed", actor=cast.buyer)

    assert PlanItem.objects.get(pk=item.pk).status == status
    assert counts() == before


@pytest.mark.parametrize("role", ["agency_admin", "buyer", "operator"])
def test_buyers_admins_and_operators_may_cancel(cast, item, role):
    cancel_plan_item(item=item, reason="Not needed", actor=cast_member(cast, role))

    assert PlanItem.objects.get(pk=item.pk).status == "cancelled"


@pytest.mark.parametrize(
    "role", ["commission", "other_buyer", "supplier_a", "auditor", "reviewer", "outsider"]
)
def test_others_may_not_cancel_even_without_a_reason(cast, item, role):
    before = counts()

    with pytest.raises(PermissionDenied):
        cancel_plan_item(item=item, reason="", actor=cast_member(cast, role))

    assert PlanItem.objects.get(pk=item.pk).status == "draft"
    assert counts() == before
