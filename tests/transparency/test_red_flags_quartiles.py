"""Hyndman–Fan type 8 quantiles (statrs', numpy's median_unbiased, R's type 8) and fences."""

import math

import pytest

from transparency.redflags.quartiles import (
    fused_multiply_add,
    lower_fence,
    percentile,
    quantile,
    quartiles,
    upper_fence,
)


def test_quartiles_of_one_to_ten_match_r_type_8():
    # R: quantile(1:10, c(0.25, 0.75), type = 8) gives 2.916667 8.083333
    q1, q3 = quartiles(range(1, 11))

    assert q1 == pytest.approx(2.9166666666666667, rel=1e-15)
    assert q3 == pytest.approx(8.0833333333333333, rel=1e-15)


def test_quartiles_of_one_to_four_match_numpy_median_unbiased():
    # numpy.quantile([1, 2, 3, 4], [0.25, 0.75], method="median_unbiased")
    assert quartiles([1.0, 2.0, 3.0, 4.0]) == pytest.approx(
        (1.4166666666666667, 3.5833333333333335)
    )


def test_order_of_the_values_does_not_matter():
    assert quartiles([3, 1, 4, 1, 5, 9, 2, 6]) == quartiles([1, 1, 2, 3, 4, 5, 6, 9])
    assert quartiles([3, 1, 4, 1, 5, 9, 2, 6]) == pytest.approx(
        (1.4166666666666667, 5.583333333333333)
    )


def test_cardinal_documented_r024_meta():
    # Cardinal's documentation: ratios 0, 0 and seven of 100 give q1 66.6667, q3 100.0 and a
    # lower fence of 16.6667.
    q1, q3 = quartiles([0.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 0.0])

    assert (round(q1, 4), q3, round(lower_fence(q1, q3), 4)) == (66.6667, 100.0, 16.6667)


def test_a_single_value_is_every_quantile():
    assert quartiles([7.0]) == (7.0, 7.0)
    assert quantile([7.0], 0.5) == 7.0


def test_ends_are_the_minimum_and_maximum():
    assert quantile([5.0, 2.0, 8.0], 0.0) == 2.0
    assert quantile([5.0, 2.0, 8.0], 1.0) == 8.0
    assert quantile([5.0, 2.0, 8.0], 0.05) == 2.0  # h < 1: below the first order statistic


def test_no_values_or_a_tau_out_of_range_is_nan():
    assert math.isnan(quantile([], 0.25))
    assert all(math.isnan(value) for value in quartiles([]))
    assert math.isnan(quantile([1.0, 2.0], 1.5))
    assert math.isnan(percentile([1.0, 2.0], 101))


def test_percentile_is_the_quantile_of_p_over_100():
    assert percentile([1.0, 1.0, 1.0, 6.0, 1.0, 1.0], 75) == pytest.approx(1.4166666666666667)


def test_nan_sorts_last_as_in_rust_total_cmp():
    assert quantile([math.nan, 1.0, 2.0, 3.0], 0.25) == pytest.approx(1.4166666666666667)
    assert math.isnan(quantile([math.nan, 1.0], 1.0))
    assert math.isnan(quantile([math.nan, 1.0], 0.0))  # statrs' min() propagates NaN


def test_fences_are_one_and_a_half_iqr_beyond_the_quartiles():
    assert lower_fence(2.0, 6.0) == -4.0
    assert upper_fence(2.0, 6.0) == 12.0
    assert upper_fence(0.5, 0.5) == 0.5  # no spread: the fence is the quartile itself


def test_fences_round_once_like_rust_mul_add():
    assert 0.1 * 10.0 - 1.0 == 0.0
    assert fused_multiply_add(0.1, 10.0, -1.0) == 5.551115123125783e-17
    assert math.isnan(upper_fence(math.nan, math.nan))
