"""Entering organisations into the registers: suppliers sign themselves up, operators enter
government bodies, administrators keep the details up to date."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import Role
from accounts.models import User
from audit.actions import Action
from audit.models import Entry
from suppliers.bin import check_digit
from suppliers.choices import OrganisationKind, OrganisationStatus
from suppliers.models import Membership, Organisation
from suppliers.services.registration import (
    register_organisation,
    register_supplier,
    update_organisation,
)
from tests.factories import PASSWORD, make_bin

STRONG_PASSWORD = "violet-harbour-lantern-42"


def snapshot() -> dict:
    return {
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "entries": Entry.objects.count(),
    }


def company(**overrides) -> dict:
    details = {
        "bin": make_bin(),
        "legal_name": "Aral Pharma LLP",
        "region": "almaty_city",
        "address": "Almaty, Abay Avenue 10",
        "contact_email": "office@aralpharma.kz",
    }
    return {**details, **overrides}


def new_person(**overrides) -> dict:
    return {
        "email": "founder@aralpharma.kz",
        "full_name": "Aigerim Nurlanovna",
        "password": STRONG_PASSWORD,
        **overrides,
    }


# --- register_supplier -------------------------------------------------------------------


def test_anonymous_signup_creates_user_pending_supplier_admin_membership_and_one_event(db):
    details = company()

    organisation, user = register_supplier(details=details, actor=None, new_user=new_person())

    assert user.email == "founder@aralpharma.kz"
    assert user.check_password(STRONG_PASSWORD)
    assert organisation.kind == OrganisationKind.SUPPLIER
    assert organisation.status == OrganisationStatus.PENDING
    assert organisation.bin == details["bin"]
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.role, membership.is_active) == (user, Role.ADMIN, True)
    assert membership.added_by == user
    entry = Entry.objects.get()
    assert entry.action == Action.ORGANISATION_REGISTERED
    assert (entry.subject_type, entry.subject_id) == (
        "suppliers.organisation",
        str(organisation.pk),
    )
    assert entry.actor_id == user.pk
    assert entry.data == {
        "kind": "supplier",
        "bin": details["bin"],
        "legal_name": "Aral Pharma LLP",
        "region": "almaty_city",
        "status": "pending",
        "admin": user.pk,
        "membership": membership.pk,
    }


def test_signup_stores_the_email_in_lower_case(db):
    _organisation, user = register_supplier(
        details=company(), actor=None, new_user=new_person(email="  Founder@AralPharma.KZ ")
    )

    assert user.email == "founder@aralpharma.kz"
    assert Entry.objects.get().actor_id == user.pk


def test_logged_in_user_registers_a_company_and_becomes_its_admin(cast):
    before = snapshot()

    organisation, user = register_supplier(details=company(), actor=cast.outsider)

    assert user == cast.outsider
    assert organisation.status == OrganisationStatus.PENDING
    assert Membership.objects.filter(
        user=cast.outsider, organisation=organisation, role=Role.ADMIN, is_active=True
    ).exists()
    assert snapshot() == {
        **before,
        "organisations": before["organisations"] + 1,
        "memberships": before["memberships"] + 1,
        "entries": 1,
    }
    entry = Entry.objects.get()
    assert entry.action == Action.ORGANISATION_REGISTERED
    assert entry.subject_id == str(organisation.pk)
    assert entry.actor_id == cast.outsider.pk
    assert entry.data["admin"] == cast.outsider.pk


def test_logged_in_user_may_register_a_second_company(cast):
    organisation, _user = register_supplier(details=company(), actor=cast.supplier_a)

    assert {o.pk for o in Organisation.objects.filter(memberships__user=cast.supplier_a)} == {
        cast.supplier_org_a.pk,
        organisation.pk,
    }
    entry = Entry.objects.get()
    assert (entry.action, entry.subject_id) == (
        Action.ORGANISATION_REGISTERED,
        str(organisation.pk),
    )
    assert entry.actor_id == cast.supplier_a.pk


def test_refuses_a_bin_already_in_the_register_naming_the_bin_field(cast):
    before = snapshot()

    with pytest.raises(ValidationError, match="already") as refusal:
        register_supplier(
            details=company(bin=cast.supplier_org_a.bin), actor=None, new_user=new_person()
        )

    assert list(refusal.value.message_dict) == ["bin"]
    assert snapshot() == before
    assert not User.objects.filter(email="founder@aralpharma.kz").exists()


def test_refuses_an_invalid_bin_saying_which_check_digit_is_expected(db):
    before = snapshot()

    with pytest.raises(ValidationError, match="should be 5, not 6") as refusal:
        register_supplier(details=company(bin="940140000386"), actor=None, new_user=new_person())

    assert list(refusal.value.message_dict) == ["bin"]
    assert snapshot() == before


def test_refuses_a_bin_of_the_wrong_length(db):
    before = snapshot()

    with pytest.raises(ValidationError, match="12 digits"):
        register_supplier(details=company(bin="12345"), actor=None, new_user=new_person())

    assert snapshot() == before


def test_accepts_a_sole_trader_with_a_valid_iin(db):
    body = "85121530001"
    iin = body + str(check_digit(body))

    organisation, _user = register_supplier(
        details=company(bin=iin, is_sole_trader=True, legal_name="IE Bekova A."),
        actor=None,
        new_user=new_person(),
    )

    assert organisation.is_sole_trader
    entry = Entry.objects.get()
    assert (entry.action, entry.subject_id) == (
        Action.ORGANISATION_REGISTERED,
        str(organisation.pk),
    )
    assert entry.data["bin"] == iin


def test_refuses_a_weak_password_naming_the_password_field_and_leaves_no_user(db):
    before = snapshot()

    with pytest.raises(ValidationError, match="too short") as refusal:
        register_supplier(details=company(), actor=None, new_user=new_person(password="123"))

    assert list(refusal.value.message_dict) == ["password"]
    assert snapshot() == before


def test_refuses_a_password_like_the_email_and_leaves_no_user(db):
    before = snapshot()

    with pytest.raises(ValidationError, match="too similar") as refusal:
        register_supplier(
            details=company(),
            actor=None,
            new_user=new_person(email="aralpharmafounder@example.kz", password="aralpharmafounder"),
        )

    assert "password" in refusal.value.message_dict
    assert snapshot() == before


def test_refuses_an_email_that_already_has_an_account_and_changes_nothing(cast):
    before = snapshot()

    with pytest.raises(ValidationError, match="log in first") as refusal:
        register_supplier(
            details=company(), actor=None, new_user=new_person(email="Outsider@Example.kz")
        )

    assert list(refusal.value.message_dict) == ["email"]
    assert snapshot() == before
    assert User.objects.get(email="outsider@example.kz").check_password(PASSWORD)


def test_refuses_anonymous_registration_without_account_details(db):
    before = snapshot()

    with pytest.raises(ValidationError, match="name, email and a password"):
        register_supplier(details=company(), actor=None)

    assert snapshot() == before


def test_refuses_unknown_detail_fields(cast):
    before = snapshot()

    with pytest.raises(ValueError, match="status"):
        register_supplier(details=company(status="verified"), actor=cast.outsider)

    assert snapshot() == before


# --- register_organisation (operators enter government bodies) ------------------------------


def test_operator_registers_an_agency_verified_at_once(cast):
    details = {
        "bin": make_bin(),
        "legal_name": "Akimat of Kostanay",
        "region": "kostanay",
        "address": "Kostanay, Al-Farabi 1",
        "contact_email": "akimat@kostanay.gov.kz",
        "budget_admin_code": "123",
    }

    organisation = register_organisation(
        kind=OrganisationKind.AGENCY, details=details, actor=cast.operator
    )

    organisation = Organisation.objects.get(pk=organisation.pk)
    assert organisation.kind == OrganisationKind.AGENCY
    assert organisation.status == OrganisationStatus.VERIFIED
    assert organisation.verified_at is not None
    assert not organisation.memberships.exists()
    entry = Entry.objects.get()
    assert entry.action == Action.ORGANISATION_REGISTERED
    assert (entry.subject_type, entry.subject_id) == (
        "suppliers.organisation",
        str(organisation.pk),
    )
    assert entry.actor_id == cast.operator.pk
    assert entry.data == {
        "kind": "agency",
        "bin": details["bin"],
        "legal_name": "Akimat of Kostanay",
        "region": "kostanay",
        "status": "verified",
    }


@pytest.mark.parametrize("who", ["agency_admin", "buyer", "supplier_a", "auditor", "outsider"])
def test_refuses_register_organisation_for_anyone_but_an_operator(cast, who):
    before = snapshot()

    with pytest.raises(PermissionDenied, match="Only platform operators"):
        register_organisation(
            kind=OrganisationKind.AGENCY,
            details={
                "bin": make_bin(),
                "legal_name": "Fake Ministry",
                "region": "astana",
                "address": "Astana",
                "contact_email": "fake@gov.kz",
            },
            actor=getattr(cast, who),
        )

    assert snapshot() == before


def test_refuses_to_enter_a_supplier_through_register_organisation(cast):
    before = snapshot()

    with pytest.raises(ValidationError, match="Suppliers register themselves"):
        register_organisation(
            kind=OrganisationKind.SUPPLIER, details=company(), actor=cast.operator
        )

    assert snapshot() == before


def test_refuses_a_budget_code_for_a_review_body(cast):
    before = snapshot()

    with pytest.raises(ValidationError, match="Only buying agencies"):
        register_organisation(
            kind=OrganisationKind.REVIEW_BODY,
            details=company(budget_admin_code="226"),
            actor=cast.operator,
        )

    assert snapshot() == before


# --- update_organisation -------------------------------------------------------------------


def test_update_records_old_and_new_value_of_each_changed_field(cast):
    organisation = cast.supplier_org_a
    old_address = organisation.address

    update_organisation(
        organisation=organisation,
        changes={
            "address": "Astana, Mangilik El 55",
            "region": "astana",
            "short_name": "Medservice",
        },
        actor=cast.supplier_a,
    )

    organisation = Organisation.objects.get(pk=organisation.pk)
    assert organisation.address == "Astana, Mangilik El 55"
    assert organisation.short_name == "Medservice"
    entry = Entry.objects.get()
    assert entry.action == Action.ORGANISATION_UPDATED
    assert (entry.subject_type, entry.subject_id) == (
        "suppliers.organisation",
        str(organisation.pk),
    )
    assert entry.actor_id == cast.supplier_a.pk
    # region was already "astana": unchanged fields are not in the diff
    assert entry.data == {
        "changes": {
            "address": {"old": old_address, "new": "Astana, Mangilik El 55"},
            "short_name": {"old": "", "new": "Medservice"},
        }
    }


def test_update_records_a_parent_ministry_by_its_key(cast):
    ministry = register_organisation(
        kind=OrganisationKind.AGENCY,
        details={
            "bin": make_bin(),
            "legal_name": "Ministry of Health",
            "region": "astana",
            "address": "Astana",
            "contact_email": "moh@gov.kz",
        },
        actor=cast.operator,
    )

    update_organisation(
        organisation=cast.agency, changes={"parent_ministry": ministry}, actor=cast.agency_admin
    )

    entry = Entry.objects.filter(action=Action.ORGANISATION_UPDATED).get()
    assert entry.data == {"changes": {"parent_ministry": {"old": None, "new": ministry.pk}}}
    assert entry.actor_id == cast.agency_admin.pk


def test_update_writes_no_event_when_nothing_changed(cast):
    organisation = cast.supplier_org_a
    before = snapshot()

    update_organisation(
        organisation=organisation,
        changes={"legal_name": organisation.legal_name, "region": organisation.region},
        actor=cast.supplier_a,
    )

    assert snapshot() == before


def test_operator_may_update_any_organisation(cast):
    update_organisation(
        organisation=cast.supplier_org_b,
        changes={"contact_phone": "+7 701 000 00 00"},
        actor=cast.operator,
    )

    entry = Entry.objects.get()
    assert entry.actor_id == cast.operator.pk
    assert entry.data == {"changes": {"contact_phone": {"old": "", "new": "+7 701 000 00 00"}}}


@pytest.mark.parametrize(
    "who", ["buyer", "commission_member", "other_buyer", "supplier_a", "outsider"]
)
def test_refuses_update_by_anyone_but_the_organisations_admin(cast, who):
    actor = cast.commission[0] if who == "commission_member" else getattr(cast, who)
    before = snapshot()

    with pytest.raises(PermissionDenied, match="administrators"):
        update_organisation(organisation=cast.agency, changes={"address": "Elsewhere"}, actor=actor)

    assert snapshot() == before
    assert Organisation.objects.get(pk=cast.agency.pk).address != "Elsewhere"


def test_refuses_an_invalid_change_and_keeps_the_old_details(cast):
    organisation = cast.supplier_org_a
    before = snapshot()

    with pytest.raises(ValidationError, match="Only buying agencies"):
        update_organisation(
            organisation=organisation, changes={"budget_admin_code": "226"}, actor=cast.supplier_a
        )

    assert snapshot() == before
    organisation = Organisation.objects.get(pk=organisation.pk)
    assert organisation.budget_admin_code == ""


def test_refuses_to_change_the_bin_of_a_registered_organisation(cast):
    from audit.models import Entry
    from suppliers.services.registration import update_organisation

    before = Entry.objects.count()
    with pytest.raises(ValidationError, match="BIN cannot change"):
        update_organisation(
            organisation=cast.supplier_org_a, changes={"bin": make_bin()}, actor=cast.operator
        )
    assert Entry.objects.count() == before
