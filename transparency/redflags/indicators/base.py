"""The shape every indicator has: read one release at a time, conclude once at the end."""

from typing import ClassVar

from transparency.redflags.release import matches_procurement_method_details
from transparency.redflags.results import Results
from transparency.redflags.settings import Settings


class Indicator:
    """An indicator folds each release into its own running totals, then finalizes.

    ``fold`` sees every release that passes the global filters (a string ocid, not cancelled,
    not excluded by ``[exclusions]``); it must keep aggregates, never the release itself.
    ``finalize`` computes quartiles over those aggregates and writes the flags.
    """

    code: ClassVar[str] = ""

    def __init__(self, settings: Settings) -> None:
        self.options = settings.indicators.get(self.code)

    def fold(self, results: Results, release: dict, ocid: str) -> None:
        """Take one release into account."""

    def finalize(self, results: Results) -> None:
        """Write the flags that depend on all releases."""


class PriceComparison(Indicator):
    """An indicator that compares bid prices, so honours the price-comparison settings."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.include = settings.price_comparison_procurement_methods
        self.exclude = settings.no_price_comparison_procurement_methods
        self.currency = settings.currency

    def compares_prices(self, release: dict) -> bool:
        return matches_procurement_method_details(release, self.include, self.exclude)
