"""The plans and budget API: the same rules and permissions as the pages, the one error shape,
and amounts as decimal strings."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.services.tokens import create_api_token
from procurement.models import BudgetLine, PlanItem
from tests.procurement.factories import (
    BudgetLineFactory,
    PlanItemFactory,
    counts,
    events_since,
    move,
    procedure,
)
from tests.test_api_errors import error_of

LINE = {
    "fiscal_year": 2025,
    "programme_code": "001",
    "subprogramme_code": "015",
    "name": "Medicines",
    "approved_amount": "12500000.00",
}
ITEM = {
    "fiscal_year": 2025,
    "budget_line": "001/015",
    "subject": "Insulin glargine",
    "nomenclature_code": "212013.900.000032",
    "quantity": "1200",
    "unit": "pack",
    "planned_amount": "3000000.00",
    "procedure": "open_tender",
    "planned_month": 4,
}


def base(cast) -> str:
    return f"/api/v1/plans/{cast.agency.bin}"


@pytest.fixture
def buyer(cast) -> Client:
    """The buyer's ERP system, with a personal token."""
    _token, raw = create_api_token(user=cast.buyer, name="ERP", actor=cast.buyer)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def medicines(cast):
    procedure("open_tender")
    line = BudgetLineFactory(
        agency=cast.agency,
        fiscal_year=2025,
        programme_code="001",
        subprogramme_code="015",
        name="Medicines",
        approved_amount=Decimal("12500000.00"),
    )
    move("reserve", line, "4000000.00")
    move("obligate", line, "3000000.00")
    move("pay", line, "1250000.50")
    return line


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_lists_lines_with_balances_as_decimal_strings(cast, buyer, medicines):
    BudgetLineFactory(agency=cast.agency, fiscal_year=2026, programme_code="001")

    response = buyer.get(f"{base(cast)}/budget-lines", {"fiscal_year": 2025})

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": medicines.pk,
            "agency_bin": cast.agency.bin,
            "fiscal_year": 2025,
            "code": "001/015",
            "programme_code": "001",
            "subprogramme_code": "015",
            "specifics_code": "",
            "name": "Medicines",
            "currency": "KZT",
            "approved_amount": "12500000.00",
            "reserved": "1000000.00",
            "obligated": "1749999.50",
            "paid": "1250000.50",
            "available": "8500000.00",
        }
    ]
    assert len(buyer.get(f"{base(cast)}/budget-lines").json()) == 2


def test_creates_a_line(cast, buyer):
    before = counts()

    response = post(buyer, f"{base(cast)}/budget-lines", LINE)

    assert response.status_code == 201, response.content
    assert response.json()["code"] == "001/015"
    assert response.json()["available"] == "12500000.00"
    assert BudgetLine.objects.get(agency=cast.agency).name == "Medicines"
    assert [e.action for e in events_since(before["events"])] == ["procurement.budgetline.created"]


def test_a_duplicate_line_is_422_naming_the_field(cast, buyer, medicines):
    before = counts()

    error = error_of(post(buyer, f"{base(cast)}/budget-lines", LINE), 422)

    assert error["code"] == "duplicate"
    assert error["message"] == "The agency already has budget line 001/015 for 2025."
    assert error["fields"] == {"programme_code": [error["message"]]}
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"programme_code": "1"}, "programme_code"),
        ({"approved_amount": "-1.00"}, "approved_amount"),
        ({"approved_amount": "1.001"}, "approved_amount"),
        ({"currency": "tenge"}, "currency"),
    ],
)
def test_invalid_line_details_are_422_naming_the_field(cast, buyer, changes, field):
    error = error_of(post(buyer, f"{base(cast)}/budget-lines", {**LINE, **changes}), 422)

    assert list(error["fields"]) == [field]
    assert not BudgetLine.objects.exists()


