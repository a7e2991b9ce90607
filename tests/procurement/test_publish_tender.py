"""Publishing: a draft with lots, a commission and periods still long enough; each lot's
amount reserved on its budget line, all of it or nothing."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import BudgetEntry, BudgetLine, CommissionMember, Lot, Tender
from procurement.services.tenders import publish_tender
from tests.conftest import ROLES, cast_member
from tests.procurement.factories import (
    FROZEN,
    BudgetLineFactory,
    approved_item,
    counts,
    draft_tender,
    events_since,
    move,
    ready_tender,
)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def balances(line):
    return BudgetLine.objects.with_balances().get(pk=line.pk)


def test_buyer_publishes_and_the_lot_is_reserved(cast):
    tender = ready_tender(cast, amount="3000000.00")
    line = tender.lots.get().budget_line
    before = counts()

    published = publish_tender(tender=tender, actor=cast.buyer)

    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == published.status == "enquiries"
    assert tender.published_at == FROZEN
    assert tender.next_check == tender.enquiry_end
    assert (balances(line).reserved, balances(line).available) == (
        Decimal("3000000.00"),
        Decimal("7000000.00"),
    )
    [entry] = BudgetEntry.objects.all()
    assert (entry.kind, entry.reference_type, entry.reference_id, entry.note) == (
        "reserve",
        "procurement.tender",
        str(tender.pk),
        f"{tender.number} lot 1",
    )
    [event] = events_since(before["events"])
    assert (event.action, event.subject_id, event.actor_id) == (
        "procurement.tender.published",
        str(tender.pk),
        cast.buyer.pk,
    )
    assert event.data["lots"] == [{"number": 1, "amount": "3000000.00", "line": entry.line_id}]
    assert event.data["ocid"] == tender.ocid


def test_a_shortfall_on_any_line_names_it_and_reserves_nothing(cast):
    rich = BudgetLineFactory(agency=cast.agency, programme_code="001", name="Medicines")
    poor = BudgetLineFactory(
        agency=cast.agency,
        programme_code="002",
        name="Dressings",
        approved_amount=Decimal("1000000.00"),
    )
    move("reserve", poor, "400000.00", reference=("procurement.tender", 999))
    tender = ready_tender(cast, amount="2000000.00", line=rich)
    item = approved_item(cast.agency, poor, planned_amount=Decimal("850000.00"))
    lot = Lot.objects.create(
        tender=tender, number=2, title="Dressings", amount=Decimal("850000.00"), budget_line=poor
    )
    lot.plan_items.set([item])
    before = counts()

    with pytest.raises(ValidationError) as refused:
        publish_tender(tender=tender, actor=cast.buyer)

    assert refused.value.messages == [
        "Budget line 002/015 “Dressings” lacks 250,000.00 KZT: available 600,000.00, "
        "needed 850,000.00"
    ]
    assert counts() == before
    assert balances(rich).reserved == Decimal("0.00")
    assert Tender.objects.get(pk=tender.pk).status == "draft"


@pytest.mark.parametrize(
    ("undo", "missing"),
    [
        (lambda t: Lot.objects.filter(tender=t).delete(), "no lots yet"),
        (lambda t: CommissionMember.objects.filter(tender=t).delete(), "no commission yet"),
        (
            lambda t: Tender.objects.filter(pk=t.pk).update(enquiry_end=None),
            "no periods yet",
        ),
    ],
    ids=["lots", "commission", "periods"],
)
def test_refuses_a_draft_that_is_not_ready(cast, undo, missing):
    tender = ready_tender(cast)
    undo(tender)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        publish_tender(tender=tender, actor=cast.buyer)
    assert refused.value.messages == [f"The tender cannot be published yet: {missing}."]
    assert counts() == before


def test_refuses_periods_that_have_become_too_short_by_publication(cast):
    tender = ready_tender(cast)  # shortest periods counted from Monday
    with time_machine.travel(FROZEN + dt.timedelta(days=1), tick=False):
        before = counts()
        with pytest.raises(ValidationError) as refused:
            publish_tender(tender=tender, actor=cast.buyer)
    assert "enquiry_end" in refused.value.message_dict
    assert counts() == before


def test_refuses_a_tender_already_published(cast):
    tender = ready_tender(cast)
    publish_tender(tender=tender, actor=cast.buyer)
    before = counts()
    with pytest.raises(
        ValidationError, match=r"Only a draft tender can be changed \(publishing\); "
    ):
        publish_tender(tender=tender, actor=cast.buyer)
    assert counts() == before


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("buyer", "agency_admin")])
def test_only_the_agencys_buyers_and_administrators_publish(cast, role):
    tender = ready_tender(cast)
    before = counts()
    actor = None if role == "anonymous" else cast_member(cast, role)
    with pytest.raises(PermissionDenied, match="Only the agency's buyers and administrators"):
        publish_tender(tender=tender, actor=actor)
    assert counts() == before


def test_a_draft_is_not_due_for_the_clock(cast):
    assert draft_tender(cast.agency).next_check is None
