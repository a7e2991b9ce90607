"""Indicators about organisations across all their contracting processes: R025, R038, R048.

Each keeps a small running total per organisation (two counts, or a count and a set of
classification prefixes), never releases, and compares organisations in ``finalize``.
"""

from transparency.redflags.indicators.base import Indicator
from transparency.redflags.quartiles import lower_fence, percentile, quartiles, upper_fence
from transparency.redflags.release import (
    complete_awards_and_bids,
    get,
    sole_supplier_id,
    sole_tenderer_id,
    submitted_bids,
    tenderer_ids,
)
from transparency.redflags.results import Results
from transparency.redflags.settings import Settings


class R025(Indicator):
    """Excessive unsuccessful bids: a tenderer that bids very often but rarely wins.

    Deliberately losing bids can fake competition for a partner. Cardinal R025: per tenderer,
    ratio = processes won / processes with a valid bid from it; flagged with the ratio if its
    number of such processes is at or above the ``percentile`` (75th) of all tenderers' and its
    ratio is at or below the lower fence Q1 − 1.5·IQR (or ``threshold``), when Q1 and the fence
    are above zero.
    """

    code = "R025"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.tenderers: dict[str, list[int]] = {}  # id → [processes won, processes bid]

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        complete = complete_awards_and_bids(release)
        if complete is None or len(complete[0]) != 1:
            return
        winner_id = sole_supplier_id(complete[0][0])
        if winner_id is None:
            return
        valid = {
            tenderer_id
            for bid in complete[1]
            if get(bid, "status") == "valid" and (tenderer_id := sole_tenderer_id(bid)) is not None
        }
        for tenderer_id in valid:  # once per process, however many bids
            counts = self.tenderers.setdefault(tenderer_id, [0, 0])
            counts[0] += tenderer_id == winner_id
            counts[1] += 1

    def finalize(self, results: Results) -> None:
        bids = percentile((float(c[1]) for c in self.tenderers.values()), self.options.percentile)
        if self.options.threshold is None:
            q1, q3 = quartiles(c[0] / c[1] for c in self.tenderers.values())
            results.set_meta(self.code, "q1", q1)
            results.set_meta(self.code, "q3", q3)
            fence = lower_fence(q1, q3)
        else:
            q1, fence = 1.0, self.options.threshold  # Cardinal's placeholder q1 passes the guard
        results.set_meta(self.code, "upper_fence", bids)
        results.set_meta(self.code, "lower_fence", fence)
        # If a quarter of tenderers never win, most top tenderers would be flagged: don't.
        if not (q1 > 0.0 and fence > 0.0):
            return
        for tenderer_id, (won, bid) in self.tenderers.items():
            ratio = won / bid
            if bid >= bids and ratio <= fence:
                results.flag("Tenderer", tenderer_id, self.code, ratio)


