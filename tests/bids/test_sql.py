"""bids/sql.py's BIDDER statement answers what the querysets named in its comment answer: the
supplier by BIN, whether the user acts for it, whether it is on the register at the instant,
and its registered certificate with that fingerprint, on SQLite and on PostgreSQL alike."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bids import sql
from bids.sql import bidder_facts
from pki.models import SigningCertificate
from suppliers.choices import OrganisationStatus
from suppliers.models import BlacklistEntry, Membership, Organisation
from tests.bids.blacklist_window import ENDS, STARTS
from tests.factories import BlacklistEntryFactory, make_bin

# Microseconds on purpose: SQLite compares the texts the ORM stores, and a boundary that only
# holds for whole seconds would pass unnoticed with round instants.
SECOND = dt.timedelta(seconds=1)
TICK = dt.timedelta(microseconds=1)
ALMATY = ZoneInfo("Asia/Almaty")


def facts(organisation, user=None, *, at=STARTS, **more):
    return bidder_facts(
        user_id=user.pk if user is not None else None, bin=organisation.bin, at=at, **more
    )


def orm_acts_for(user, organisation) -> bool:
    return Membership.objects.in_force().filter(user=user, organisation=organisation).exists()


def orm_blacklisted(organisation, at) -> bool:
    return BlacklistEntry.objects.in_force_at(at).filter(organisation=organisation).exists()


# --- the supplier ---------------------------------------------------------------------------


def test_an_unknown_bin_has_no_facts(cast):
    assert facts(Organisation(bin=make_bin()), cast.supplier_a) is None


def test_an_agency_bin_has_no_facts_even_for_its_member(cast):
    assert facts(cast.agency, cast.buyer) is None
    assert not Organisation.objects.suppliers().filter(bin=cast.agency.bin).exists()


def test_the_supplier_comes_back_with_its_fields_and_the_rest_deferred(
    cast, django_assert_num_queries
):
    Organisation.objects.filter(pk=cast.supplier_org_a.pk).update(short_name="Medservice")
    expected = Organisation.objects.get(pk=cast.supplier_org_a.pk)
    supplier = facts(cast.supplier_org_a, cast.supplier_a).supplier
    assert (supplier.pk, supplier.kind, supplier.bin, supplier.status) == (
        expected.pk,
        expected.kind,
        expected.bin,
        expected.status,
    )
    assert (supplier.legal_name, supplier.short_name) == ("Medservice Plus LLP", "Medservice")
    assert str(supplier) == "Medservice" == str(expected)
    assert supplier.is_verified
    assert supplier == expected
    assert "region" in supplier.get_deferred_fields()
    with django_assert_num_queries(1):
        assert supplier.region == expected.region == "astana"
    assert "region" not in supplier.get_deferred_fields()


def test_str_falls_back_to_the_legal_name(cast):
    supplier = facts(cast.supplier_org_b).supplier
    assert supplier.short_name == ""
    assert str(supplier) == "Steppe Construction JSC"


# --- acts_for: Membership.objects.in_force() --------------------------------------------------


def test_an_active_member_acts_for_the_supplier(cast):
    assert facts(cast.supplier_org_a, cast.supplier_a).acts_for is True
    assert orm_acts_for(cast.supplier_a, cast.supplier_org_a) is True


def test_a_member_of_another_supplier_does_not_act_for_it(cast):
    found = facts(cast.supplier_org_a, cast.supplier_b)
    assert found.supplier.pk == cast.supplier_org_a.pk
    assert found.acts_for is False
    assert orm_acts_for(cast.supplier_b, cast.supplier_org_a) is False


def test_an_inactive_membership_does_not_act_for_the_supplier(cast):
    Membership.objects.filter(user=cast.supplier_a).update(is_active=False)
    assert facts(cast.supplier_org_a, cast.supplier_a).acts_for is False
    assert orm_acts_for(cast.supplier_a, cast.supplier_org_a) is False


def test_nobody_acts_for_a_supplier_without_a_user(cast):
    assert facts(cast.supplier_org_a, None).acts_for is False


@pytest.mark.parametrize(
    ("status", "acts"),
    [
        (OrganisationStatus.VERIFIED, True),
        (OrganisationStatus.PENDING, True),  # refused later, as not verified, not here
        (OrganisationStatus.SUSPENDED, False),
    ],
)
def test_only_a_suspended_supplier_has_nobody_acting_for_it(cast, status, acts):
    Organisation.objects.filter(pk=cast.supplier_org_a.pk).update(status=status)
    found = facts(cast.supplier_org_a, cast.supplier_a)
    assert found.supplier.status == status
    assert found.acts_for is acts
    assert orm_acts_for(cast.supplier_a, cast.supplier_org_a) is acts


# --- blacklisted: BlacklistEntry.objects.in_force_at(at) --------------------------------------


@pytest.mark.parametrize(
    ("at", "barred"),
    [
        (STARTS - SECOND, False),  # not yet started
        (STARTS - TICK, False),
        (STARTS, True),  # starts at the instant
        (STARTS + TICK, True),
        (ENDS - TICK, True),
        (ENDS, False),  # ended exactly at the instant: the end is exclusive
        (ENDS + SECOND, False),
        (STARTS.astimezone(ALMATY), True),  # the same instants, told in another zone
        (ENDS.astimezone(ALMATY), False),
    ],
)
def test_blacklisted_at_the_boundaries_of_an_entry(listed, at, barred):
    assert facts(listed, at=at).blacklisted is barred
    assert orm_blacklisted(listed, at) is barred


@pytest.mark.parametrize(
    ("at", "barred"),
    [
        (STARTS - TICK, False),
        (STARTS, True),
        (ENDS, True),
        (dt.datetime(2099, 1, 1, tzinfo=dt.UTC), True),
    ],
)
def test_blacklisted_for_good_from_the_start(listed_for_good, at, barred):
    assert facts(listed_for_good, at=at).blacklisted is barred
    assert orm_blacklisted(listed_for_good, at) is barred


def test_an_entry_of_another_supplier_does_not_bar_this_one(cast, listed):
    assert facts(cast.supplier_org_a, at=STARTS).blacklisted is False
    assert orm_blacklisted(cast.supplier_org_a, STARTS) is False


def test_a_boundary_moved_by_one_character_would_be_caught(listed, monkeypatch):
    """The comparisons above fail when the statement's end is made inclusive."""
    wrong = sql.BIDDER.replace("b.ends_at > %(at)s", "b.ends_at >= %(at)s")
    assert wrong != sql.BIDDER
    monkeypatch.setattr(sql, "BIDDER", wrong)
    assert facts(listed, at=ENDS).blacklisted is True
    assert orm_blacklisted(listed, ENDS) is False


