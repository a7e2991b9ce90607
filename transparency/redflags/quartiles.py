"""Quantiles and Tukey fences exactly as Cardinal computes them.

Cardinal uses statrs' ``quantile``, which is Hyndman and Fan's definition 8 (approximately
median-unbiased whatever the distribution; numpy's ``method="median_unbiased"``, R's
``type = 8``). The arithmetic below follows statrs step by step, so that results match to the
last bit, and the fences use a fused multiply-add as Cardinal's ``mul_add`` does. An empty
sample gives NaN, as in statrs; a NaN sorts last (Rust's ``total_cmp``).
"""

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

NAN = math.nan
THIRD = 1.0 / 3.0


def sort_values(values: Iterable[float]) -> list[float]:
    """Sort ascending with any NaN last, as Rust's ``f64::total_cmp`` orders them."""
    values = list(values)
    return sorted(value for value in values if value == value) + [
        value for value in values if value != value
    ]


def quantile_sorted(data: Sequence[float], tau: float) -> float:
    """The tau-th quantile (Hyndman–Fan type 8) of data already sorted by ``sort_values``."""
    n = len(data)
    if not 0.0 <= tau <= 1.0 or n == 0:
        return NAN
    h = (n + THIRD) * tau + THIRD
    hf = int(h)  # h > 0, so truncation is the floor
    if hf <= 0 or tau == 0.0:
        return NAN if data[-1] != data[-1] else data[0]  # statrs' min() propagates NaN
    if hf >= n or tau == 1.0:
        return data[-1]
    a = data[hf - 1]
    b = data[hf]
    return a + (h - hf) * (b - a)


def quantile(values: Iterable[float], tau: float) -> float:
    """The tau-th quantile (0 ≤ tau ≤ 1) of values in any order; NaN if there are none."""
    return quantile_sorted(sort_values(values), tau)


def percentile(values: Iterable[float], p: int) -> float:
    """The p-th percentile (0 ≤ p ≤ 100), as statrs' ``percentile``: ``quantile(p / 100)``."""
    return quantile(values, p / 100.0)


def quartiles(values: Iterable[float]) -> tuple[float, float]:
    """The first and third quartiles (Q1, Q3), sorting once."""
    data = sort_values(values)
    return quantile_sorted(data, 0.25), quantile_sorted(data, 0.75)


def lower_fence(q1: float, q3: float) -> float:
    """Q1 − 1.5·IQR; a value at the fence is an outlier too (Cardinal compares with ≤)."""
    return fused_multiply_add(q3 - q1, -1.5, q1)


def upper_fence(q1: float, q3: float) -> float:
    """Q3 + 1.5·IQR; a value at the fence is an outlier too (Cardinal compares with ≥)."""
    return fused_multiply_add(q3 - q1, 1.5, q3)


def fused_multiply_add(x: float, y: float, z: float) -> float:
    """x·y + z rounded once, like Rust's ``f64::mul_add`` (``math.fma`` from Python 3.13)."""
    if hasattr(math, "fma"):
        return math.fma(x, y, z)
    if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
        return x * y + z
    return float(Fraction(x) * Fraction(y) + Fraction(z))
