"""The interval machinery: the sizes from which an interval exists, and the mean's threshold."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mttr_lab.intervals import (
    BCA_MAX_N,
    MEAN_INTERVAL_MIN,
    _mean_interval,
    bootstrap_methods,
    quantile_interval_sizes,
)


@pytest.mark.parametrize("p", [0.5, 0.9, 0.95, 0.99])
@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_an_end_exists_from_the_first_size_where_the_binomial_tail_allows_it(p, confidence):
    lower, upper = quantile_interval_sizes(p, confidence=confidence)
    tail, eps = (1 - confidence) / 2, 1e-12  # a size exactly on the boundary may fall either side
    # The upper end exists once the largest value lies above the p-quantile with probability at
    # least 1 - tail: P(all n below) = p**n <= tail; the size before does not (scipy's binomial).
    assert stats.binom.pmf(upper, upper, p) <= tail + eps
    assert upper == 1 or stats.binom.pmf(upper - 1, upper - 1, p) > tail - eps
    assert stats.binom.pmf(0, lower, p) <= tail + eps
    assert lower == 1 or stats.binom.pmf(0, lower - 1, p) > tail - eps


def test_sizes_refuse_what_is_not_a_probability():
    with pytest.raises(ValueError, match="p must be between 0 and 1"):
        quantile_interval_sizes(1.0)
    with pytest.raises(ValueError, match="confidence must be between 0 and 1"):
        quantile_interval_sizes(0.5, confidence=95)


def test_the_mean_has_an_interval_only_from_its_threshold():
    values = np.random.default_rng(1).lognormal(4, 1.25, MEAN_INTERVAL_MIN)
    assert np.isnan(_mean_interval(values[:-1], 0.95)).all()
    low, high = _mean_interval(values, 0.95)
    assert low < values.mean() < high


def test_the_bootstrap_skips_bca_above_its_size():
    assert bootstrap_methods(BCA_MAX_N) == ("BCa", "percentile")
    assert bootstrap_methods(BCA_MAX_N + 1) == ("percentile",)