# --- certificate ------------------------------------------------------------------------------


def registered(organisation) -> SigningCertificate:
    return SigningCertificate.objects.get(organisation=organisation)


def test_no_fingerprint_finds_no_certificate(cast, signer_a):
    found = facts(cast.supplier_org_a, cast.supplier_a)
    assert found.certificate is None
    assert found.signed_within_validity is False


def test_an_unregistered_fingerprint_finds_no_certificate(cast, signer_a):
    found = facts(cast.supplier_org_a, cast.supplier_a, fingerprint="ab" * 32)
    assert found.certificate is None
    assert found.signed_within_validity is False


def test_the_certificate_of_another_supplier_is_not_this_ones(cast, signer_a, signer_b):
    theirs = registered(cast.supplier_org_b)
    found = facts(
        cast.supplier_org_a,
        cast.supplier_a,
        fingerprint=theirs.fingerprint_sha256,
        at=theirs.not_before,
    )
    assert found.supplier.pk == cast.supplier_org_a.pk
    assert found.certificate is None
    assert found.signed_within_validity is False
    assert not SigningCertificate.objects.filter(
        organisation=cast.supplier_org_a, fingerprint_sha256=theirs.fingerprint_sha256
    ).exists()


def test_the_registered_certificate_comes_back(cast, signer_a, signer_b):
    ours = registered(cast.supplier_org_a)
    found = facts(cast.supplier_org_a, cast.supplier_a, fingerprint=ours.fingerprint_sha256)
    assert found.certificate is not None
    assert (found.certificate.pk, found.certificate.fingerprint_sha256) == (
        ours.pk,
        ours.fingerprint_sha256,
    )
    assert found.certificate.organisation_id == cast.supplier_org_a.pk
    assert found.certificate.organisation == cast.supplier_org_a
    assert bytes(found.certificate.der) == bytes(ours.der)  # deferred, loads on use


