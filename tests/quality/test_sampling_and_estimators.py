"""Sample sizes, draws and estimators on plain arrays, checked against the reference figures
(INDICATORS.md) and against direct computation."""

import math

import numpy as np
import pytest
from scipy import stats

from justedroit.quality import estimators, sampling


def test_sample_size_matches_the_reference_figures():
    # p = 6 %, ± 2 points at 95 % → 542 files (INDICATORS.md), before any population correction.
    assert sampling.sample_size(expected_rate=0.06, margin=0.02, population=10**9) == 542
    # The finite-population correction: n₀ / (1 + (n₀ − 1)/N) for 2,000 files.
    n0 = stats.norm.ppf(0.975) ** 2 * 0.06 * 0.94 / 0.02**2
    assert sampling.sample_size(expected_rate=0.06, margin=0.02, population=2000) == math.ceil(
        n0 / (1 + (n0 - 1) / 2000)
    )
    assert sampling.sample_size(expected_rate=0.06, margin=0.02, population=100) <= 100
    # Discovery: 95 % confidence of one error at a 5 % tolerable rate → 59 files.
    assert sampling.discovery_size(tolerable_rate=0.05, confidence=0.95) == 59
    with pytest.raises(ValueError, match="proportions"):
        sampling.sample_size(expected_rate=6, margin=0.02, population=100)


def test_a_draw_is_reproducible_from_its_seed():
    strata = np.array(["a"] * 500 + ["b"] * 300 + ["c"] * 200, dtype=object)
    first = sampling.stratified(strata, 100, np.random.default_rng(7))
    again = sampling.stratified(strata, 100, np.random.default_rng(7))
    other = sampling.stratified(strata, 100, np.random.default_rng(8))
    assert first.positions.tolist() == again.positions.tolist()
    assert first.positions.tolist() != other.positions.tolist()


def test_neyman_allocation_follows_size_times_spread():
    counts = {"calm": 1000, "risky": 1000}
    assert sampling.allocation(counts, 100) == {"calm": 50, "risky": 50}
    assert sampling.allocation(counts, 100, {"calm": 1.0, "risky": 3.0}) == {
        "calm": 25,
        "risky": 75,
    }
    # Never more than a stratum holds, at least two where it can.
    assert sampling.allocation({"tiny": 1, "big": 999}, 500, {"tiny": 0.0, "big": 1.0}) == {
        "big": 499,
        "tiny": 1,
    }
    strata = np.array(["calm"] * 1000 + ["risky"] * 1000, dtype=object)
    draw = sampling.stratified(strata, 100, np.random.default_rng(1), {"calm": 1, "risky": 3})
    assert len(draw.positions) == 100
    risky = draw.strata == "risky"
    assert risky.sum() == 75
    assert np.allclose(draw.probabilities[risky], 75 / 1000)
    assert np.allclose(draw.probabilities[~risky], 25 / 1000)


def test_pps_inclusion_probabilities_are_proportional_and_capped():
    sizes = np.array([1.0] * 98 + [200.0, 5.0])
    pi = sampling.pps_probabilities(sizes, 10)
    assert pi.sum() == pytest.approx(10)
    assert pi[98] == 1.0  # taken with certainty
    assert pi[99] / pi[0] == pytest.approx(5)
    draw = sampling.pps(sizes, 10, np.random.default_rng(3))
    assert len(draw.positions) == 10 and 98 in draw.positions
    with pytest.raises(ValueError, match="positifs"):
        sampling.pps_probabilities(np.array([1.0, 0.0]), 1)


def test_share_intervals_are_scipys_wilson_and_clopper_pearson():
    wilson = estimators.share_in_error(30, 500)
    exact = estimators.share_in_error(30, 500, method="clopper-pearson")
    assert wilson.value == 0.06
    # Wilson's closed form, z = 1.96.
    z = stats.norm.ppf(0.975)
    centre = (0.06 + z**2 / 1000) / (1 + z**2 / 500)
    assert (wilson.low + wilson.high) / 2 == pytest.approx(centre)
    # Clopper–Pearson from the beta quantiles.
    assert exact.low == pytest.approx(stats.beta.ppf(0.025, 30, 471))
    assert exact.high == pytest.approx(stats.beta.ppf(0.975, 31, 470))


def test_the_ratio_estimator_and_its_linearised_variance():
    rng = np.random.default_rng(0)
    x = rng.uniform(100, 1000, 50)
    y = np.where(rng.random(50) < 0.2, x * 0.3, 0.0)
    # A census (n = N, fraction 1): the ratio is exact, its variance zero.
    census = estimators.ratio(y, x, np.ones(50), fractions=np.ones(50))
    assert census.value == pytest.approx(y.sum() / x.sum())
    assert census.standard_error == 0
    # A simple random sample of 50 in 1,000: Cochran's formula (1 − f)/n · S²_e / x̄².
    weights = np.full(50, 20.0)
    estimate = estimators.ratio(y, x, weights, fractions=np.full(50, 0.05))
    r = y.sum() / x.sum()
    expected = (1 - 0.05) / 50 * np.var(y - r * x, ddof=1) / x.mean() ** 2
    assert estimate.standard_error == pytest.approx(math.sqrt(expected))
    # Without the population correction (PPS) the variance is larger.
    assert estimators.ratio(y, x, weights).standard_error > estimate.standard_error
    # The logit interval stays in (0, 1) and is asymmetric around a small rate.
    bounded = estimators.ratio(y, x, weights, fractions=np.full(50, 0.05), logit=True)
    assert 0 < bounded.low < bounded.value < bounded.high < 1
    assert bounded.high - bounded.value > bounded.value - bounded.low
