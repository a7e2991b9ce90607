"""The gap between the winning bid and the lowest losing bid: R024 (too close) and R058 (too far).

Both read the ratio (second-lowest valid bid − winning bid) / winning bid per contracting
process, which ``SecondLowestBidRatio`` computes once (Cardinal's src/indicators/util.rs).
Only one number per process is kept, so memory grows with processes, not with their size.
"""

from transparency.redflags.indicators.base import PriceComparison
from transparency.redflags.quartiles import lower_fence, quartiles, upper_fence
from transparency.redflags.release import (
    complete_awards_and_bids,
    divide,
    sole_supplier_id,
    valid_bid_prices,
)
from transparency.redflags.results import Results


class SecondLowestBidRatio(PriceComparison):
    """Per process: how much higher the lowest losing valid bid is than the winning bid.

    Only where prices can be compared: no award pending, exactly one active award, to one
    supplier; bids from one tenderer each, in the main currency; and the winning bid (the
    winner's lowest) is not above the lowest losing bid, since otherwise price did not decide.
    """

    code = "SecondLowestBidRatio"

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        if not self.compares_prices(release):
            return
        complete = complete_awards_and_bids(release)
        if complete is None or len(complete[0]) != 1:
            return
        winner_id = sole_supplier_id(complete[0][0])
        if winner_id is None:
            return
        winning = losing = None  # (amount, tenderer id)
        for tenderer_id, amount, currency in valid_bid_prices(complete[1]):
            if currency != results.main_currency(currency, self.currency):
                results.warnings["currency"] += 1
            elif tenderer_id == winner_id:
                if winning is None or amount < winning[0]:
                    winning = (amount, tenderer_id)
            elif losing is None or amount < losing[0]:
                losing = (amount, tenderer_id)
        if winning is not None and losing is not None and losing[0] >= winning[0]:
            ratio = divide(losing[0] - winning[0], winning[0])
            results.second_lowest_bid_ratios[ocid] = ratio
            results.winner_and_lowest_non_winner[ocid] = (winning[1], losing[1])


class R024(PriceComparison):
    """Price close to winning bid: the runner-up's price is unusually close to the winner's.

    A colluding bidder can fake competition with a bid just above its partner's. Cardinal R024:
    the process is flagged with its ratio if the ratio is at or below the lower fence
    Q1 − 1.5·IQR of all ratios (or ``threshold``); the winner and runner-up get 0.0. Nothing
    is flagged unless Q1 and the fence are above zero.
    """

    code = "R024"

    def finalize(self, results: Results) -> None:
        ratios = results.second_lowest_bid_ratios
        if self.options.threshold is None:
            q1, q3 = quartiles(ratios.values())
            results.set_meta(self.code, "q1", q1)
            results.set_meta(self.code, "q3", q3)
            fence = lower_fence(q1, q3)
        else:
            q1, fence = 1.0, self.options.threshold  # Cardinal's placeholder q1 passes the guard
        results.set_meta(self.code, "lower_fence", fence)
        # Ratios are never negative: if a quarter of processes have none, don't flag 3/4 of them.
        if not (q1 > 0.0 and fence > 0.0):
            return
        for ocid, ratio in ratios.items():
            if ratio <= fence:
                results.flag("OCID", ocid, self.code, ratio)
                for tenderer_id in results.winner_and_lowest_non_winner[ocid]:
                    results.flag("Tenderer", tenderer_id, self.code, 0.0)
                    results.map_tenderer("ocid_tenderer_r024", ocid, tenderer_id)


class R058(PriceComparison):
    """Heavily discounted bid: the winner's price is unusually far below the runner-up's.

    A winner far cheaper than everyone else may cut corners (a "lemon"). Cardinal R058: the
    process is flagged with its ratio if the ratio is at or above the upper fence
    Q3 + 1.5·IQR of all ratios (or ``threshold``), and the winner gets 0.0, when the fence is
    above zero.
    """

    code = "R058"

    def finalize(self, results: Results) -> None:
        ratios = results.second_lowest_bid_ratios
        if self.options.threshold is None:
            q1, q3 = quartiles(ratios.values())
            results.set_meta(self.code, "q1", q1)
            results.set_meta(self.code, "q3", q3)
            fence = upper_fence(q1, q3)
        else:
            fence = self.options.threshold
        results.set_meta(self.code, "upper_fence", fence)
        if not fence > 0.0:
            return
        for ocid, ratio in ratios.items():
            if ratio >= fence:
                winner_id = results.winner_and_lowest_non_winner[ocid][0]
                results.flag("OCID", ocid, self.code, ratio)
                results.flag("Tenderer", winner_id, self.code, 0.0)
                results.map_tenderer("ocid_tenderer_r058", ocid, winner_id)
