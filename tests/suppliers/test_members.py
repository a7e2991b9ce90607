"""Who works for an organisation: administrators add colleagues who have an account, invite
those who do not, and end memberships, never leaving the organisation without an admin."""

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from audit.actions import Action
from audit.models import Entry
from suppliers.choices import OrganisationStatus
from suppliers.models import Invitation, Membership
from suppliers.services.members import (
    accept_invitation,
    add_member,
    deactivate_membership,
    invite_member,
    revoke_invitation,
)
from tests.factories import MembershipFactory, SupplierFactory, UserFactory

NEW_PASSWORD = "violet-harbour-lantern-42"
SECOND = dt.timedelta(seconds=1)


def snapshot() -> dict:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "active memberships": Membership.objects.filter(is_active=True).count(),
        "invitations": Invitation.objects.count(),
        "accepted": Invitation.objects.filter(accepted_at__isnull=False).count(),
        "entries": Entry.objects.count(),
    }


def new_events():
    return list(Entry.objects.order_by("seq"))


@pytest.fixture
def invited(cast):
    """An invitation from the agency's admin for someone without an account, to be a buyer."""
    invitation, raw = invite_member(
        organisation=cast.agency,
        email="new.buyer@example.kz",
        role=Role.BUYER,
        actor=cast.agency_admin,
    )
    return invitation, raw


# --- add_member ----------------------------------------------------------------------------


def test_admin_adds_an_existing_user_in_a_role_of_the_organisation(cast):
    membership = add_member(
        organisation=cast.agency, user=cast.outsider, role=Role.BUYER, actor=cast.agency_admin
    )

    assert (membership.user, membership.organisation, membership.role) == (
        cast.outsider,
        cast.agency,
        Role.BUYER,
    )
    assert membership.is_active
    assert membership.added_by == cast.agency_admin
    entry = Entry.objects.get()
    assert entry.action == Action.MEMBERSHIP_ADDED
    assert (entry.subject_type, entry.subject_id) == ("suppliers.membership", str(membership.pk))
    assert entry.actor_id == cast.agency_admin.pk
    assert entry.data == {"organisation": cast.agency.pk, "user": cast.outsider.pk, "role": "buyer"}


def test_operator_adds_a_member_to_any_organisation(cast):
    membership = add_member(
        organisation=cast.supplier_org_a,
        user=cast.outsider,
        role=Role.SUPPLIER_STAFF,
        actor=cast.operator,
    )

    entry = Entry.objects.get()
    assert entry.subject_id == str(membership.pk)
    assert entry.actor_id == cast.operator.pk


def test_refuses_a_role_the_kind_of_organisation_does_not_have_naming_the_allowed_roles(cast):
    before = snapshot()

    with pytest.raises(
        ValidationError,
        match="can have these roles only: Organisation administrator, Supplier staff",
    ) as refusal:
        add_member(
            organisation=cast.supplier_org_a,
            user=cast.outsider,
            role=Role.BUYER,
            actor=cast.supplier_a,
        )

    assert list(refusal.value.message_dict) == ["role"]
    assert snapshot() == before


def test_refuses_an_auditor_role_at_a_buying_agency(cast):
    before = snapshot()

    with pytest.raises(ValidationError, match="Buyer, Commission member"):
        add_member(
            organisation=cast.agency, user=cast.outsider, role=Role.AUDITOR, actor=cast.agency_admin
        )

    assert snapshot() == before


def test_refuses_a_role_the_user_already_holds_there(cast):
    before = snapshot()

    with pytest.raises(ValidationError, match="already has this role here") as refusal:
        add_member(
            organisation=cast.agency, user=cast.buyer, role=Role.BUYER, actor=cast.agency_admin
        )

    assert list(refusal.value.message_dict) == ["email"]
    assert snapshot() == before


