"""Who may bid for a supplier, asked in one query: the supplier, the actor's membership in
force, and the register of unreliable suppliers at the instant given."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from bids.checks import barred_at, bidder_for
from bids.errors import BidRefused
from suppliers.models import Membership
from tests.factories import BlacklistEntryFactory


def code(actor, bin, at) -> str:
    with pytest.raises(BidRefused) as caught:
        bidder_for(actor, bin, at)
    return caught.value.code


def test_a_member_of_a_verified_supplier_bids_for_it(cast):
    assert bidder_for(cast.supplier_a, cast.supplier_org_a.bin, timezone.now()).pk == (
        cast.supplier_org_a.pk
    )


def test_an_unknown_or_non_supplier_bin_is_refused(cast):
    assert code(cast.supplier_a, "000000000000", timezone.now()) == "bidder_unknown"
    assert code(cast.buyer, cast.agency.bin, timezone.now()) == "bidder_unknown"


def test_a_member_of_another_supplier_or_an_inactive_member_is_refused(cast):
    with pytest.raises(PermissionDenied):
        bidder_for(cast.supplier_b, cast.supplier_org_a.bin, timezone.now())
    Membership.objects.filter(user=cast.supplier_a).update(is_active=False)
    with pytest.raises(PermissionDenied):
        bidder_for(cast.supplier_a, cast.supplier_org_a.bin, timezone.now())


def test_a_suspended_supplier_has_no_member_who_may_bid(cast):
    type(cast.supplier_org_a).objects.filter(pk=cast.supplier_org_a.pk).update(status="suspended")
    with pytest.raises(PermissionDenied):
        bidder_for(cast.supplier_a, cast.supplier_org_a.bin, timezone.now())


@pytest.mark.parametrize(
    ("starts", "ends", "barred"),
    [
        (-10, 365, True),
        (-10, None, True),
        (0, 1, True),  # in force from this instant
        (-10, 0, False),  # ended at this instant: the end is exclusive
        (1, None, False),  # not yet in force
        (-10, -1, False),
    ],
)
def test_the_register_is_read_at_the_instant_given(cast, starts, ends, barred):
    at = timezone.now()
    BlacklistEntryFactory(
        organisation=cast.supplier_org_a,
        starts_at=at + dt.timedelta(days=starts),
        ends_at=None if ends is None else at + dt.timedelta(days=ends),
    )
    if barred:
        assert code(cast.supplier_a, cast.supplier_org_a.bin, at) == "bidder_blacklisted"
        assert barred_at(cast.supplier_org_a, at)
    else:
        assert bidder_for(cast.supplier_a, cast.supplier_org_a.bin, at) == cast.supplier_org_a
        assert not barred_at(cast.supplier_org_a, at)
