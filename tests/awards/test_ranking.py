"""Ranking one lot's qualified bids (awards/ranking.py): pure functions, figures by hand."""

import datetime as dt
from decimal import Decimal

from awards.ranking import Candidate, compared_price, rank

D = Decimal
T0 = dt.datetime(2026, 2, 2, 4, 0, tzinfo=dt.UTC)
NO_DISCOUNT = D("0.00")
TWO_PERCENT = D("2.00")


def bid(name: str, price: str, *, second: int = 0, domestic: bool = False, **scores) -> Candidate:
    return Candidate(
        bid=f"B-{name}",
        bidder=f"BIN-{name}",
        received_at=T0 + dt.timedelta(seconds=second),
        price=D(price),
        domestic=domestic,
        scores={number.lstrip("c"): D(score) for number, score in scores.items()},
    )


def order(ranked) -> list[tuple]:
    return [(r.rank, r.candidate.bid, r.compared_price, r.score) for r in ranked]


def lowest(candidates, discount=NO_DISCOUNT):
    return rank(candidates, criterion="lowest_price", discount_percent=discount)


def weighted(candidates, weights, discount=NO_DISCOUNT):
    weights = {k: D(v) for k, v in weights.items()}
    return rank(
        candidates, criterion="weighted_scoring", discount_percent=discount, weights=weights
    )


# --- lowest price ------------------------------------------------------------------------------


def test_lowest_price_ranks_the_cheapest_bid_first():
    ranked = lowest([bid("a", "100.00"), bid("b", "90.00", second=1), bid("c", "95.00", second=2)])
    assert order(ranked) == [
        (1, "B-b", D("90.00"), None),
        (2, "B-c", D("95.00"), None),
        (3, "B-a", D("100.00"), None),
    ]


def test_a_single_bid_ranks_first():
    assert order(lowest([bid("a", "100.00")])) == [(1, "B-a", D("100.00"), None)]


# --- the domestic discount ---------------------------------------------------------------------


def test_the_discount_lowers_the_compared_price_and_not_the_price():
    ranked = lowest(
        [bid("a", "100.00", domestic=True), bid("b", "99.00", second=-1)], discount=TWO_PERCENT
    )
    # 100.00 less 2% compares as 98.00, below B's 99.00: A wins and is paid its 100.00.
    assert order(ranked) == [(1, "B-a", D("98.00"), None), (2, "B-b", D("99.00"), None)]
    assert ranked[0].candidate.price == D("100.00")


def test_the_discount_does_not_win_when_the_gap_is_larger():
    ranked = lowest([bid("a", "102.00", domestic=True), bid("b", "99.00")], discount=TWO_PERCENT)
    # 102.00 less 2% is 99.96, still above 99.00.
    assert order(ranked) == [(1, "B-b", D("99.00"), None), (2, "B-a", D("99.96"), None)]


def test_the_discount_applies_only_to_domestic_suppliers():
    assert compared_price(bid("a", "100.00"), TWO_PERCENT) == D("100.00")
    assert compared_price(bid("a", "100.00", domestic=True), NO_DISCOUNT) == D("100.00")


def test_the_compared_price_rounds_half_up_to_the_tiyn():
    # 10.25 x 0.98 = 10.045: half up gives 10.05 (banker's rounding would give 10.04).
    assert compared_price(bid("a", "10.25", domestic=True), TWO_PERCENT) == D("10.05")
    # 1,234,567.89 x 0.98 = 1,209,876.5322
    assert compared_price(bid("a", "1234567.89", domestic=True), TWO_PERCENT) == D("1209876.53")


# --- weighted scoring --------------------------------------------------------------------------


def test_weighted_scoring_adds_price_points_and_criterion_points():
    # Price weighs 70, criterion 3 weighs 30. The lowest price is 80.00.
    #   A: 70 x 80/100 = 56      + 30 x 80/100 = 24   -> 80.0000
    #   B: 70 x 80/80  = 70      + 30 x 40/100 = 12   -> 82.0000
    #   C: 70 x 80/90  = 62.2222 + 30 x 50/100 = 15   -> 77.2222
    ranked = weighted(
        [
            bid("a", "100.00", c3="80"),
            bid("b", "80.00", second=1, c3="40"),
            bid("c", "90.00", second=2, c3="50"),
        ],
        {"3": "30"},
    )
    assert order(ranked) == [
        (1, "B-b", D("80.00"), D("82.0000")),
        (2, "B-a", D("100.00"), D("80.0000")),
        (3, "B-c", D("90.00"), D("77.2222")),
    ]


