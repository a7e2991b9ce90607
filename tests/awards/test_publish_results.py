"""The chair signs the results protocol and publishes it: the winner of each lot is proposed
and waits out the standstill; a lot without a qualified bid within its amount fails and its
money goes back to the line."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Checkpoint
from awards.models import Award, ResultsProtocol
from awards.results import results_bytes
from awards.services.results import publish_results
from awards.services.reviews import review_bid
from pki.errors import CertificateRefused
from pki.models import SigningCertificate
from procurement.models import Notice
from tests.awards.world import (
    LOTS,
    PRICES,
    award_world,
    balances,
    events_since,
    fails,
    fresh,
    log_size,
    meets_all,
    on_a_monday,
    publish,
    review_all,
    sign,
    state,
)
from tests.bids.support import Signer

pytestmark = pytest.mark.django_db

D = Decimal
# Three working days after Monday 2 February 2026: Thursday 5 February, 18:00 in Almaty.
STANDSTILL_END = dt.datetime(2026, 2, 5, 13, 0, tzinfo=dt.UTC)
LINE = D("10000000.00")  # each lot sits on its own line of this amount


@pytest.fixture(autouse=True)
def _monday():
    with on_a_monday():
        yield


@pytest.fixture
def world(cast):
    with award_world(cast) as world:
        yield world


def winners(tender) -> dict:
    return {
        a.lot.number: (a.supplier_id, a.price, a.rank, a.status)
        for a in Award.objects.filter(tender=tender)
    }


def content_of(protocol) -> dict:
    return json.loads(bytes(protocol.content))


def test_the_chair_publishes_the_results_and_the_standstill_starts(
    cast, world, django_capture_on_commit_callbacks
):
    review_all(world, cast, disqualified=("c",))
    content = results_bytes(world.tender)
    signature = sign(world.chair, content)
    before = log_size()
    with django_capture_on_commit_callbacks(execute=True):
        protocol = publish_results(
            tender=world.tender,
            actor=cast.buyer,
            content_sha256=hashlib.sha256(content).hexdigest(),
            signature=signature,
        )

    protocol = ResultsProtocol.objects.get(pk=protocol.pk)
    assert bytes(protocol.content) == content
    assert bytes(protocol.signature) == signature
    assert protocol.sha256 == hashlib.sha256(content).hexdigest()
    assert (protocol.revision, protocol.signed_by, protocol.set_aside_at) == (1, cast.buyer, None)
    assert protocol.certificate == SigningCertificate.objects.get(organisation=cast.agency)

    tender = fresh(world.tender)
    assert (tender.status, tender.timer_at, tender.next_check) == (
        "standstill",
        STANDSTILL_END,
        STANDSTILL_END,
    )
    # C (cheapest on lot 1) is disqualified: B wins lot 1, A lot 2, both at their bid prices.
    assert winners(tender) == {
        1: (cast.supplier_org_b.pk, D("2800000.00"), 1, "pending"),
        2: (cast.supplier_org_a.pk, D("800000.00"), 1, "pending"),
    }
    assert set(Award.objects.values_list("standstill_end", flat=True)) == {STANDSTILL_END}
    assert set(Award.objects.values_list("protocol", flat=True)) == {protocol.pk}
    # The budget is untouched until a contract is signed.
    lot1, lot2 = tender.lots.order_by("number")
    assert balances(lot1) == (D("3000000.00"), 0, 0, LINE - D("3000000.00"))
    assert balances(lot2) == (D("1000000.00"), 0, 0, LINE - D("1000000.00"))
    # Every bidder is told, with the end of the complaint window.
    notices = Notice.objects.filter(tender=tender, kind="results")
    assert sorted(n.supplier_id for n in notices) == sorted(
        [cast.supplier_org_a.pk, cast.supplier_org_b.pk, world.org_c.pk]
    )
    assert all("05.02.2026 18:00" in n.message for n in notices)

    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "awards.resultsprotocol.published",
        cast.buyer.pk,
        "awards.resultsprotocol",
        str(protocol.pk),
    )
    assert event.data == {
        "tender": tender.number,
        "revision": 1,
        "sha256": protocol.sha256,
        "certificate": protocol.certificate.fingerprint_sha256,
        "awards": [
            {
                "lot": 1,
                "bid": world.bids["b"].public_id,
                "price": "2800000.00",
                "standstill_end": "2026-02-05T13:00:00.000000Z",
            },
            {
                "lot": 2,
                "bid": world.bids["a"].public_id,
                "price": "800000.00",
                "standstill_end": "2026-02-05T13:00:00.000000Z",
            },
        ],
        "failed_lots": [],
        "status": "standstill",
    }
    assert protocol.log_index == event.seq
    # The award is fixed in a signed checkpoint at once.
    checkpoint = Checkpoint.objects.filter(reason="award").get()
    assert checkpoint.tree_size == event.seq + 1


def test_the_protocol_holds_the_ranking_and_every_disqualification_with_its_reason(cast, world):
    review_all(world, cast, disqualified=("c",))
    content = content_of(publish(world, cast))

    assert [(b["bid"], b["status"]) for b in content["bids"]] == [
        (world.bids[k].public_id, "qualified" if k != "c" else "disqualified") for k in "abc"
    ]
    [reason] = content["bids"][2]["reasons"]
    assert reason == {
        "requirement": 1,
        "title": "Licence for pharmaceutical activity",
        "reason": "No licence for pharmaceutical activity attached",
    }
    lot1, lot2 = content["lots"]
    assert [(r["rank"], r["bid"], r["price"]) for r in lot1["ranking"]] == [
        (1, world.bids["b"].public_id, "2800000.00"),
        (2, world.bids["a"].public_id, "2900000.00"),
    ]
    assert lot1["winner"]["bid"] == world.bids["b"].public_id
    assert [r["bid"] for r in lot2["ranking"]] == [world.bids[k].public_id for k in "ab"]
    assert (content["revision"], content["award_criterion"]) == (1, "lowest_price")


def test_a_domestic_bid_wins_on_the_compared_price_and_is_awarded_its_own_price(cast):
    prices = {**PRICES, "a": {"1": "2850000.00", "2": "800000.00"}}
    with award_world(cast, prices=prices) as world:
        # A's 2,850,000.00 less 2% compares as 2,793,000.00, below B's 2,800,000.00.
        review_all(world, cast, disqualified=("c",), domestic=("a",))
        content = content_of(publish(world, cast))
        top = content["lots"][0]["ranking"][0]
        assert (top["bid"], top["price"], top["compared_price"]) == (
            world.bids["a"].public_id,
            "2850000.00",
            "2793000.00",
        )
        assert winners(world.tender)[1][:2] == (cast.supplier_org_a.pk, D("2850000.00"))


def test_weighted_scoring_ranks_by_the_points(cast):
    with award_world(cast, weighted=True) as world:
        # Lot 1, lowest price 2,700,000.00 (C). Price weighs 70, delivery time 30:
        #   A: 70 x 2.7/2.9 = 65.1724 + 30 x 100/100 = 30 -> 95.1724
        #   B: 70 x 2.7/2.8 = 67.5000 + 30 x  50/100 = 15 -> 82.5000
        #   C: 70                     + 30 x   0/100 =  0 -> 70.0000
        review_all(world, cast, scores={"a": {"3": 100}, "b": {"3": 50}, "c": {"3": 0}})
        content = content_of(publish(world, cast))
        assert [(r["bid"], r["score"]) for r in content["lots"][0]["ranking"]] == [
            (world.bids["a"].public_id, "95.1724"),
            (world.bids["b"].public_id, "82.5000"),
            (world.bids["c"].public_id, "70.0000"),
        ]
        assert content["criteria"] == [{"requirement": 3, "weight": "30.00"}]
        assert winners(world.tender)[1][:2] == (cast.supplier_org_a.pk, D("2900000.00"))


# --- lots without a winner ---------------------------------------------------------------------


def test_a_lot_without_a_qualified_bid_fails_and_releases_exactly_its_amount(cast, world):
    # Only A and B bid on lot 2, and both are disqualified; C wins lot 1.
    review_all(world, cast, disqualified=("a", "b"))
    lot1, lot2 = world.tender.lots.order_by("number")
    before = log_size()
    publish(world, cast)

    tender = fresh(world.tender)
    assert tender.status == "standstill"
    assert fresh(lot2).status == "unsuccessful"
    assert balances(lot2) == (0, 0, 0, LINE)
    assert balances(lot1) == (D("3000000.00"), 0, 0, LINE - D("3000000.00"))
    assert winners(tender) == {1: (world.org_c.pk, D("2700000.00"), 1, "pending")}
    [event] = events_since(before)
    assert (event.data["failed_lots"], event.data["status"]) == ([2], "standstill")
    [release] = lot2.budget_line.entries.filter(kind="release")
    assert (release.amount, release.reference_type) == (D("1000000.00"), "procurement.tender")


def test_every_lot_failing_makes_the_tender_unsuccessful_and_releases_everything(cast, world):
    review_all(world, cast, disqualified=("a", "b", "c"))
    before = log_size()
    publish(world, cast)

    tender = fresh(world.tender)
    assert (tender.status, tender.timer_at, tender.next_check) == ("unsuccessful", None, None)
    assert sorted(tender.lots.values_list("status", flat=True)) == ["unsuccessful"] * 2
    for lot in tender.lots.all():
        assert balances(lot) == (0, 0, 0, LINE)
    assert not Award.objects.exists()
    [event] = events_since(before)
    assert (event.data["awards"], event.data["failed_lots"], event.data["status"]) == (
        [],
        [1, 2],
        "unsuccessful",
    )


def test_a_bid_above_the_lots_amount_is_left_out(cast):
    prices = {
        "a": {"1": "2900000.00", "2": "1000000.01"},
        "b": {"1": "2800000.00", "2": LOTS["2"]},  # exactly the amount: within it
        "c": {"1": "3000000.01"},
    }
    with award_world(cast, prices=prices) as world:
        review_all(world, cast)
        content = content_of(publish(world, cast))
        lot1, lot2 = content["lots"]
        assert [r["bid"] for r in lot1["ranking"]] == [world.bids[k].public_id for k in "ba"]
        assert lot1["excluded"] == [
            {
                "bid": world.bids["c"].public_id,
                "bidder": world.org_c.bin,
                "price": "3000000.01",
                "reason": "above the lot's amount",
            }
        ]
        assert [r["bid"] for r in lot2["ranking"]] == [world.bids["b"].public_id]
        assert [e["bid"] for e in lot2["excluded"]] == [world.bids["a"].public_id]
        assert winners(world.tender) == {
            1: (cast.supplier_org_b.pk, D("2800000.00"), 1, "pending"),
            2: (cast.supplier_org_b.pk, D("1000000.00"), 1, "pending"),
        }


def test_a_lot_whose_only_qualified_bid_is_above_its_amount_fails(cast):
    prices = {"a": {"1": "2900000.00", "2": "1000000.01"}, "b": {"1": "2800000.00"}}
    with award_world(cast, prices=prices) as world:
        review_all(world, cast)
        publish(world, cast)
        lot2 = world.tender.lots.get(number=2)
        assert fresh(lot2).status == "unsuccessful"
        assert balances(lot2) == (0, 0, 0, LINE)


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["commission", "agency_admin", "supplier_a", "auditor"])
def test_only_the_chair_publishes(cast, world, who):
    actor = cast.commission[0] if who == "commission" else getattr(cast, who)
    review_all(world, cast)
    content = results_bytes(world.tender)
    before = state(world.tender)
    with pytest.raises(PermissionDenied, match="Only the commission's chair signs"):
        publish_results(
            tender=world.tender,
            actor=actor,
            content_sha256=hashlib.sha256(content).hexdigest(),
            signature=sign(world.chair, content),
        )
    assert state(world.tender) == before


def test_refuses_while_a_bid_is_undecided(cast, world):
    review_bid(bid=world.bids["a"], actor=cast.buyer, decisions=meets_all(world.tender))
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        publish(world, cast)
    assert refused.value.code == "bids_undecided"
    assert refused.value.message == (
        "Decide every valid bid before publishing the results; undecided: "
        f"{world.bids['b'].public_id}, {world.bids['c'].public_id}."
    )
    assert state(world.tender) == before


def test_refuses_a_protocol_that_changed_after_it_was_downloaded(cast, world):
    review_all(world, cast)
    content = results_bytes(world.tender)
    signature = sign(world.chair, content)
    # A member changes a decision between the download and the signature coming back.
    review_bid(
        bid=world.bids["c"], actor=cast.commission[0], decisions=fails(world.tender, 2, "No")
    )
    before = state(world.tender)
    with pytest.raises(ValidationError) as refused:
        publish_results(
            tender=world.tender,
            actor=cast.buyer,
            content_sha256=hashlib.sha256(content).hexdigest(),
            signature=signature,
        )
    assert refused.value.code == "protocol_changed"
    assert state(world.tender) == before


def _signature(world, case):
    content = results_bytes(world.tender)
    if case == "bad_signature":
        return sign(world.chair, content + b" ")
    if case == "unregistered":
        key, certificate = world.ca.issue(world.tender.agency.bin)
        return sign(Signer(key, certificate), content)
    return sign(world.signers["a"], content)  # supplier A's certificate


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("bad_signature", "signature_invalid"),
        ("unregistered", "certificate_not_registered"),
        ("other_organisation", "certificate_wrong_bin"),
    ],
)
def test_refuses_a_signature_that_does_not_hold_with_the_reason(cast, world, case, code):
    review_all(world, cast)
    content = results_bytes(world.tender)
    signature = _signature(world, case)
    before = state(world.tender)
    with pytest.raises(CertificateRefused) as refused:
        publish_results(
            tender=world.tender,
            actor=cast.buyer,
            content_sha256=hashlib.sha256(content).hexdigest(),
            signature=signature,
        )
    assert refused.value.code == code
    assert state(world.tender) == before


def test_refuses_to_publish_twice(cast, world):
    review_all(world, cast)
    publish(world, cast)
    before = state(world.tender)
    with pytest.raises(ValidationError, match="Publishing the results is not possible while"):
        publish(world, cast)
    assert state(world.tender) == before


@pytest.mark.parametrize("weighted", [False, True])
def test_a_bid_priced_at_zero_is_invalid_at_the_opening_and_never_ranked(cast, weighted):
    # No award or contract can be made at 0.00, and weighted scoring would divide by it: the
    # opening finds such a bid invalid, so the commission never reviews it.
    prices = {**PRICES, "c": {"1": "0.00"}}
    with award_world(cast, prices=prices, weighted=weighted) as world:
        zero = world.bids["c"]
        assert zero.status == "invalid"
        assert "zero" in zero.invalid_reason
        for key in ("a", "b"):
            review_bid(bid=world.bids[key], actor=cast.buyer, decisions=meets_all(world.tender))
        content = content_of(publish(world, cast))
        lot1 = content["lots"][0]
        assert zero.public_id not in [r["bid"] for r in lot1["ranking"]]
        assert zero.public_id not in [b["bid"] for b in content["bids"]]
        assert winners(world.tender)[1][0] in (cast.supplier_org_a.pk, cast.supplier_org_b.pk)
