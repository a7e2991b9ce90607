"""Cardinal's eleven red-flag indicators, by code, in Cardinal's order."""

from transparency.redflags.indicators.base import Indicator
from transparency.redflags.indicators.organisations import R025, R038, R048
from transparency.redflags.indicators.prices import R024, R058, SecondLowestBidRatio
from transparency.redflags.indicators.process import R003, R018, R028, R030, R035, R036

INDICATORS: dict[str, type[Indicator]] = {
    indicator.code: indicator
    for indicator in (R003, R018, R024, R025, R028, R030, R035, R036, R038, R048, R058)
}

__all__ = ["INDICATORS", "Indicator", "SecondLowestBidRatio"]