def test_duplicate_role_refusal_carries_its_error_code(cast):
    # The API reports this code; ValidationError({...}, code=...) silently drops it.
    with pytest.raises(ValidationError) as refusal:
        add_member(
            organisation=cast.agency, user=cast.buyer, role=Role.BUYER, actor=cast.agency_admin
        )

    assert refusal.value.error_dict["email"][0].code == "duplicate_membership"


def test_adds_a_second_role_to_someone_already_a_member(cast):
    add_member(
        organisation=cast.agency, user=cast.commission[0], role=Role.BUYER, actor=cast.agency_admin
    )

    roles = set(
        cast.commission[0].memberships.filter(is_active=True).values_list("role", flat=True)
    )
    assert roles == {Role.COMMISSION_MEMBER, Role.BUYER}
    entry = Entry.objects.get()
    assert entry.action == Action.MEMBERSHIP_ADDED
    assert entry.data == {
        "organisation": cast.agency.pk,
        "user": cast.commission[0].pk,
        "role": "buyer",
    }


def test_gives_back_a_role_after_the_earlier_membership_ended(cast):
    old = Membership.objects.get(user=cast.buyer, organisation=cast.agency, role=Role.BUYER)
    deactivate_membership(membership=old, actor=cast.agency_admin)

    again = add_member(
        organisation=cast.agency, user=cast.buyer, role=Role.BUYER, actor=cast.agency_admin
    )

    assert again.pk != old.pk
    assert Membership.objects.filter(user=cast.buyer, role=Role.BUYER).count() == 2
    assert [(e.action, e.subject_id) for e in new_events()] == [
        (Action.MEMBERSHIP_DEACTIVATED, str(old.pk)),
        (Action.MEMBERSHIP_ADDED, str(again.pk)),
    ]


@pytest.mark.parametrize("who", ["supplier_b", "buyer", "other_buyer", "auditor", "outsider"])
def test_refuses_add_member_by_anyone_but_the_organisations_admin(cast, who):
    before = snapshot()

    with pytest.raises(PermissionDenied, match="Only the organisation's administrators"):
        add_member(
            organisation=cast.agency, user=cast.outsider, role=Role.BUYER, actor=getattr(cast, who)
        )

    assert snapshot() == before


def test_refuses_add_member_by_the_admin_of_a_suspended_organisation(db):
    suspended = SupplierFactory(status=OrganisationStatus.SUSPENDED)
    admin = UserFactory()
    MembershipFactory(user=admin, organisation=suspended, role=Role.ADMIN)
    newcomer = UserFactory()
    before = snapshot()

    with pytest.raises(PermissionDenied):
        add_member(organisation=suspended, user=newcomer, role=Role.SUPPLIER_STAFF, actor=admin)

    assert snapshot() == before


# --- invite_member --------------------------------------------------------------------------


def test_admin_invites_someone_by_email_and_gets_a_single_use_secret(cast):
    invitation, raw = invite_member(
        organisation=cast.agency,
        email=" New.Buyer@Example.kz ",
        role=Role.BUYER,
        actor=cast.agency_admin,
    )

    assert invitation.email == "new.buyer@example.kz"
    assert invitation.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert not Invitation.objects.filter(token_hash=raw).exists()
    valid_for = invitation.expires_at - invitation.created_at
    assert abs(valid_for - dt.timedelta(days=settings.INVITATION_VALID_DAYS)) < SECOND
    entry = Entry.objects.get()
    assert entry.action == Action.INVITATION_SENT
    assert (entry.subject_type, entry.subject_id) == ("suppliers.invitation", str(invitation.pk))
    assert entry.actor_id == cast.agency_admin.pk
    assert entry.data["organisation"] == cast.agency.pk
    assert entry.data["role"] == "buyer"
    assert "expires_at" in entry.data
    # The log is public: neither the secret nor the person's email go into it.
    payload = bytes(entry.payload)
    assert raw.encode() not in payload
    assert b"new.buyer" not in payload


