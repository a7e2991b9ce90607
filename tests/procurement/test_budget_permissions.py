"""Who may see and who may keep an agency's plan and budget, told for the whole cast."""

import pytest
from django.contrib.auth.models import AnonymousUser

from procurement.permissions import can_manage_budget, can_view_budget
from suppliers.models import Organisation
from suppliers.permissions import forget_memberships
from tests.conftest import ROLES, cast_member

# role: (may see the agency's budget, may keep it)
EXPECTED = {
    "anonymous": (False, False),
    "agency_admin": (True, True),
    "buyer": (True, True),
    "commission": (True, False),  # a commission member of the agency sees, but keeps nothing
    "other_buyer": (False, False),  # a buyer elsewhere is a stranger here
    "supplier_a": (False, False),
    "supplier_b": (False, False),
    "shady": (False, False),
    "auditor": (True, False),  # auditors watch every budget
    "reviewer": (False, False),
    "outsider": (False, False),
    "operator": (True, True),
}


def user(cast, role):
    return AnonymousUser() if role == "anonymous" else cast_member(cast, role)


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_and_who_keeps_the_agencys_budget(cast, role):
    assert (
        can_view_budget(cast.agency, user(cast, role)),
        can_manage_budget(cast.agency, user(cast, role)),
    ) == EXPECTED[role]


def test_the_other_agencys_buyer_keeps_their_own_budget(cast):
    assert can_manage_budget(cast.other_agency, cast.other_buyer)
    assert not can_manage_budget(cast.other_agency, cast.buyer)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_keeps_a_budget_for_a_supplier(cast, role):
    assert not can_manage_budget(cast.supplier_org_a, user(cast, role))
    assert not can_view_budget(cast.supplier_org_a, user(cast, role))


def test_staff_of_a_suspended_agency_lose_the_budget_but_operators_keep_it(cast):
    Organisation.objects.filter(pk=cast.agency.pk).update(status="suspended")
    agency = Organisation.objects.get(pk=cast.agency.pk)
    forget_memberships(cast.buyer)

    assert not can_view_budget(agency, cast.buyer)
    assert not can_manage_budget(agency, cast.buyer)
    assert can_manage_budget(agency, cast.operator)


def test_a_deactivated_operator_is_nobody(cast):
    cast.operator.is_active = False

    assert not can_view_budget(cast.agency, cast.operator)
    assert not can_manage_budget(cast.agency, cast.operator)