class R038(Indicator):
    """Excessive disqualified bids: an unusually high share of disqualified bids.

    A buyer or procuring entity can favour a bidder by disqualifying others; a tenderer can fake
    competition with bids meant to fail. Cardinal R038: ratio = disqualified / submitted bids,
    per buyer and procuring entity (counted over bids; those with fewer than
    ``minimum_contracting_processes`` (2) submitted bids are left out, as in Cardinal) and per
    tenderer (fewer than ``minimum_submitted_bids`` (2) left out); flagged with the ratio if at
    or above the upper fence Q3 + 1.5·IQR of its group (or ``threshold``), when above zero.
    """

    code = "R038"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # id → [disqualified bids, submitted bids], per group
        self.totals: dict[str, dict[str, list[int]]] = {
            "Buyer": {},
            "ProcuringEntity": {},
            "Tenderer": {},
        }

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        bids = submitted_bids(release)
        if not bids:
            return
        disqualified = 0
        for bid in bids:
            is_disqualified = bid["status"] == "disqualified"
            disqualified += is_disqualified
            for tenderer_id in tenderer_ids(bid):
                counts = self.totals["Tenderer"].setdefault(tenderer_id, [0, 0])
                counts[0] += is_disqualified
                counts[1] += 1
        organisations = (
            ("Buyer", release.get("buyer"), "ocid_buyer_r038"),
            (
                "ProcuringEntity",
                get(release.get("tender"), "procuringEntity"),
                "ocid_procuringentity_r038",
            ),
        )
        for group, organisation, map_name in organisations:
            organisation_id = get(organisation, "id")
            if type(organisation_id) is not str:
                continue
            counts = self.totals[group].setdefault(organisation_id, [0, 0])
            counts[0] += disqualified
            counts[1] += len(bids)
            if disqualified:
                results.map_organisation(map_name, ocid, organisation_id)

    def finalize(self, results: Results) -> None:
        minimum_bids = self.options.minimum_submitted_bids
        minimum_processes = self.options.minimum_contracting_processes
        self._flag(results, "Buyer", minimum_processes)
        self._flag(results, "ProcuringEntity", minimum_processes)
        self._flag(results, "Tenderer", minimum_bids)

    def _flag(self, results: Results, group: str, minimum: int) -> None:
        ratios = {
            key: disqualified / submitted
            for key, (disqualified, submitted) in self.totals.pop(group).items()
            if submitted >= minimum
        }
        if not ratios:
            return
        fence = self.options.threshold
        if fence is None:
            q1, q3 = quartiles(ratios.values())
            results.set_meta(self.code, f"{group}_q1", q1)
            results.set_meta(self.code, f"{group}_q3", q3)
            fence = upper_fence(q1, q3)
        results.set_meta(self.code, f"{group}_upper_fence", fence)
        # If three quarters have no disqualified bids, the fence is 0: don't flag the rest.
        if not fence > 0.0:
            return
        for key, ratio in ratios.items():
            if ratio >= fence:
                results.flag(group, key, self.code, ratio)


class R048(Indicator):
    """Heterogeneous supplier: a supplier awarded an unusually wide variety of items.

    A supplier of everything is more likely unsuitable, risking poor value or rent extraction.
    Cardinal R048: per supplier of active single-supplier awards, variety = distinct first
    ``digits`` (2) characters of item classification ids; among suppliers awarded in at least
    ``minimum_contracting_processes`` (20) processes, flagged with the variety if at or above
    the upper fence Q3 + 1.5·IQR (or ``threshold``).
    """

    code = "R048"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.suppliers: dict[str, list] = {}  # id → [processes awarded, classification prefixes]

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        awards = release.get("awards")
        if type(awards) is not list:
            return
        digits = self.options.digits
        seen = set()  # count a supplier once per process
        for award in awards:
            items = get(award, "items")
            supplier_id = sole_supplier_id(award) if type(award) is dict else None
            if type(items) is not list or supplier_id is None or award.get("status") != "active":
                continue
            for item in items:
                code = get(get(item, "classification"), "id")
                if type(code) is not str:
                    continue
                totals = self.suppliers.setdefault(supplier_id, [0, set()])
                if supplier_id not in seen:
                    seen.add(supplier_id)
                    totals[0] += 1
                totals[1].add(code[:digits])

    def finalize(self, results: Results) -> None:
        minimum = self.options.minimum_contracting_processes
        varieties = {
            supplier_id: float(len(codes))
            for supplier_id, (processes, codes) in self.suppliers.items()
            if processes >= minimum
        }
        self.suppliers.clear()
        if self.options.threshold is None:
            q1, q3 = quartiles(varieties.values())
            results.set_meta(self.code, "q1", q1)
            results.set_meta(self.code, "q3", q3)
            fence = upper_fence(q1, q3)
        else:
            fence = float(self.options.threshold)
        results.set_meta(self.code, "upper_fence", fence)
        for supplier_id, variety in varieties.items():
            if variety >= fence:
                results.flag("Tenderer", supplier_id, self.code, variety)
