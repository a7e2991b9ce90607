"""The tenders API: public list and detail, and a buyer's ERP taking a tender from draft to
publication and cancellation with a token; refusals in the one error shape."""

from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from accounts.services.tokens import create_api_token
from procurement.models import BudgetLine, Tender
from procurement.services.tenders import publish_tender
from tests.procurement.factories import (
    FROZEN,
    BudgetLineFactory,
    approved_item,
    counts,
    draft_tender,
    events_since,
    ready_tender,
)
from tests.test_api_errors import error_of

BASE = "/api/v1/tenders"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def buyer(cast) -> Client:
    _token, raw = create_api_token(user=cast.buyer, name="ERP", actor=cast.buyer)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_lists_published_tenders_to_anyone(cast):
    published = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    draft_tender(cast.agency)
    response = Client().get(BASE, {"status": "enquiries", "q": "insulin"})
    assert response.status_code == 200
    assert response.json()["items"] == [
        {
            "number": published.number,
            "agency_bin": cast.agency.bin,
            "title": "Insulin for 2026",
            "procedure": "open_tender",
            "status": "enquiries",
            "submission_deadline": "2026-02-09T13:00:00Z",
            "value": "3000000.00",
        }
    ]
    assert Client().get(BASE, {"procedure": "price_quotations"}).json()["items"] == []


def test_detail_has_lots_periods_and_what_happens_next(cast):
    published = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    body = Client().get(f"{BASE}/{published.number}").json()
    assert body["ocid"] == published.ocid
    assert body["lots"][0]["amount"] == "3000000.00"
    assert body["next"] == {
        "step": "Enquiries end and bidding opens",
        "at": "2026-02-04T13:00:00Z",
        "blocked_by": [],
    }


def test_a_draft_is_not_found_by_the_public(cast):
    tender = draft_tender(cast.agency)
    assert error_of(Client().get(f"{BASE}/{tender.number}"), 404)


def test_buyer_takes_a_tender_from_draft_to_published_and_cancels_it(cast, buyer):
    line = BudgetLineFactory(agency=cast.agency, programme_code="001")
    item = approved_item(cast.agency, line, planned_amount=Decimal("2000000.00"))

    created = post(
        buyer, BASE, {"agency_bin": cast.agency.bin, "title": "Insulin", "procedure": "open_tender"}
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert number == "T-2026-000001"
    assert created.json()["next"]["blocked_by"] == [
        "no lots yet",
        "no commission yet",
        "no periods yet",
    ]
    lot = post(buyer, f"{BASE}/{number}/lots", {"plan_items": [item.pk], "amount": "1500000.00"})
    assert lot.status_code == 201, lot.content
    assert lot.json()["lots"][0]["amount"] == "1500000.00"
    periods = post(
        buyer,
        f"{BASE}/{number}/periods",
        {"enquiry_end": "2026-02-04T18:00+05:00", "submission_deadline": "2026-02-09T13:00Z"},
    )
    assert periods.status_code == 200, periods.content
    commission = post(
        buyer,
        f"{BASE}/{number}/commission",
        {"chair": cast.commission[0].pk, "members": [cast.commission[1].pk], "threshold": 2},
    )
    assert commission.status_code == 200, commission.content
    before = counts()
    published = post(buyer, f"{BASE}/{number}/publish")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "enquiries"
    assert [e.action for e in events_since(before["events"])] == ["procurement.tender.published"]
    assert BudgetLine.objects.with_balances().get(pk=line.pk).reserved == Decimal("1500000.00")

    cancelled = post(buyer, f"{BASE}/{number}/cancel", {"reason": "other", "text": "Merged"})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["cancel_reason"] == "other"
    assert BudgetLine.objects.with_balances().get(pk=line.pk).reserved == Decimal("0.00")


def test_a_shortfall_is_refused_in_the_error_shape_and_nothing_is_reserved(cast, buyer):
    line = BudgetLineFactory(
        agency=cast.agency, programme_code="002", name="Dressings", approved_amount=Decimal("100")
    )
    tender = ready_tender(cast, line=line, amount="100.00")
    BudgetLine.objects.filter(pk=line.pk).update(approved_amount=Decimal("99.00"))
    before = counts()
    error = error_of(post(buyer, f"{BASE}/{tender.number}/publish"), 422)
    assert error["code"] == "budget_shortfall"
    assert error["message"] == (
        "Budget line 002/015 “Dressings” lacks 1.00 KZT: available 99.00, needed 100.00"
    )
    assert counts() == before
    assert Tender.objects.get(pk=tender.pk).status == "draft"


def test_other_agencies_buyers_are_refused(cast):
    _token, raw = create_api_token(user=cast.other_buyer, name="ERP", actor=cast.other_buyer)
    other = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"agency_bin": cast.agency.bin, "title": "Insulin", "procedure": "open_tender"}
    error = error_of(post(other, BASE, body), 403)
    assert error["message"] == "Only the agency's buyers and administrators run its tenders."
    assert error_of(post(Client(), BASE, body), 401)
