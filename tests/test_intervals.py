"""The interval machinery: the sizes from which an interval exists, the mean's threshold, and
Kaplan-Meier written out as scipy computes it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from mttr_lab.intervals import (
    BCA_MAX_N,
    MEAN_INTERVAL_MIN,
    _t_intervals,
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

    def interval(sample):
        return _t_intervals(sample.mean(), sample.std(ddof=1), len(sample), 0.95, least=MEAN_INTERVAL_MIN)

    assert np.isnan(interval(values[:-1])).all()
    low, high = interval(values)
    assert low < values.mean() < high


def test_the_bootstrap_skips_bca_above_its_size():
    assert bootstrap_methods(BCA_MAX_N) == ("BCa", "percentile")
    assert bootstrap_methods(BCA_MAX_N + 1) == ("percentile",)


def _bits(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=float).view(np.int64)


@pytest.mark.parametrize("seed", range(6))
def test_kaplan_meier_is_scipys_ecdf_and_log_log_band_bit_for_bit(seed):
    from mttr_lab.intervals import _km_fit, _within

    rng = np.random.default_rng(seed)
    n = [1, 7, 40, 300, 2000, 25][seed]
    minutes = rng.integers(0, 15, n).astype(float) if seed % 2 else rng.lognormal(3, 1.2, n)
    for share in (0.0, 0.2, 0.8):
        censored = rng.random(n) < share
        if censored.all():
            continue
        curve = _km_fit(np.sort(minutes[~censored]), minutes[censored], 0.9)
        res = stats.ecdf(stats.CensoredData.right_censored(minutes, censored))
        band = _band(res, 0.9)
        assert np.array_equal(_bits(curve.times), _bits(res.sf.quantiles))
        assert np.array_equal(_bits(curve.surv), _bits(res.sf.probabilities))
        assert np.array_equal(_bits(curve.low), _bits(band.low.evaluate(res.sf.quantiles)))
        assert np.array_equal(_bits(curve.high), _bits(band.high.evaluate(res.sf.quantiles)))
        if censored.any():
            for target in (0.0, 3.0, 20.0, 1e6):
                got = _within(np.sort(minutes[~censored]), minutes[censored], target, 0.9, curve)
                assert _bits(got[0]) == _bits(1 - float(res.sf.evaluate(target)))
                low, high = 1 - float(band.high.evaluate(target)), 1 - float(band.low.evaluate(target))
                assert np.isnan(low) or _bits(got[1]) == _bits(low)
                assert np.isnan(high) or _bits(got[2]) == _bits(high)
    assert _km_fit(minutes[:0], minutes, 0.9) is None  # nothing observed: no curve


def _band(res, confidence):
    """scipy's log-log band (undefined where the curve reaches 0: NaN, with a warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return res.sf.confidence_interval(confidence, method="log-log")


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_interval_is_scipys_bit_for_bit(confidence):
    from mttr_lab.intervals import _wilson

    for n in (1, 2, 5, 37, 1000):
        for k in sorted({0, 1, n // 3, n - 1, n}):
            ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
            low, high = _wilson(k, n, confidence)
            assert _bits(low) == _bits(float(ci.low)) and _bits(high) == _bits(float(ci.high))