def test_a_better_score_beats_a_lower_price():
    # Price 50, criteria 3 and 4 weigh 30 and 20. Lowest price 90.00.
    #   A: 50 x 90/100 = 45 + 30 x 100/100 = 30 + 20 x 90/100 = 18 -> 93.0000
    #   B: 50 x 90/90  = 50 + 30 x 50/100  = 15 + 20 x 50/100 = 10 -> 75.0000
    ranked = weighted(
        [bid("a", "100.00", c3="100", c4="90"), bid("b", "90.00", c3="50", c4="50")],
        {"3": "30", "4": "20"},
    )
    assert order(ranked) == [
        (1, "B-a", D("100.00"), D("93.0000")),
        (2, "B-b", D("90.00"), D("75.0000")),
    ]


def test_a_criterion_not_scored_counts_as_zero():
    # A: 70 + 0; B: 70 x 100/200 = 35 + 30 x 100/100 = 30 -> 65
    ranked = weighted([bid("a", "100.00"), bid("b", "200.00", c3="100")], {"3": "30"})
    assert order(ranked) == [
        (1, "B-a", D("100.00"), D("70.0000")),
        (2, "B-b", D("200.00"), D("65.0000")),
    ]


def test_weighted_scoring_compares_the_discounted_price():
    # A (domestic) 100.00 compares as 98.00, the lowest. Both score 60 on criterion 3.
    #   A: 70 x 98/98   = 70      + 18 -> 88.0000
    #   B: 70 x 98/98.5 = 69.6447 + 18 -> 87.6447
    ranked = weighted(
        [bid("a", "100.00", domestic=True, c3="60"), bid("b", "98.50", second=-5, c3="60")],
        {"3": "30"},
        discount=TWO_PERCENT,
    )
    assert order(ranked) == [
        (1, "B-a", D("98.00"), D("88.0000")),
        (2, "B-b", D("98.50"), D("87.6447")),
    ]
    assert ranked[0].candidate.price == D("100.00")


def test_weighted_scoring_without_criteria_is_the_price_alone():
    ranked = weighted([bid("a", "100.00"), bid("b", "80.00")], {})
    assert order(ranked) == [
        (1, "B-b", D("80.00"), D("100.0000")),
        (2, "B-a", D("100.00"), D("80.0000")),
    ]


# --- ties --------------------------------------------------------------------------------------


def test_equal_prices_go_to_the_bid_received_first():
    ranked = lowest([bid("a", "100.00", second=5), bid("b", "100.00", second=1)])
    assert [r.candidate.bid for r in ranked] == ["B-b", "B-a"]


def test_equal_prices_received_at_the_same_instant_go_by_bid_id():
    ranked = lowest([bid("z", "100.00"), bid("m", "100.00"), bid("a", "100.00")])
    assert [r.candidate.bid for r in ranked] == ["B-a", "B-m", "B-z"]
    assert [r.rank for r in ranked] == [1, 2, 3]


def test_a_tie_made_by_the_discount_goes_to_the_bid_received_first():
    # 102.04 less 2% = 99.9992 -> 100.00, equal to B's price; B was received first.
    ranked = lowest(
        [bid("a", "102.04", second=0, domestic=True), bid("b", "100.00", second=-1)],
        discount=TWO_PERCENT,
    )
    assert order(ranked) == [(1, "B-b", D("100.00"), None), (2, "B-a", D("100.00"), None)]


def test_equal_scores_go_to_the_bid_received_first_then_the_bid_id():
    # Both 70 x 100/100 + 30 x 50/100 = 85.
    candidates = [
        bid("c", "100.00", second=2, c3="50"),
        bid("b", "100.00", second=1, c3="50"),
        bid("a", "100.00", second=2, c3="50"),
    ]
    ranked = weighted(candidates, {"3": "30"})
    assert [(r.candidate.bid, r.score) for r in ranked] == [
        ("B-b", D("85.0000")),
        ("B-a", D("85.0000")),
        ("B-c", D("85.0000")),
    ]


def test_the_order_does_not_depend_on_the_input_order():
    candidates = [bid(n, "100.00", second=s) for n, s in (("a", 3), ("b", 1), ("c", 2))]
    assert order(lowest(candidates)) == order(lowest(list(reversed(candidates))))
    w = {"3": "10"}
    assert order(weighted(candidates, w)) == order(weighted(list(reversed(candidates)), w))


# --- nothing to rank ---------------------------------------------------------------------------


def test_no_candidates_rank_to_nothing():
    assert lowest([]) == []
    assert lowest([], discount=TWO_PERCENT) == []
    assert weighted([], {"3": "30"}) == []
    assert rank([], criterion="weighted_scoring", discount_percent=NO_DISCOUNT) == []
