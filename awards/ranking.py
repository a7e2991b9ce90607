"""Ranking the qualified bids of one lot: pure functions over plain values, no database.

Lowest price: the lowest compared price wins. Weighted scoring: price points (the price's
weight times the lowest compared price over this bid's) plus each non-price criterion's weight
times the commission's score out of 100. A domestic supplier's price is compared lower by the
procedure's conditional discount; the discount never changes what is paid. Ties go to the bid
received first (then the bid id, so the order is total).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from procurement.money import round_money

HUNDRED = Decimal("100")
POINTS = Decimal("0.0001")


@dataclass(frozen=True)
class Candidate:
    bid: str
    bidder: str
    received_at: dt.datetime
    price: Decimal
    domestic: bool = False
    scores: dict[str, Decimal] = field(default_factory=dict)  # criterion number -> 0..100


@dataclass(frozen=True)
class Ranked:
    rank: int
    candidate: Candidate
    compared_price: Decimal
    score: Decimal | None


def compared_price(candidate: Candidate, discount_percent: Decimal) -> Decimal:
    if not candidate.domestic or not discount_percent:
        return candidate.price
    return round_money(candidate.price * (HUNDRED - discount_percent) / HUNDRED)


def _points(value: Decimal) -> Decimal:
    return value.quantize(POINTS, rounding=ROUND_HALF_UP)


def rank_lowest_price(candidates: list[Candidate], discount_percent: Decimal) -> list[Ranked]:
    keyed = [(compared_price(c, discount_percent), c) for c in candidates]
    keyed.sort(key=lambda pair: (pair[0], pair[1].received_at, pair[1].bid))
    return [Ranked(i, c, p, None) for i, (p, c) in enumerate(keyed, start=1)]


def rank_weighted(
    candidates: list[Candidate], discount_percent: Decimal, weights: dict[str, Decimal]
) -> list[Ranked]:
    """`weights`: criterion number -> percent of the score; the price has the rest."""
    if not candidates:
        return []
    price_weight = HUNDRED - sum(weights.values(), Decimal("0"))
    compared = {c.bid: compared_price(c, discount_percent) for c in candidates}
    lowest = min(compared.values())
    scored = []
    for c in candidates:
        total = price_weight * lowest / compared[c.bid]
        for number, weight in weights.items():
            total += weight * c.scores.get(number, Decimal("0")) / HUNDRED
        scored.append((_points(total), c))
    scored.sort(key=lambda pair: (-pair[0], pair[1].received_at, pair[1].bid))
    return [Ranked(i, c, compared[c.bid], s) for i, (s, c) in enumerate(scored, start=1)]


def rank(
    candidates: list[Candidate],
    *,
    criterion: str,
    discount_percent: Decimal,
    weights: dict[str, Decimal] | None = None,
) -> list[Ranked]:
    if criterion == "weighted_scoring":
        return rank_weighted(candidates, discount_percent, weights or {})
    return rank_lowest_price(candidates, discount_percent)
