"""Operators see the award stage in the admin site, read-only, and find the winners a buyer
proposed for the blacklist; nothing there can add, change or delete a row."""

import hashlib

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from awards.models import Award, ResultsProtocol
from awards.results import results_bytes
from awards.services.results import publish_results
from awards.services.reviews import review_bid
from tests.awards.world import award_world, meets_all, sign

pytestmark = pytest.mark.django_db


def test_the_operator_reads_awards_and_protocols_and_cannot_change_them(cast):
    with award_world(cast) as world:
        for bid in world.bids.values():
            review_bid(bid=bid, actor=cast.buyer, decisions=meets_all(world.tender))
        content = results_bytes(world.tender)
        publish_results(
            tender=world.tender,
            actor=cast.buyer,
            content_sha256=hashlib.sha256(content).hexdigest(),
            signature=sign(world.chair, content),
        )
    award = Award.objects.first()
    protocol = ResultsProtocol.objects.get()
    cast.operator.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["awards", "contracts"], codename__startswith="view_"
        )
    )
    client = Client()
    client.force_login(cast.operator)

    for name in (
        "awards_award",
        "awards_complaint",
        "awards_resultsprotocol",
        "contracts_contract",
        "contracts_payment",
    ):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    page = client.get(reverse("admin:awards_award_change", args=[award.pk]))
    assert page.status_code == 200
    assert award.supplier.legal_name in page.content.decode()
    assert (
        client.get(reverse("admin:awards_resultsprotocol_change", args=[protocol.pk])).status_code
        == 200
    )
    assert (
        client.post(
            reverse("admin:awards_award_change", args=[award.pk]), {"status": "active"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:awards_award_delete", args=[award.pk])).status_code == 403
    proposed = client.get(reverse("admin:awards_award_changelist"), {"proposed": "yes"})
    assert award.supplier.legal_name not in proposed.content.decode()


def test_people_who_are_not_operators_are_sent_to_the_admin_login(cast):
    client = Client()
    client.force_login(cast.buyer)
    response = client.get(reverse("admin:awards_award_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
