"""Operators verify, suspend and reinstate organisations; a suspended organisation's staff
lose the powers their roles gave them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.actions import Action
from audit.models import Entry
from suppliers.choices import OrganisationStatus
from suppliers.models import Organisation
from suppliers.permissions import can_manage_members, can_view_members
from suppliers.services.verification import (
    reinstate_organisation,
    suspend_organisation,
    verify_organisation,
)
from tests.factories import SupplierFactory


def fresh(organisation: Organisation) -> Organisation:
    # refresh_from_db() cannot set the protected FSM status field; load a new instance.
    return Organisation.objects.get(pk=organisation.pk)


def state(organisation: Organisation) -> tuple:
    row = fresh(organisation)
    return row.status, row.status_reason, row.verified_at, Entry.objects.count()


def the_event(action, organisation, actor) -> Entry:
    entry = Entry.objects.get()
    assert entry.action == action
    assert (entry.subject_type, entry.subject_id) == (
        "suppliers.organisation",
        str(organisation.pk),
    )
    assert entry.actor_id == actor.pk
    return entry


@pytest.fixture
def pending(db):
    return SupplierFactory(legal_name="Newcomer Trading LLP", status=OrganisationStatus.PENDING)


# --- allowed moves -------------------------------------------------------------------------


def test_operator_verifies_a_pending_organisation(cast, pending):
    verify_organisation(organisation=pending, actor=cast.operator)

    row = fresh(pending)
    assert row.status == OrganisationStatus.VERIFIED
    assert row.verified_at is not None
    entry = the_event(Action.ORGANISATION_VERIFIED, pending, cast.operator)
    assert entry.data == {"from": "pending", "to": "verified", "reason": ""}


def test_operator_suspends_a_verified_organisation_with_a_reason(cast):
    suspend_organisation(
        organisation=cast.supplier_org_a, actor=cast.operator, reason="  Forged licence  "
    )

    row = fresh(cast.supplier_org_a)
    assert row.status == OrganisationStatus.SUSPENDED
    assert row.status_reason == "Forged licence"
    entry = the_event(Action.ORGANISATION_SUSPENDED, cast.supplier_org_a, cast.operator)
    assert entry.data == {"from": "verified", "to": "suspended", "reason": "Forged licence"}


def test_operator_suspends_a_pending_application(cast, pending):
    suspend_organisation(organisation=pending, actor=cast.operator, reason="Documents missing")

    assert fresh(pending).status == OrganisationStatus.SUSPENDED
    entry = the_event(Action.ORGANISATION_SUSPENDED, pending, cast.operator)
    assert entry.data == {"from": "pending", "to": "suspended", "reason": "Documents missing"}


def test_operator_reinstates_a_suspended_organisation_keeping_its_first_verification(cast, pending):
    verify_organisation(organisation=pending, actor=cast.operator)
    verified_at = fresh(pending).verified_at
    suspend_organisation(organisation=pending, actor=cast.operator, reason="Audit")
    earlier = set(Entry.objects.values_list("pk", flat=True))

    reinstate_organisation(organisation=pending, actor=cast.operator, reason="Audit closed")

    row = fresh(pending)
    assert row.status == OrganisationStatus.VERIFIED
    assert row.status_reason == "Audit closed"
    assert row.verified_at == verified_at
    entry = Entry.objects.exclude(pk__in=earlier).get()
    assert entry.action == Action.ORGANISATION_REINSTATED
    assert (entry.subject_type, entry.subject_id) == ("suppliers.organisation", str(pending.pk))
    assert entry.actor_id == cast.operator.pk
    assert entry.data == {"from": "suspended", "to": "verified", "reason": "Audit closed"}


# --- refused moves -------------------------------------------------------------------------


def test_refuses_to_verify_an_organisation_already_verified(cast):
    before = state(cast.supplier_org_a)

    with pytest.raises(
        ValidationError, match="Only an organisation awaiting verification"
    ) as refusal:
        verify_organisation(organisation=cast.supplier_org_a, actor=cast.operator)

    assert refusal.value.code == "invalid_status"
    assert state(cast.supplier_org_a) == before


def test_refuses_to_verify_a_suspended_organisation(cast):
    suspend_organisation(organisation=cast.supplier_org_a, actor=cast.operator, reason="Audit")
    before = state(cast.supplier_org_a)

    with pytest.raises(ValidationError, match="awaiting verification"):
        verify_organisation(organisation=cast.supplier_org_a, actor=cast.operator)

    assert state(cast.supplier_org_a) == before


def test_refuses_to_reinstate_a_verified_organisation(cast):
    before = state(cast.supplier_org_a)

    with pytest.raises(ValidationError, match="Only a suspended organisation"):
        reinstate_organisation(
            organisation=cast.supplier_org_a, actor=cast.operator, reason="Why not"
        )

    assert state(cast.supplier_org_a) == before


def test_refuses_to_reinstate_a_pending_application(cast, pending):
    before = state(pending)

    with pytest.raises(ValidationError, match="Only a suspended organisation"):
        reinstate_organisation(organisation=pending, actor=cast.operator, reason="Shortcut")

    assert state(pending) == before


def test_refuses_to_suspend_twice(cast):
    suspend_organisation(organisation=cast.supplier_org_a, actor=cast.operator, reason="Audit")
    before = state(cast.supplier_org_a)

    with pytest.raises(ValidationError, match="already suspended"):
        suspend_organisation(organisation=cast.supplier_org_a, actor=cast.operator, reason="Again")

    assert state(cast.supplier_org_a) == before


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_refuses_to_suspend_without_a_reason(cast, reason):
    before = state(cast.supplier_org_a)

    with pytest.raises(ValidationError, match="Give the reason") as refusal:
        suspend_organisation(organisation=cast.supplier_org_a, actor=cast.operator, reason=reason)

    assert list(refusal.value.message_dict) == ["reason"]
    assert state(cast.supplier_org_a) == before


def test_refuses_to_reinstate_without_a_reason(cast):
    suspend_organisation(organisation=cast.supplier_org_a, actor=cast.operator, reason="Audit")
    before = state(cast.supplier_org_a)

    with pytest.raises(ValidationError, match="Give the reason"):
        reinstate_organisation(organisation=cast.supplier_org_a, actor=cast.operator, reason=" ")

    assert state(cast.supplier_org_a) == before


@pytest.mark.parametrize("who", ["supplier_a", "agency_admin", "auditor", "reviewer", "outsider"])
def test_refuses_verification_moves_by_anyone_but_an_operator(cast, pending, who):
    actor = getattr(cast, who)
    before = (state(pending), state(cast.supplier_org_a))

    with pytest.raises(PermissionDenied, match="Only platform operators"):
        verify_organisation(organisation=pending, actor=actor)
    with pytest.raises(PermissionDenied, match="Only platform operators"):
        suspend_organisation(organisation=cast.supplier_org_a, actor=actor, reason="Grudge")

    assert (state(pending), state(cast.supplier_org_a)) == before


def test_refuses_an_operator_whose_account_was_disabled(cast, pending):
    cast.operator.is_active = False
    cast.operator.save()

    with pytest.raises(PermissionDenied):
        verify_organisation(organisation=pending, actor=cast.operator)

    assert fresh(pending).status == OrganisationStatus.PENDING
    assert not Entry.objects.exists()


# --- what suspension takes away ------------------------------------------------------------


def test_suspended_organisations_admin_can_no_longer_manage_members(cast):
    assert can_manage_members(cast.supplier_org_a, cast.supplier_a)

    suspend_organisation(organisation=cast.supplier_org_a, actor=cast.operator, reason="Audit")

    admin = type(cast.supplier_a).objects.get(pk=cast.supplier_a.pk)  # a new request's user
    assert not can_manage_members(fresh(cast.supplier_org_a), admin)
    # even with the stale in-memory organisation the membership no longer counts
    assert not can_manage_members(cast.supplier_org_a, admin)
    assert not can_view_members(fresh(cast.supplier_org_a), admin)


def test_reinstated_organisations_admin_gets_the_powers_back(cast):
    suspend_organisation(organisation=cast.supplier_org_a, actor=cast.operator, reason="Audit")
    reinstate_organisation(organisation=cast.supplier_org_a, actor=cast.operator, reason="Cleared")

    admin = type(cast.supplier_a).objects.get(pk=cast.supplier_a.pk)
    assert can_manage_members(fresh(cast.supplier_org_a), admin)


def test_suspension_does_not_touch_other_organisations_staff(cast):
    suspend_organisation(organisation=cast.supplier_org_a, actor=cast.operator, reason="Audit")

    other = type(cast.supplier_b).objects.get(pk=cast.supplier_b.pk)
    assert can_manage_members(cast.supplier_org_b, other)


def test_operator_keeps_managing_a_suspended_organisation(cast):
    suspend_organisation(organisation=cast.supplier_org_a, actor=cast.operator, reason="Audit")

    assert can_manage_members(fresh(cast.supplier_org_a), cast.operator)


def test_reinstating_an_organisation_suspended_before_verification_returns_it_to_pending(cast):
    pending = SupplierFactory(status="pending")
    suspend_organisation(organisation=pending, actor=cast.operator, reason="Documents look forged")
    reinstated = reinstate_organisation(
        organisation=pending, actor=cast.operator, reason="Documents checked"
    )
    assert fresh(reinstated).status == "pending"
