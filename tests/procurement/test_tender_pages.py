"""The tender pages: the public list with search and filters, the detail with its lots,
periods in Almaty time and "What happens next", and the buyer's path from draft to
publication and cancellation."""

from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

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


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def published(cast):
    return publish_tender(tender=ready_tender(cast), actor=cast.buyer)


def test_the_list_shows_published_tenders_and_hides_drafts(cast, published):
    draft = draft_tender(cast.agency, title="Secret draft")
    html = page_text(Client().get(reverse("procurement:tender-list")))
    assert published.number in html
    assert draft.number not in html and "Secret draft" not in html


def test_the_list_searches_and_filters(cast, published):
    url = reverse("procurement:tender-list")
    assert published.number in page_text(Client().get(url, {"q": "insulin"}))
    assert published.number not in page_text(Client().get(url, {"q": "bulldozer"}))
    assert published.number in page_text(Client().get(url, {"status": "enquiries"}))
    assert published.number not in page_text(Client().get(url, {"status": "tendering"}))
    assert published.number in page_text(Client().get(url, {"agency": cast.agency.bin}))
    assert published.number not in page_text(Client().get(url, {"agency": cast.other_agency.bin}))
    assert published.number not in page_text(Client().get(url, {"procedure": "price_quotations"}))


def test_detail_shows_lots_periods_in_almaty_time_and_what_happens_next(cast, published):
    html = page_text(Client().get(published.get_absolute_url()))
    assert published.ocid in html
    assert "3,000,000.00" in html
    assert "04.02.2026 18:00" in html  # end of enquiries, 13:00 UTC
    assert "09.02.2026 18:00" in html
    assert "What happens next" in html
    assert "Enquiries end and bidding opens: <strong>04.02.2026 18:00</strong>" in html


def test_a_draft_says_what_blocks_its_publication(cast):
    tender = draft_tender(cast.agency)
    html = page_text(logged_in(cast.buyer).get(tender.get_absolute_url()))
    assert "Publication by the buyer" in html
    assert "<li>no lots yet</li>" in html
    assert "<li>no commission yet</li>" in html
    assert "<li>no periods yet</li>" in html


def test_buyer_goes_from_draft_to_published(cast):
    line = BudgetLineFactory(agency=cast.agency, programme_code="001")
    item = approved_item(cast.agency, line, planned_amount=Decimal("2000000.00"))
    client = logged_in(cast.buyer)
    create_url = reverse("procurement:tender-create", args=[cast.agency.bin])
    assert page_text(client.get(create_url))

    response = client.post(create_url, {"title": "Insulin", "procedure": "open_tender"})
    tender = Tender.objects.get()
    assert response["Location"] == tender.get_absolute_url()
    number = tender.number
    assert "Insulin glargine" in page_text(client.get(tender.get_absolute_url()))
    client.post(reverse("procurement:tender-lot-add", args=[number]), {"plan_items": [item.pk]})
    client.post(
        reverse("procurement:tender-periods", args=[number]),
        {"enquiry_end": "2026-02-04T18:00", "submission_deadline": "2026-02-09T18:00"},
    )
    client.post(
        reverse("procurement:tender-commission", args=[number]),
        {"chair": cast.buyer.pk, "members": [cast.commission[0].pk], "threshold": 2},
    )
    before = counts()
    response = client.post(reverse("procurement:tender-publish", args=[number]), follow=True)

    assert "The tender is published and its budget reserved." in page_text(response)
    tender = Tender.objects.get()
    assert tender.status == "enquiries"
    assert tender.enquiry_end.isoformat() == "2026-02-04T13:00:00+00:00"
    assert BudgetLine.objects.with_balances().get(pk=line.pk).reserved == Decimal("2000000.00")
    assert [e.action for e in events_since(before["events"])] == ["procurement.tender.published"]


def test_a_refusal_is_shown_on_the_tender_page(cast):
    tender = draft_tender(cast.agency)
    response = logged_in(cast.buyer).post(
        reverse("procurement:tender-publish", args=[tender.number]), follow=True
    )
    assert (
        "The tender cannot be published yet: no lots yet, no commission yet, no periods yet."
        in page_text(response)
    )
    response = logged_in(cast.buyer).post(
        reverse("procurement:tender-periods", args=[tender.number]),
        {"enquiry_end": "2026-02-03T18:00", "submission_deadline": "2026-02-09T18:00"},
    )
    # Shown again (400) with the problem next to its field and the values as typed.
    assert response.status_code == 400
    html = response.content.decode()
    errors = html.split('id="id_periods_enquiry_end_errors"')[1].split("</ul>")[0]
    assert "Enquiries last at least 2 working days" in errors
    assert 'value="2026-02-09T18:00"' in html
    assert "Nothing was changed: see the problems marked below." in html


def test_buyer_cancels_and_the_budget_is_released(cast, published):
    response = logged_in(cast.buyer).post(
        reverse("procurement:tender-cancel", args=[published.number]),
        {"reason": "budget_cut", "text": "Budget law amended"},
        follow=True,
    )
    assert "The tender was cancelled and its budget released." in page_text(response)
    assert Tender.objects.get(pk=published.pk).status == "cancelled"
    line = BudgetLine.objects.with_balances().get(pk=published.lots.get().budget_line_id)
    assert line.reserved == Decimal("0.00")


def test_the_forms_are_only_for_the_agencys_buyers(cast, published):
    tender = draft_tender(cast.agency)
    assert "Add the lot" in page_text(logged_in(cast.buyer).get(tender.get_absolute_url()))
    assert "Add the lot" not in page_text(
        logged_in(cast.commission[0]).get(tender.get_absolute_url())
    )
    assert "Cancel the tender" not in page_text(Client().get(published.get_absolute_url()))


def test_operators_read_tenders_in_the_admin(cast, published):
    cast.operator.is_superuser = True  # admin models need their view permission
    cast.operator.save()
    client = logged_in(cast.operator)
    assert published.number in page_text(client.get("/admin/procurement/tender/"))
    assert page_text(client.get(f"/admin/procurement/tender/{published.pk}/change/"))