def test_refuses_an_invitation_to_a_role_the_organisation_cannot_have(cast):
    before = snapshot()

    with pytest.raises(ValidationError, match="can have these roles only"):
        invite_member(
            organisation=cast.supplier_org_a,
            email="x@example.kz",
            role=Role.REVIEWER,
            actor=cast.supplier_a,
        )

    assert snapshot() == before


def test_refuses_an_invitation_with_an_invalid_email(cast):
    before = snapshot()

    with pytest.raises(ValidationError, match="email"):
        invite_member(
            organisation=cast.agency, email="not-an-email", role=Role.BUYER, actor=cast.agency_admin
        )

    assert snapshot() == before


@pytest.mark.parametrize("who", ["buyer", "supplier_a", "outsider"])
def test_refuses_invitations_by_anyone_but_the_organisations_admin(cast, who):
    before = snapshot()

    with pytest.raises(PermissionDenied):
        invite_member(
            organisation=cast.agency,
            email="x@example.kz",
            role=Role.BUYER,
            actor=getattr(cast, who),
        )

    assert snapshot() == before


# --- accept_invitation ----------------------------------------------------------------------


def test_existing_user_with_the_invited_email_accepts(cast):
    invitation, raw = invite_member(
        organisation=cast.agency,
        email="OUTSIDER@example.kz",
        role=Role.BUYER,
        actor=cast.agency_admin,
    )
    sent = Entry.objects.get()

    membership = accept_invitation(raw_token=raw, actor=cast.outsider)

    assert (membership.user, membership.organisation, membership.role) == (
        cast.outsider,
        cast.agency,
        "buyer",
    )
    assert membership.added_by == cast.agency_admin
    invitation = Invitation.objects.get(pk=invitation.pk)
    assert invitation.accepted_by == cast.outsider
    assert invitation.accepted_at is not None
    entry = Entry.objects.exclude(pk=sent.pk).get()
    assert entry.action == Action.INVITATION_ACCEPTED
    assert (entry.subject_type, entry.subject_id) == ("suppliers.invitation", str(invitation.pk))
    assert entry.actor_id == cast.outsider.pk
    assert entry.data == {"membership": membership.pk, "user": cast.outsider.pk, "role": "buyer"}


def test_new_person_signs_up_with_the_invited_email_and_accepts(cast, invited):
    invitation, raw = invited
    sent = Entry.objects.get()

    membership = accept_invitation(
        raw_token=raw,
        actor=None,
        new_user={"full_name": "Dana Serikovna", "password": NEW_PASSWORD},
    )

    user = membership.user
    assert user.email == "new.buyer@example.kz"
    assert user.full_name == "Dana Serikovna"
    assert user.check_password(NEW_PASSWORD)
    assert membership.role == Role.BUYER and membership.organisation == cast.agency
    entry = Entry.objects.exclude(pk=sent.pk).get()
    assert entry.action == Action.INVITATION_ACCEPTED
    assert entry.subject_id == str(invitation.pk)
    assert entry.actor_id == user.pk
    assert entry.data == {"membership": membership.pk, "user": user.pk, "role": "buyer"}


def test_a_new_person_cannot_choose_another_email_than_the_invited_one(cast, invited):
    _invitation, raw = invited

    membership = accept_invitation(
        raw_token=raw,
        actor=None,
        new_user={
            "email": "someone.else@example.kz",
            "full_name": "Dana",
            "password": NEW_PASSWORD,
        },
    )

    assert membership.user.email == "new.buyer@example.kz"
    assert not User.objects.filter(email="someone.else@example.kz").exists()
    assert new_events()[-1].data["user"] == membership.user.pk


def test_refuses_acceptance_from_an_account_with_another_email(cast, invited):
    invitation, raw = invited
    before = snapshot()

    with pytest.raises(
        PermissionDenied, match=re.escape("This invitation is for new.buyer@example.kz")
    ):
        accept_invitation(raw_token=raw, actor=cast.outsider)

    assert snapshot() == before
    assert Invitation.objects.get(pk=invitation.pk).is_open_at(timezone.now())


