"""The public portal's page of an agency or a supplier: the agency's published tenders, the
supplier's bids once opened, their awards, contracts once signed with value, payments and
status, and the supplier's blacklist history; each section paginated on its own, the page
costing the same few queries however much there is."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from awards.models import Award
from bids.models import Bid
from contracts.models import Contract, Payment
from contracts.services.execution import accept_delivery, record_payment
from tests.awards.world import (
    award_world,
    fresh,
    on_a_monday,
    sign_as_buyer,
    sign_as_supplier,
    to_contracting,
)
from tests.factories import BlacklistEntryFactory, SupplierFactory
from tests.procurement.factories import approved_item, draft_tender

pytestmark = pytest.mark.django_db

QUERIES = 9  # the organisation, then a count and a page for each of up to four sections


def portal(organisation, user=None, **params):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("portal:organisation", args=[organisation.bin]), params)


def html_of(organisation, **params) -> str:
    response = portal(organisation, **params)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, name: str) -> str:
    match = re.search(rf'<section aria-labelledby="{name}">.*?</section>', html, re.S)
    return match.group(0) if match else ""


def published(agency, title: str = "Insulin for 2026", **fields):
    return draft_tender(
        agency, title=title, status="enquiries", published_at=timezone.now(), **fields
    )


# --- an agency ---------------------------------------------------------------------------------


def test_an_agency_shows_its_published_tenders_and_not_its_drafts(cast):
    tender = published(cast.agency, title="Bandages")
    draft = draft_tender(cast.agency, title="Secret draft")
    other = published(cast.other_agency, title="School desks")
    tenders = section(html_of(cast.agency), "tenders")
    assert tender.number in tenders and "Bandages" in tenders
    assert draft.number not in tenders and "Secret draft" not in tenders
    assert other.number not in tenders
    assert section(html_of(cast.agency), "bids") == ""  # an agency does not bid


def test_sections_are_paginated_each_with_its_own_stable_address(cast):
    tenders = [published(cast.agency, title=f"Batch {n}") for n in range(25)]
    for n, tender in enumerate(tenders):  # Batch 24 is the newest
        type(tender).objects.filter(pk=tender.pk).update(
            published_at=timezone.now() - dt.timedelta(minutes=100 - n)
        )
    first = section(html_of(cast.agency), "tenders")
    assert "(25)" in first and "Page 1 of 2" in first
    assert tenders[24].number in first and tenders[0].number not in first
    assert 'href="?tenders=2#tenders"' in first
    second = section(html_of(cast.agency, tenders=2), "tenders")
    assert tenders[0].number in second and tenders[24].number not in second
    assert 'href="?tenders=1#tenders"' in second


def test_the_register_page_links_to_the_portal_page(cast):
    for organisation in (cast.agency, cast.supplier_org_a):
        html = Client().get(organisation.get_absolute_url()).content.decode()
        assert f'href="{reverse("portal:organisation", args=[organisation.bin])}"' in html
    audit_body = Client().get(cast.audit_body.get_absolute_url()).content.decode()
    assert "/portal/organisations/" not in audit_body


def test_pending_organisations_and_other_kinds_have_no_portal_page(cast):
    from suppliers.choices import OrganisationStatus

    pending = SupplierFactory(status=OrganisationStatus.PENDING)
    assert portal(pending).status_code == 404
    assert portal(pending, cast.operator).status_code == 200
    assert portal(cast.audit_body).status_code == 404
    assert portal(cast.review_body).status_code == 404


# --- a supplier --------------------------------------------------------------------------------


def test_bids_are_listed_once_their_tender_is_opened(cast):
    with award_world(cast, opened=False) as world:
        bid = world.bids["a"]
        html = html_of(cast.supplier_org_a)
        assert bid.public_id not in html and world.tender.number not in html
        assert "No opened bids." in section(html, "bids")
    with award_world(cast) as world:
        bid = world.bids["a"]
        bids = section(html_of(cast.supplier_org_a), "bids")
        assert bid.public_id in bids and world.tender.number in bids
        assert "lot 1: 2,900,000.00; lot 2: 800,000.00" in bids
        assert "Opened: valid" in bids
        assert reverse("bids:opening-protocol", args=[world.tender.number]) in bids


def test_awards_and_signed_contracts_with_value_payments_and_status(cast):
    with on_a_monday() as clock, award_world(cast) as world:
        contracts = to_contracting(world, cast, clock, disqualified=("c",))
        contract = contracts[2]  # A won lot 2 at 800,000.00; B won lot 1
        sign_as_supplier(world, contract)
        sign_as_buyer(world, cast, fresh(contract))
        accept_delivery(
            contract=fresh(contract), actor=cast.buyer, amount="300000.00", description="Part"
        )
        record_payment(
            contract=fresh(contract), actor=cast.buyer, amount="300000.00", reference="PO-1"
        )

        supplier = html_of(cast.supplier_org_a)
        awards = section(supplier, "awards")
        assert world.tender.number in awards and "800,000.00" in awards
        assert cast.agency.legal_name in awards and "Active" in awards
        assert "Steppe Construction JSC" not in awards  # B's award is B's
        signed = section(supplier, "contracts")
        assert contract.number in signed
        assert "800,000.00" in signed and "300,000.00" in signed
        assert "Signed, in force" in signed

        agency = html_of(cast.agency)
        assert section(agency, "awards").count("Active") == 2
        agency_contracts = section(agency, "contracts")
        assert contract.number in agency_contracts
        assert contracts[1].number not in agency_contracts  # unsigned: not public yet
        assert "Medservice Plus LLP" in agency_contracts
        assert "(1)" in agency_contracts


def test_the_blacklist_history_shows_every_entry_with_basis_decision_and_dates(cast):
    ended = BlacklistEntryFactory(
        organisation=cast.shady_org,
        basis="contract_breach",
        basis_details="Deliveries late by 90 days",
        decision_reference="Order No. 17 of 02.03.2023",
        starts_at=timezone.now() - dt.timedelta(days=800),
        ends_at=timezone.now() - dt.timedelta(days=435),
        end_reason="Term served",
    )
    current = cast.shady_org.blacklist_entries.exclude(pk=ended.pk).get()
    history = section(html_of(cast.shady_org), "blacklist")
    assert history.index(current.decision_reference) < history.index(ended.decision_reference)
    assert "Failed to perform or improperly performed a contract" in history
    assert "Deliveries late by 90 days" in history and "Term served" in history
    assert "Internal State Audit Committee" in history
    assert history.count("not in force") == 1 and history.count(">in force<") == 1
    assert "Never entered" in section(html_of(cast.supplier_org_a), "blacklist")


# --- queries --------------------------------------------------------------------------------


def _more(cast, world, n: int) -> None:
    """n more of everything: tenders of the agency, and on each an award to supplier A, a
    signed contract with a payment, and an opened bid of A."""
    bid = world.bids["a"]
    start = Bid.objects.count()
    for i in range(start, start + n):
        tender = published(cast.agency, title=f"Syringes {i}")
        item = approved_item(cast.agency)
        lot = tender.lots.create(
            number=1, title="Syringes", amount=item.planned_amount, budget_line=item.budget_line
        )
        award = Award.objects.create(
            tender=tender,
            lot=lot,
            supplier=cast.supplier_org_a,
            price=Decimal("100.00"),
            currency="KZT",
            standstill_end=timezone.now(),
            status="active",
        )
        contract = Contract.objects.create(
            number=f"C-{tender.number}-1",
            award=award,
            tender=tender,
            lot=lot,
            agency=cast.agency,
            supplier=cast.supplier_org_a,
            original_price=award.price,
            price=award.price,
            currency="KZT",
            content=b"{}",
            sha256="0" * 64,
            sign_deadline=timezone.now(),
            signed_at=timezone.now(),
            status="active",
        )
        Payment.objects.create(
            contract=contract, number=1, amount=Decimal("50.00"), reference="PO", paid_by=cast.buyer
        )
        Bid.objects.create(
            **{
                f.attname: getattr(bid, f.attname)
                for f in Bid._meta.concrete_fields
                if f.attname not in ("id", "public_id", "sealed_sha256", "supersedes_id")
            },
            public_id=f"B-{i:020x}",
            sealed_sha256=f"{i:064x}",
        )


@pytest.mark.parametrize("who", ["agency", "supplier_org_a", "shady_org"])
def test_the_page_costs_the_same_few_queries_for_few_or_many_rows(
    cast, django_assert_max_num_queries, who
):
    with award_world(cast) as world:
        organisation = getattr(cast, who)
        _more(cast, world, 2)
        with django_assert_max_num_queries(QUERIES):
            assert portal(organisation).status_code == 200
        _more(cast, world, 25)
        for _ in range(3):
            BlacklistEntryFactory(organisation=cast.shady_org)
        with django_assert_max_num_queries(QUERIES):
            html = portal(organisation).content.decode()
        if who == "supplier_org_a":
            assert "(28)" in section(html, "bids") and "Page 1 of 2" in section(html, "bids")
            assert "(27)" in section(html, "contracts")
            # A section's links keep the other sections' pages.
            html = portal(organisation, bids=2).content.decode()
            assert 'href="?bids=2&amp;contracts=2#contracts"' in section(html, "contracts")
