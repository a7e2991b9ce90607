"""Indicators decided by one contracting process alone: R003, R018, R028, R030, R035, R036.

Each docstring cites Cardinal's definition at https://cardinal.readthedocs.io/en/latest/cli/
indicators/R/NNN.html (open-contracting/cardinal-rs, src/indicators/rNNN.rs).
"""

from transparency.redflags.indicators.base import Indicator, PriceComparison
from transparency.redflags.release import (
    complete_awards_and_bids,
    get,
    matches_procurement_method,
    number,
    rfc3339_nanoseconds,
    submitted_bids,
    supplier_ids,
    tenderer_ids,
    whole_days,
)
from transparency.redflags.results import Results


class R003(Indicator):
    """Short submission period: bidders had fewer whole days than the threshold (15) to bid.

    Too little time favours a bidder told in advance. Cardinal R003: the process is flagged
    (1.0) if ``tenderPeriod`` endDate − startDate, in whole days, is below the threshold, which
    can be set per ``procurementMethodDetails``; optionally only for some procurement methods.
    """

    code = "R003"

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        tender = release.get("tender")
        if type(tender) is not dict:
            return
        if not matches_procurement_method(tender, self.options.procurement_methods):
            return
        period = tender.get("tenderPeriod")
        start, end = get(period, "startDate"), get(period, "endDate")
        if type(start) is not str or type(end) is not str:
            return
        start, end = rfc3339_nanoseconds(start), rfc3339_nanoseconds(end)
        if start is None or end is None:
            return
        details = tender.get("procurementMethodDetails")
        thresholds = self.options.procurement_method_details
        if type(details) is str and details in thresholds:
            threshold = thresholds[details]
        else:
            threshold = self.options.threshold
        if whole_days(end - start) < threshold:
            results.flag("OCID", ocid, self.code, 1.0)


class R018(Indicator):
    """Single bid received: only one tenderer bid in a competitive (open or selective) procedure.

    In a competitive procedure a lone bid may mean competition was suppressed. Cardinal R018:
    flagged (1.0) if ``tender/numberOfTenderers`` is the integer 1 and the procurement method
    is in ``procurement_methods`` (default ``open|selective``).
    """

    code = "R018"

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        tender = release.get("tender")
        if type(tender) is not dict:
            return
        if not matches_procurement_method(tender, self.options.procurement_methods):
            return
        count = tender.get("numberOfTenderers")
        if type(count) is int and count == 1:  # Cardinal reads it with as_u64: 1.0 is no count
            results.flag("OCID", ocid, self.code, 1.0)


class R028(PriceComparison):
    """Identical bid prices: different tenderers submitted bids with exactly the same price.

    A buyer leaking a competitor's price lets its favourite match it. Cardinal R028: the process
    and those tenderers are flagged (1.0) when two submitted bids with the same amount and
    currency come from different sets of tenderers (one tenderer may repeat its own price).
    """

    code = "R028"

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        if not self.compares_prices(release):
            return
        prices: dict[tuple[float, str], frozenset[str]] = {}
        for bid in submitted_bids(release):
            value = bid.get("value")
            amount = number(get(value, "amount"))
            currency = get(value, "currency")
            if type(bid.get("tenderers")) is not list or amount is None:
                continue
            if type(currency) is not str:
                continue
            ids = frozenset(tenderer_ids(bid))
            if not ids:
                continue
            other = prices.get((amount, currency))
            if other is not None and ids != other:
                results.flag("OCID", ocid, self.code, 1.0)
                for tenderer_id in ids | other:
                    results.flag("Tenderer", tenderer_id, self.code, 1.0)
                    results.map_tenderer("ocid_tenderer_r028", ocid, tenderer_id)
            prices[(amount, currency)] = ids


class R030(Indicator):
    """Late bid won: a winning tenderer's valid bid is dated after the submission deadline.

    Accepting a late bid lets a favoured bidder use what it learnt from the others. Cardinal
    R030: the process and the tenderer are flagged (1.0) if a valid bid's ``date`` is after
    ``tenderPeriod/endDate`` (compared as text, as Cardinal does) and a tenderer of that bid
    supplies an active award.
    """

    code = "R030"

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        end_date = get(get(release.get("tender"), "tenderPeriod"), "endDate")
        awards = release.get("awards")
        details = get(release.get("bids"), "details")
        if type(end_date) is not str or type(awards) is not list or type(details) is not list:
            return
        winners = {
            supplier_id
            for award in awards
            if get(award, "status") == "active"
            for supplier_id in supplier_ids(award)
        }
        for bid in details:
            date = get(bid, "date")
            if get(bid, "status") != "valid" or type(date) is not str or date <= end_date:
                continue
            if type(get(bid, "tenderers")) is not list:
                continue
            for tenderer_id in tenderer_ids(bid):
                if tenderer_id in winners:
                    results.flag("OCID", ocid, self.code, 1.0)
                    results.flag("Tenderer", tenderer_id, self.code, 1.0)
                    results.map_tenderer("ocid_tenderer_r030", ocid, tenderer_id)


class R035(Indicator):
    """All except winning bid disqualified: the sole qualified tenderer won, others were disqualified.

    A buyer can hand a contract to a chosen bidder by disqualifying everyone else. Cardinal R035:
    flagged if exactly one tenderer has valid bids, it is the supplier of every active award,
    and at least ``threshold`` (1) other tenderers have disqualified bids; the value is that
    number of tenderers, and the winner is flagged with 0.0.
    """

    code = "R035"

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        complete = complete_awards_and_bids(release)
        if complete is None:
            return
        awards, details = complete
        suppliers = {supplier_id for award in awards for supplier_id in supplier_ids(award)}
        valid, disqualified = set(), set()
        for bid in details:
            status = get(bid, "status")
            if status in ("valid", "disqualified") and type(bid.get("tenderers")) is list:
                (valid if status == "valid" else disqualified).update(tenderer_ids(bid))
        if len(valid) != 1 or valid != suppliers:
            return
        others = len(disqualified - valid)
        if others >= self.options.threshold:
            (winner,) = valid
            results.flag("OCID", ocid, self.code, float(others))
            results.flag("Tenderer", winner, self.code, 0.0)
            results.map_tenderer("ocid_tenderer_r035", ocid, winner)


class R036(PriceComparison):
    """Lowest bid disqualified: the cheapest submitted bid was disqualified, though price decides.

    A buyer can steer the award by disqualifying cheaper bids. Cardinal R036: flagged (1.0) if
    some award is active, some valid bid has an amount, and the lowest submitted bid in the main
    currency (the first bid at that lowest price, in order) is disqualified.
    """

    code = "R036"

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        if not self.compares_prices(release):
            return
        awards = release.get("awards")
        if type(awards) is not list or not any(get(a, "status") == "active" for a in awards):
            return
        lowest = None
        lowest_is_disqualified = has_valid_amount = False
        for bid in submitted_bids(release):
            value = bid.get("value")
            amount = number(get(value, "amount"))
            currency = get(value, "currency")
            if amount is None or type(currency) is not str:
                continue
            if currency != results.main_currency(currency, self.currency):
                results.warnings["currency"] += 1
                continue
            if lowest is None or amount < lowest:
                lowest = amount
                lowest_is_disqualified = bid["status"] == "disqualified"
            has_valid_amount = has_valid_amount or bid["status"] == "valid"
        if has_valid_amount and lowest_is_disqualified:
            results.flag("OCID", ocid, self.code, 1.0)