def test_refuses_a_weak_password_when_signing_up_and_keeps_the_invitation_open(cast, invited):
    invitation, raw = invited
    before = snapshot()

    with pytest.raises(ValidationError, match="too common") as refusal:
        accept_invitation(
            raw_token=raw, actor=None, new_user={"full_name": "Dana", "password": "password"}
        )

    assert list(refusal.value.message_dict) == ["password"]
    assert snapshot() == before
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_refuses_anonymous_acceptance_without_account_details(cast, invited):
    # A missing sign-up form must be a refusal the view can show, not a crash (TypeError).
    _invitation, raw = invited
    before = snapshot()

    with pytest.raises(ValidationError):
        accept_invitation(raw_token=raw, actor=None)

    assert snapshot() == before


def test_accepts_one_second_before_the_invitation_expires(cast):
    invitation, raw = invite_member(
        organisation=cast.agency,
        email=cast.outsider.email,
        role=Role.BUYER,
        actor=cast.agency_admin,
    )

    with time_machine.travel(invitation.expires_at - SECOND, tick=False):
        membership = accept_invitation(raw_token=raw, actor=cast.outsider)

    assert membership.is_active
    assert [e.action for e in new_events()] == [Action.INVITATION_SENT, Action.INVITATION_ACCEPTED]


@pytest.mark.parametrize("after", [dt.timedelta(0), SECOND, dt.timedelta(days=30)])
def test_refuses_an_invitation_at_or_after_its_expiry(cast, after):
    invitation, raw = invite_member(
        organisation=cast.agency,
        email=cast.outsider.email,
        role=Role.BUYER,
        actor=cast.agency_admin,
    )
    before = snapshot()

    with (
        time_machine.travel(invitation.expires_at + after, tick=False),
        pytest.raises(ValidationError, match="expired"),
    ):
        accept_invitation(raw_token=raw, actor=cast.outsider)

    assert snapshot() == before


def test_refuses_an_invitation_used_twice(cast):
    _invitation, raw = invite_member(
        organisation=cast.agency,
        email=cast.outsider.email,
        role=Role.BUYER,
        actor=cast.agency_admin,
    )
    accept_invitation(raw_token=raw, actor=cast.outsider)
    before = snapshot()

    with pytest.raises(ValidationError, match="already been used"):
        accept_invitation(raw_token=raw, actor=cast.outsider)

    assert snapshot() == before


def test_refuses_a_second_sign_up_with_a_used_invitation(cast, invited):
    _invitation, raw = invited
    accept_invitation(
        raw_token=raw, actor=None, new_user={"full_name": "Dana", "password": NEW_PASSWORD}
    )
    before = snapshot()

    with pytest.raises(ValidationError, match="already been used"):
        accept_invitation(
            raw_token=raw, actor=None, new_user={"full_name": "Eve", "password": NEW_PASSWORD}
        )

    assert snapshot() == before


def test_admin_withdraws_an_open_invitation(cast, invited):
    invitation, _raw = invited
    sent = Entry.objects.get()

    revoke_invitation(invitation=invitation, actor=cast.agency_admin)

    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    entry = Entry.objects.exclude(pk=sent.pk).get()
    assert entry.action == Action.INVITATION_REVOKED
    assert (entry.subject_type, entry.subject_id) == ("suppliers.invitation", str(invitation.pk))
    assert entry.actor_id == cast.agency_admin.pk


def test_refuses_a_withdrawn_invitation(cast, invited):
    invitation, raw = invited
    revoke_invitation(invitation=invitation, actor=cast.agency_admin)
    before = snapshot()

    with pytest.raises(ValidationError, match="withdrawn"):
        accept_invitation(
            raw_token=raw, actor=None, new_user={"full_name": "Dana", "password": NEW_PASSWORD}
        )

    assert snapshot() == before


