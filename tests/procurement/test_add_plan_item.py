"""Adding an item to the annual plan: from the agency's own line of the same year, by a
procedure that is in use and whose ceiling the amount fits."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import PlanItem, Procedure
from procurement.services.budget import add_plan_item
from tests.conftest import cast_member
from tests.procurement.factories import BudgetLineFactory, counts, events_since, procedure


@pytest.fixture
def line(cast):
    return BudgetLineFactory(
        agency=cast.agency, fiscal_year=2025, programme_code="001", subprogramme_code="015"
    )


def details(cast, line, **changes) -> dict:
    return {
        "agency": cast.agency,
        "budget_line": line,
        "fiscal_year": 2025,
        "subject": "Insulin glargine 100 IU/ml",
        "nomenclature_code": "212013.900.000032",
        "quantity": Decimal("1200"),
        "unit": "pack",
        "planned_amount": Decimal("3000000.00"),
        "procedure": procedure("open_tender"),
        "planned_month": 3,
        **changes,
    }


def test_buyer_adds_a_draft_item(cast, line):
    before = counts()

    item = add_plan_item(actor=cast.buyer, **details(cast, line))

    item = PlanItem.objects.get(pk=item.pk)
    assert item.status == "draft"
    assert (item.agency, item.budget_line, item.fiscal_year) == (cast.agency, line, 2025)
    assert item.currency == "KZT"
    assert item.created_by == cast.buyer
    assert item.approved_at is None
    [event] = events_since(before["events"])
    assert event.action == "procurement.planitem.added"
    assert event.data == {
        "agency": cast.agency.pk,
        "budget_line": line.pk,
        "fiscal_year": 2025,
        "subject": "Insulin glargine 100 IU/ml",
        "nomenclature_code": "212013.900.000032",
        "quantity": "1200",
        "unit": "pack",
        "planned_amount": "3000000.00",
        "currency": "KZT",
        "procedure": "open_tender",
        "planned_month": 3,
    }


@pytest.mark.parametrize("role", ["agency_admin", "buyer", "operator"])
def test_buyers_admins_and_operators_may_add_items(cast, line, role):
    assert add_plan_item(actor=cast_member(cast, role), **details(cast, line)).pk


@pytest.mark.parametrize(
    "role", ["commission", "other_buyer", "supplier_a", "auditor", "reviewer", "outsider"]
)
def test_others_may_not_add_items(cast, line, role):
    before = counts()

    with pytest.raises(PermissionDenied):
        add_plan_item(actor=cast_member(cast, role), **details(cast, line))

    assert counts() == before


def _refusal(cast, line, **changes) -> dict:
    before = counts()
    with pytest.raises(ValidationError) as refused:
        add_plan_item(actor=cast.buyer, **details(cast, line, **changes))
    assert counts() == before
    return refused.value.message_dict


def test_refuses_a_line_of_another_agency(cast, line):
    theirs = BudgetLineFactory(agency=cast.other_agency, programme_code="002", subprogramme_code="")

    assert _refusal(cast, line, budget_line=theirs) == {
        "budget_line": ["Budget line 002 is not this agency's."]
    }


def test_another_agencys_buyer_cannot_plan_on_our_line_from_their_agency(cast, line):
    before = counts()

    with pytest.raises(ValidationError, match="not this agency's"):
        add_plan_item(actor=cast.other_buyer, **details(cast, line, agency=cast.other_agency))

    assert counts() == before


def test_refuses_a_line_of_another_year(cast, line):
    assert _refusal(cast, line, fiscal_year=2026) == {
        "fiscal_year": ["Budget line 001/015 is for 2025, not 2026."]
    }


def test_refuses_a_procedure_no_longer_in_use(cast, line):
    retired = Procedure.objects.create(
        code="two_stage", name="Two-stage tender", enquiry_days=2, submission_days=10,
        review_days=3, is_active=False,
    )  # fmt: skip

    assert _refusal(cast, line, procedure=retired) == {
        "procedure": ["Two-stage tender is no longer used."]
    }


def test_price_quotations_take_amounts_up_to_the_ceiling(cast, line):
    quotations = procedure("price_quotations")

    item = add_plan_item(
        actor=cast.buyer,
        **details(cast, line, procedure=quotations, planned_amount=Decimal("15728000.00")),
    )

    assert item.procedure == quotations


def test_refuses_price_quotations_one_tiyn_above_the_ceiling(cast, line):
    refusal = _refusal(
        cast,
        line,
        procedure=procedure("price_quotations"),
        planned_amount=Decimal("15728000.01"),
    )

    assert refusal == {
        "planned_amount": [
            "Request for price quotations may be used up to 15,728,000.00 KZT; "
            "the planned amount is 15,728,000.01 KZT."
        ]
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"planned_month": 13}, "planned_month"),
        ({"planned_month": 0}, "planned_month"),
        ({"quantity": Decimal("0")}, "quantity"),
        ({"planned_amount": Decimal("0.00")}, "planned_amount"),
        ({"planned_amount": Decimal("10.001")}, "planned_amount"),
        ({"subject": " "}, "subject"),
        ({"nomenclature_code": ""}, "nomenclature_code"),
        ({"unit": ""}, "unit"),
    ],
)
def test_refuses_invalid_details_naming_the_field(cast, line, changes, field):
    assert field in _refusal(cast, line, **changes)
