"""What a run of the engine accumulates: flags per group, quartiles and fences, maps, warnings.

Groups are Cardinal's: ``OCID`` (a contracting process, keyed by ``/ocid``), ``Buyer``
(``/buyer/id``), ``ProcuringEntity`` (``/tender/procuringEntity/id``) and ``Tenderer``
(``/bids/details[]/tenderers[]/id``). Only flagged identifiers are kept.
"""

from collections import Counter
from dataclasses import dataclass, field

GROUPS = ("OCID", "Buyer", "ProcuringEntity", "Tenderer")
MAP_NAMES = (
    "ocid_buyer_r038",
    "ocid_procuringentity_r038",
    "ocid_tenderer",
    "ocid_tenderer_r024",
    "ocid_tenderer_r028",
    "ocid_tenderer_r030",
    "ocid_tenderer_r035",
    "ocid_tenderer_r058",
)


@dataclass
class Results:
    """Indicator values by group, identifier and code; Cardinal's ``Meta`` and ``Maps``."""

    mapping: bool = False  # whether to keep Cardinal's ``--map`` maps
    groups: dict[str, dict[str, dict[str, float]]] = field(
        default_factory=lambda: {group: {} for group in GROUPS}
    )
    meta: dict[str, dict[str, float]] = field(default_factory=dict)
    maps: dict[str, dict] = field(default_factory=lambda: {name: {} for name in MAP_NAMES})
    # The main currency: the ``currency`` setting, else the first one a price indicator meets.
    currency: str | None = None
    # Shared by R024 and R058: per ocid, the relative gap between the winning bid and the
    # lowest other valid bid, and who made those two bids.
    second_lowest_bid_ratios: dict[str, float] = field(default_factory=dict)
    winner_and_lowest_non_winner: dict[str, tuple[str, str]] = field(default_factory=dict)
    warnings: Counter = field(default_factory=Counter)

    def flag(self, group: str, key: str, code: str, value: float) -> None:
        self.groups[group].setdefault(key, {})[code] = value

    def set_meta(self, code: str, name: str, value: float) -> None:
        self.meta.setdefault(code, {})[name] = value

    def map_tenderer(self, name: str, ocid: str, tenderer_id: str) -> None:
        if self.mapping:
            self.maps[name].setdefault(ocid, set()).add(tenderer_id)

    def map_organisation(self, name: str, ocid: str, organisation_id: str) -> None:
        if self.mapping:
            self.maps[name][ocid] = organisation_id

    def main_currency(self, observed: str, configured: str | None) -> str:
        """Fix the main currency on first use, as Cardinal's ``get_or_insert_with`` does."""
        if self.currency is None:
            self.currency = configured if configured is not None else observed
        return self.currency