def test_refuses_to_withdraw_an_invitation_twice(cast, invited):
    invitation, _raw = invited
    revoke_invitation(invitation=invitation, actor=cast.agency_admin)
    before = snapshot()

    with pytest.raises(ValidationError, match="Only an open invitation"):
        revoke_invitation(invitation=invitation, actor=cast.agency_admin)

    assert snapshot() == before


def test_refuses_withdrawal_by_someone_else(cast, invited):
    invitation, _raw = invited
    before = snapshot()

    with pytest.raises(PermissionDenied):
        revoke_invitation(invitation=invitation, actor=cast.buyer)

    assert snapshot() == before


@pytest.mark.parametrize("raw", ["", "made-up-token", "x" * 43])
def test_refuses_an_unknown_invitation_token(cast, invited, raw):
    before = snapshot()

    with pytest.raises(ValidationError, match="not valid"):
        accept_invitation(raw_token=raw, actor=cast.outsider)

    assert snapshot() == before


# --- deactivate_membership ------------------------------------------------------------------


def test_admin_ends_a_colleagues_membership(cast):
    membership = Membership.objects.get(user=cast.buyer, organisation=cast.agency, role=Role.BUYER)

    ended = deactivate_membership(membership=membership, actor=cast.agency_admin)

    ended = Membership.objects.get(pk=ended.pk)
    assert not ended.is_active
    assert ended.ended_at is not None
    # The other role of the same person is untouched.
    assert Membership.objects.get(user=cast.buyer, role=Role.COMMISSION_MEMBER).is_active
    entry = Entry.objects.get()
    assert entry.action == Action.MEMBERSHIP_DEACTIVATED
    assert (entry.subject_type, entry.subject_id) == ("suppliers.membership", str(membership.pk))
    assert entry.actor_id == cast.agency_admin.pk
    assert entry.data == {"organisation": cast.agency.pk, "user": cast.buyer.pk, "role": "buyer"}


def test_refuses_to_end_the_last_administrators_membership(cast):
    membership = Membership.objects.get(user=cast.agency_admin, role=Role.ADMIN)
    before = snapshot()

    with pytest.raises(ValidationError, match="last administrator") as refusal:
        deactivate_membership(membership=membership, actor=cast.agency_admin)

    assert refusal.value.code == "last_admin"
    assert snapshot() == before


def test_refuses_even_an_operator_to_leave_an_organisation_without_admin(cast):
    membership = Membership.objects.get(user=cast.supplier_a, role=Role.ADMIN)
    before = snapshot()

    with pytest.raises(ValidationError, match="last administrator"):
        deactivate_membership(membership=membership, actor=cast.operator)

    assert snapshot() == before


def test_an_admin_may_step_down_once_another_admin_exists(cast):
    add_member(organisation=cast.agency, user=cast.buyer, role=Role.ADMIN, actor=cast.agency_admin)
    membership = Membership.objects.get(user=cast.agency_admin, role=Role.ADMIN)

    deactivate_membership(membership=membership, actor=cast.agency_admin)

    assert not Membership.objects.get(pk=membership.pk).is_active
    assert (
        Entry.objects.filter(
            action=Action.MEMBERSHIP_DEACTIVATED, subject_id=str(membership.pk)
        ).count()
        == 1
    )


def test_refuses_to_end_a_membership_twice(cast):
    membership = Membership.objects.get(user=cast.buyer, role=Role.BUYER)
    deactivate_membership(membership=membership, actor=cast.agency_admin)
    before = snapshot()

    with pytest.raises(ValidationError, match="already ended"):
        deactivate_membership(membership=membership, actor=cast.agency_admin)

    assert snapshot() == before


@pytest.mark.parametrize("who", ["buyer", "other_buyer", "supplier_a", "outsider"])
def test_refuses_to_end_a_membership_for_anyone_but_the_admin(cast, who):
    membership = Membership.objects.get(user=cast.commission[0], role=Role.COMMISSION_MEMBER)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        deactivate_membership(membership=membership, actor=getattr(cast, who))

    assert snapshot() == before