VALID_FROM = dt.datetime(2026, 1, 10, 6, 30, 0, 500000, tzinfo=dt.UTC)
VALID_UNTIL = dt.datetime(2027, 1, 10, 6, 30, 0, 500000, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("signed_at", "within"),
    [
        (VALID_FROM - SECOND, False),
        (VALID_FROM - TICK, False),
        (VALID_FROM, True),  # inclusive
        (VALID_UNTIL, True),  # inclusive
        (VALID_UNTIL + TICK, False),
        (VALID_UNTIL + SECOND, False),
        (VALID_FROM.astimezone(ALMATY), True),
        (VALID_UNTIL.astimezone(ALMATY) + SECOND, False),
    ],
)
def test_signed_within_validity_at_its_edges(cast, signer_a, signed_at, within):
    ours = registered(cast.supplier_org_a)
    SigningCertificate.objects.filter(pk=ours.pk).update(
        not_before=VALID_FROM, not_after=VALID_UNTIL
    )
    ours.refresh_from_db()
    found = facts(
        cast.supplier_org_a,
        cast.supplier_a,
        fingerprint=ours.fingerprint_sha256,
        signed_at=signed_at,
        at=STARTS,
    )
    assert found.certificate.pk == ours.pk
    assert found.signed_within_validity is within
    assert ours.is_valid_at(signed_at) is within
    assert (
        SigningCertificate.objects.filter(
            pk=ours.pk, not_before__lte=signed_at, not_after__gte=signed_at
        ).exists()
        is within
    )


@pytest.mark.parametrize(("at", "within"), [(VALID_FROM, True), (VALID_FROM - TICK, False)])
def test_without_a_signing_time_the_instant_asked_is_used(cast, signer_a, at, within):
    ours = registered(cast.supplier_org_a)
    SigningCertificate.objects.filter(pk=ours.pk).update(
        not_before=VALID_FROM, not_after=VALID_UNTIL
    )
    found = facts(cast.supplier_org_a, cast.supplier_a, fingerprint=ours.fingerprint_sha256, at=at)
    assert found.signed_within_validity is within


def test_a_validity_made_exclusive_would_be_caught(cast, signer_a, monkeypatch):
    ours = registered(cast.supplier_org_a)
    SigningCertificate.objects.filter(pk=ours.pk).update(
        not_before=VALID_FROM, not_after=VALID_UNTIL
    )
    wrong = sql.BIDDER.replace("%(signed)s <= c.not_after", "%(signed)s < c.not_after")
    assert wrong != sql.BIDDER
    monkeypatch.setattr(sql, "BIDDER", wrong)
    found = facts(cast.supplier_org_a, fingerprint=ours.fingerprint_sha256, signed_at=VALID_UNTIL)
    assert found.signed_within_validity is False
    assert SigningCertificate.objects.get(pk=ours.pk).is_valid_at(VALID_UNTIL) is True


def test_all_the_facts_at_once(cast, signer_a):
    """The joins do not multiply or lose rows when everything is there at once."""
    ours = registered(cast.supplier_org_a)
    BlacklistEntryFactory(organisation=cast.supplier_org_a, starts_at=STARTS, ends_at=None)
    BlacklistEntryFactory(organisation=cast.supplier_org_a, starts_at=STARTS - SECOND, ends_at=ENDS)
    found = facts(
        cast.supplier_org_a,
        cast.supplier_a,
        at=STARTS,
        fingerprint=ours.fingerprint_sha256,
        signed_at=ours.not_before,
    )
    assert found.supplier.pk == cast.supplier_org_a.pk
    assert (found.acts_for, found.blacklisted, found.signed_within_validity) == (True, True, True)
    assert found.certificate.pk == ours.pk
