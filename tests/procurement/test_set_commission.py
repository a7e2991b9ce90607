"""The opening commission: a chair and members who are commission members of the agency,
and how many of them it takes to open (1 <= t <= n)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procurement.models import CommissionMember
from procurement.services.tenders import set_commission
from tests.procurement.factories import counts, draft_tender, events_since


@pytest.fixture
def tender(cast):
    return draft_tender(cast.agency)


def test_buyer_names_a_commission_of_three_two_needed(cast, tender):
    before = counts()
    seats = set_commission(
        tender=tender,
        chair=cast.commission[0],
        members=[cast.commission[1], cast.commission[2], cast.commission[0]],
        threshold=2,
        actor=cast.buyer,
    )
    assert [(s.user, s.role) for s in seats] == [
        (cast.commission[0], "chair"),
        (cast.commission[1], "member"),
        (cast.commission[2], "member"),
    ]
    tender.refresh_from_db()
    assert tender.opening_threshold == 2
    assert tender.has_commission()
    [event] = events_since(before["events"])
    assert event.action == "procurement.commission.appointed"
    assert event.data == {
        "chair": cast.commission[0].pk,
        "members": [cast.commission[1].pk, cast.commission[2].pk],
        "threshold": 2,
    }


def test_naming_it_again_replaces_the_commission(cast, tender):
    set_commission(tender=tender, chair=cast.buyer, members=[], threshold=1, actor=cast.buyer)
    set_commission(
        tender=tender,
        chair=cast.commission[0],
        members=[cast.commission[1]],
        threshold=1,
        actor=cast.buyer,
    )
    assert set(CommissionMember.objects.values_list("user", flat=True)) == {
        cast.commission[0].pk,
        cast.commission[1].pk,
    }


@pytest.mark.parametrize("threshold", [0, 3])
def test_threshold_is_between_one_and_the_size(cast, tender, threshold):
    with pytest.raises(ValidationError) as refused:
        set_commission(
            tender=tender,
            chair=cast.buyer,
            members=[cast.commission[0]],
            threshold=threshold,
            actor=cast.buyer,
        )
    assert refused.value.message_dict == {
        "threshold": ["The number needed to open is between 1 and 2, the commission's size."]
    }
    assert not CommissionMember.objects.exists()


@pytest.mark.parametrize("who", ["agency_admin", "other_buyer", "supplier_a", "outsider"])
def test_refuses_people_who_are_not_commission_members_of_the_agency(cast, tender, who):
    before = counts()
    stranger = getattr(cast, who)
    with pytest.raises(ValidationError) as refused:
        set_commission(
            tender=tender, chair=cast.buyer, members=[stranger], threshold=1, actor=cast.buyer
        )
    assert refused.value.message_dict == {
        "members": [f"{stranger.email} is not a commission member of City Hospital No. 7."]
    }
    assert counts() == before


def test_commission_members_themselves_may_not_name_it(cast, tender):
    with pytest.raises(PermissionDenied):
        set_commission(
            tender=tender, chair=cast.buyer, members=[], threshold=1, actor=cast.commission[0]
        )
