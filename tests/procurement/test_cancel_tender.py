"""Cancelling an active tender with a reason; its reservations are released."""

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import BudgetLine, Tender
from procurement.services.tenders import cancel_tender, publish_tender
from tests.conftest import ROLES, cast_member
from tests.procurement.factories import FROZEN, counts, draft_tender, events_since, ready_tender


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def published(cast):
    return publish_tender(tender=ready_tender(cast, amount="3000000.00"), actor=cast.buyer)


def test_cancelling_a_published_tender_releases_its_reservation(cast, published):
    line = published.lots.get().budget_line
    before = counts()

    cancel_tender(
        tender=published, reason="budget_cut", text="Budget law amended", actor=cast.buyer
    )

    tender = Tender.objects.get(pk=published.pk)
    assert (tender.status, tender.cancel_reason, tender.cancel_text) == (
        "cancelled",
        "budget_cut",
        "Budget law amended",
    )
    assert tender.next_check is None
    assert tender.lots.get().status == "cancelled"
    line = BudgetLine.objects.with_balances().get(pk=line.pk)
    assert (line.reserved, line.available) == (Decimal("0.00"), Decimal("10000000.00"))
    assert counts()["entries"] == before["entries"] + 1
    [event] = events_since(before["events"])
    assert (event.action, event.actor_id) == ("procurement.tender.cancelled", cast.buyer.pk)
    assert event.data["released"] == {str(line.pk): "3000000.00"}


def test_cancelling_a_draft_releases_nothing(cast):
    tender = draft_tender(cast.agency)
    before = counts()
    cancel_tender(tender=tender, reason="no_demand", text="Not needed", actor=cast.agency_admin)
    assert Tender.objects.get(pk=tender.pk).status == "cancelled"
    assert counts()["entries"] == before["entries"]
    [event] = events_since(before["events"])
    assert event.data["released"] == {}


@pytest.mark.parametrize(
    ("reason", "text", "message"),
    [
        ("whim", "x", {"reason": ["Choose one of the reasons for cancelling."]}),
        ("other", "  ", {"text": ["Explain the cancellation."]}),
        ("other", "x" * 2001, {"text": ["Keep the explanation to 2000 characters or fewer."]}),
    ],
)
def test_refuses_without_a_reason_and_explanation(cast, published, reason, text, message):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        cancel_tender(tender=published, reason=reason, text=text, actor=cast.buyer)
    assert refused.value.message_dict == message
    assert counts() == before


def test_refuses_a_tender_no_longer_active(cast, published):
    cancel_tender(tender=published, reason="other", text="Once", actor=cast.buyer)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        cancel_tender(tender=published, reason="other", text="Twice", actor=cast.buyer)
    assert refused.value.messages == [
        f"{published.number} is cancelled and can no longer be cancelled."
    ]
    assert counts() == before


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("buyer", "agency_admin")])
def test_only_the_agencys_buyers_and_administrators_cancel(cast, published, role):
    before = counts()
    actor = None if role == "anonymous" else cast_member(cast, role)
    with pytest.raises(PermissionDenied):
        cancel_tender(tender=published, reason="other", text="No", actor=actor)
    assert counts() == before
    assert Tender.objects.get(pk=published.pk).status == "enquiries"
