"""Minimal valid objects. Factories write rows directly (no services, no audit events):
they set the stage; the behaviour under test goes through the services."""

import datetime as dt
import itertools

import factory
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from suppliers.bin import check_digit
from suppliers.choices import OrganisationKind, OrganisationStatus
from suppliers.models import BlacklistEntry, Membership, Organisation

PASSWORD = "correct-horse-battery-staple"

_serials = itertools.count(1)


def make_bin(serial: int | None = None) -> str:
    """A valid BIN (registered in month 01-12 of some year, type digit 4), unique per serial."""
    serial = next(_serials) if serial is None else serial
    while True:
        first = f"{(serial // 12) % 100:02d}{serial % 12 + 1:02d}4{serial % 1000000:06d}"[:11]
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)
        serial = next(_serials)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.kz")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.SUPPLIER
    bin = factory.LazyFunction(make_bin)
    legal_name = factory.Sequence(lambda n: f"Company {n} LLP")
    region = "astana"
    address = factory.Sequence(lambda n: f"Astana, Kabanbay Batyr {n}")
    contact_email = factory.Sequence(lambda n: f"office{n}@company.kz")
    status = OrganisationStatus.VERIFIED


class SupplierFactory(OrganisationFactory):
    kind = OrganisationKind.SUPPLIER


class AgencyFactory(OrganisationFactory):
    kind = OrganisationKind.AGENCY
    legal_name = factory.Sequence(lambda n: f"State Agency {n}")
    budget_admin_code = "226"


class AuditBodyFactory(OrganisationFactory):
    kind = OrganisationKind.AUDIT_BODY
    legal_name = "Internal State Audit Committee"


class ReviewBodyFactory(OrganisationFactory):
    kind = OrganisationKind.REVIEW_BODY
    legal_name = "Complaints Review Department"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(SupplierFactory)
    role = Role.ADMIN


class BlacklistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlacklistEntry

    organisation = factory.SubFactory(SupplierFactory)
    basis = "contract_evasion"
    decision_reference = factory.Sequence(lambda n: f"Order No. {n}")
    decided_by = "Internal State Audit Committee"
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    ends_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=365))
    created_by = factory.SubFactory(UserFactory, is_staff=True)


def member(organisation: Organisation, *roles: str, **user_fields) -> User:
    user = UserFactory(**user_fields)
    for role in roles:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return user