def test_an_auditor_reads_but_may_not_write(cast):
    client = Client()
    client.force_login(cast.auditor)

    assert client.get(f"{base(cast)}/budget-lines").status_code == 200
    error = error_of(post(client, f"{base(cast)}/budget-lines", LINE), 403)
    assert (
        error["message"] == "Only the agency's buyers and administrators keep its plan and budget."
    )


def test_a_supplier_may_not_even_read(cast):
    client = Client()
    client.force_login(cast.supplier_a)

    error = error_of(client.get(f"{base(cast)}/plan-items"), 403)

    assert "auditors and operators" in error["message"]


def test_without_a_token_it_is_401(cast):
    error_of(Client().get(f"{base(cast)}/budget-lines"), 401)


def test_an_unknown_agency_is_404(cast, buyer):
    error_of(buyer.get(f"/api/v1/plans/{cast.supplier_org_a.bin}/budget-lines"), 404)


def test_adds_a_plan_item_citing_line_and_procedure_by_code(cast, buyer, medicines):
    response = post(buyer, f"{base(cast)}/plan-items", ITEM)

    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("budget_line", "procedure", "status", "planned_amount")} == {
        "budget_line": "001/015",
        "procedure": "open_tender",
        "status": "draft",
        "planned_amount": "3000000.00",
    }
    assert PlanItem.objects.get().budget_line == medicines


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"budget_line": "002"}, "budget_line", "The agency has no budget line 002 for 2025."),
        ({"fiscal_year": 2026}, "budget_line", "The agency has no budget line 001/015 for 2026."),
        ({"procedure": "auction"}, "procedure", "There is no procedure with this code."),
    ],
)
def test_a_plan_item_citing_nothing_known_is_422(cast, buyer, medicines, changes, field, message):
    error = error_of(post(buyer, f"{base(cast)}/plan-items", {**ITEM, **changes}), 422)

    assert error["fields"] == {field: [message]}
    assert not PlanItem.objects.exists()


def test_lists_plan_items_by_year_and_status(cast, buyer, medicines):
    draft = PlanItemFactory(budget_line=medicines)
    PlanItemFactory(budget_line=medicines, status="approved")

    page = buyer.get(f"{base(cast)}/plan-items", {"fiscal_year": 2025, "status": "draft"}).json()

    assert page["count"] == 1
    assert [i["id"] for i in page["items"]] == [draft.pk]
    assert buyer.get(f"{base(cast)}/plan-items", {"fiscal_year": 2024}).json()["count"] == 0
    error_of(buyer.get(f"{base(cast)}/plan-items", {"status": "lost"}), 422)


def test_approves_and_then_refuses_a_second_approval(cast, buyer, medicines):
    item = PlanItemFactory(budget_line=medicines)
    url = f"{base(cast)}/plan-items/{item.pk}/approve"

    response = buyer.post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["approved_at"]

    error = error_of(buyer.post(url), 422)
    assert error["code"] == "invalid_status"
    assert error["message"] == "Only a draft plan item can be approved; this one is approved."


def test_cancels_with_a_reason(cast, buyer, medicines):
    item = PlanItemFactory(budget_line=medicines)
    url = f"{base(cast)}/plan-items/{item.pk}/cancel"

    error = error_of(post(buyer, url, {"reason": ""}), 422)
    assert list(error["fields"]) == ["reason"]

    response = post(buyer, url, {"reason": "Bought centrally"})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "Bought centrally"


def test_an_item_of_another_agency_is_404_under_this_one(cast, medicines):
    item = PlanItemFactory(budget_line=medicines)
    client = Client()
    client.force_login(cast.other_buyer)

    error_of(
        client.post(f"/api/v1/plans/{cast.other_agency.bin}/plan-items/{item.pk}/approve"), 404
    )
    assert PlanItem.objects.get(pk=item.pk).status == "draft"


def test_procedures_are_public(db):
    procedure("price_quotations")

    body = Client().get("/api/v1/plans/procedures").json()

    quotations = next(p for p in body if p["code"] == "price_quotations")
    assert quotations["value_ceiling"] == "15728000.00"
    assert quotations["submission_days"] == 2
