"""Entering a budget line: who may, what is refused, and the event it writes."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import BudgetLine
from procurement.services.budget import create_budget_line
from tests.conftest import cast_member
from tests.procurement.factories import BudgetLineFactory, counts, events_since

MEDICINES = {
    "fiscal_year": 2025,
    "programme_code": "001",
    "subprogramme_code": "015",
    "specifics_code": "149",
    "name": "Medicines and medical supplies",
    "approved_amount": Decimal("25000000.00"),
}


def test_buyer_enters_a_line_of_their_agency(cast):
    before = counts()

    line = create_budget_line(agency=cast.agency, actor=cast.buyer, **MEDICINES)

    line = BudgetLine.objects.with_balances().get(pk=line.pk)
    assert (line.agency, line.fiscal_year, line.code) == (cast.agency, 2025, "001/015")
    assert line.specifics_code == "149"
    assert line.currency == "KZT"
    assert line.approved_amount == Decimal("25000000.00")
    assert (line.reserved, line.obligated, line.paid) == (Decimal("0.00"),) * 3
    assert line.available == Decimal("25000000.00")
    [event] = events_since(before["events"])
    assert event.action == "procurement.budgetline.created"
    assert event.subject_id == str(line.pk)
    assert event.actor_id == cast.buyer.pk
    assert event.data == {
        "agency": cast.agency.pk,
        "fiscal_year": 2025,
        "programme_code": "001",
        "subprogramme_code": "015",
        "specifics_code": "149",
        "name": "Medicines and medical supplies",
        "approved_amount": "25000000.00",
        "currency": "KZT",
    }


@pytest.mark.parametrize("role", ["agency_admin", "buyer", "operator"])
def test_the_agencys_buyers_and_admins_and_operators_may_enter_lines(cast, role):
    line = create_budget_line(agency=cast.agency, actor=cast_member(cast, role), **MEDICINES)

    assert line.pk is not None


@pytest.mark.parametrize(
    "role",
    ["commission", "other_buyer", "supplier_a", "shady", "auditor", "reviewer", "outsider"],
)
def test_others_may_not_enter_lines(cast, role):
    before = counts()

    with pytest.raises(PermissionDenied, match="buyers and administrators"):
        create_budget_line(agency=cast.agency, actor=cast_member(cast, role), **MEDICINES)

    assert counts() == before


def test_anonymous_may_not_enter_lines(cast):
    with pytest.raises(PermissionDenied):
        create_budget_line(agency=cast.agency, actor=AnonymousUser(), **MEDICINES)


def test_a_supplier_has_no_budget_lines_even_for_an_operator(cast):
    before = counts()

    with pytest.raises(PermissionDenied):
        create_budget_line(agency=cast.supplier_org_a, actor=cast.operator, **MEDICINES)

    assert counts() == before


def test_refuses_a_second_line_for_the_same_programme_and_year(cast):
    create_budget_line(agency=cast.agency, actor=cast.buyer, **MEDICINES)
    before = counts()

    with pytest.raises(ValidationError) as refused:
        create_budget_line(
            agency=cast.agency, actor=cast.buyer, **{**MEDICINES, "name": "Medicines again"}
        )

    assert refused.value.message_dict == {
        "programme_code": ["The agency already has budget line 001/015 for 2025."]
    }
    assert counts() == before


def test_the_same_codes_are_fine_in_another_year_or_agency_or_subprogramme(cast):
    BudgetLineFactory(agency=cast.agency, fiscal_year=2025, programme_code="001")

    create_budget_line(agency=cast.agency, actor=cast.buyer, **{**MEDICINES, "fiscal_year": 2026})
    create_budget_line(agency=cast.other_agency, actor=cast.other_buyer, **MEDICINES)
    create_budget_line(
        agency=cast.agency, actor=cast.buyer, **{**MEDICINES, "subprogramme_code": "016"}
    )

    assert BudgetLine.objects.filter(programme_code="001").count() == 4


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"programme_code": "01"}, "programme_code", "exactly three digits"),
        ({"programme_code": "0a1"}, "programme_code", "exactly three digits"),
        ({"subprogramme_code": "15"}, "subprogramme_code", "exactly three digits"),
        ({"specifics_code": "1490"}, "specifics_code", "at most 3 characters"),
        ({"name": "  "}, "name", "cannot be blank"),
        ({"approved_amount": Decimal("-1.00")}, "approved_amount", "greater than or equal to 0"),
        ({"approved_amount": Decimal("1.005")}, "approved_amount", "2 decimal places"),
        ({"currency": "kzt"}, "currency", "ISO 4217"),
        ({"fiscal_year": 1999}, "fiscal_year", "greater than or equal to 2000"),
    ],
)
def test_refuses_invalid_details_naming_the_field(cast, changes, field, message):
    before = counts()

    with pytest.raises(ValidationError) as refused:
        create_budget_line(agency=cast.agency, actor=cast.buyer, **{**MEDICINES, **changes})

    assert field in refused.value.message_dict
    assert message in " ".join(refused.value.message_dict[field])
    assert counts() == before


def test_a_line_without_subprogramme_is_cited_by_programme_alone(cast):
    line = create_budget_line(
        agency=cast.agency, actor=cast.buyer, **{**MEDICINES, "subprogramme_code": ""}
    )

    assert line.code == "001"
    assert str(line) == "001 “Medicines and medical supplies”"


def test_two_clerks_entering_the_same_line_at_once_the_unique_index_decides(cast, monkeypatch):
    create_budget_line(agency=cast.agency, actor=cast.buyer, **MEDICINES)
    # The second clerk's check ran before the first one committed: only the index is left.
    monkeypatch.setattr("procurement.services.budget._refuse_duplicate", lambda line: None)
    monkeypatch.setattr(BudgetLine, "validate_constraints", lambda self, exclude=None: None)
    before = counts()

    with pytest.raises(ValidationError) as refused:
        create_budget_line(agency=cast.agency, actor=cast.agency_admin, **MEDICINES)

    assert refused.value.message_dict == {
        "programme_code": ["The agency already has budget line 001/015 for 2025."]
    }
    assert counts() == before


def test_a_line_belongs_to_a_buying_agency_whoever_builds_it(cast):
    line = BudgetLineFactory.build(agency=cast.supplier_org_a)

    with pytest.raises(ValidationError) as refused:
        line.full_clean()

    assert "Only buying agencies have budget lines." in refused.value.message_dict["agency"]
