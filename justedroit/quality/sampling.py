"""Sampling designs for the verification of processing acts, on plain arrays (no database):
sample sizes, simple random, stratified (proportional or Neyman allocation) and probability
proportional to size (PPS) draws. Every draw takes its seed and returns each selected unit's
inclusion probability, which the plan stores: the estimators weight by its inverse.

References (method notes, `INDICATORS.md`): n₀ = z²p(1−p)/e², with the finite-population
correction n = n₀ / (1 + (n₀ − 1)/N) (Cochran, *Sampling Techniques*, 3rd ed., §4.4); a
discovery sample n = ⌈ln(1−C) / ln(1−p)⌉; Neyman allocation n_h ∝ N_h S_h (Cochran §5.5);
systematic PPS with inclusion probabilities π_i = n x_i / X, units with n x_i ≥ X taken with
certainty (Särndal, Swensson & Wretman, *Model Assisted Survey Sampling*, §3.6)."""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level (0.95 → 1.96)."""
    return float(stats.norm.ppf(0.5 + confidence / 2))


def sample_size(
    *, expected_rate: float, margin: float, population: int, confidence: float = 0.95
) -> int:
    """Files to draw for a share in error known to ± `margin` (e.g. p = 6 %, ± 2 points at 95 %
    → 542 without correction), corrected for a finite population of `population` files."""
    if not 0 < expected_rate < 1 or not 0 < margin < 1:
        raise ValueError("Le taux attendu et la précision sont des proportions entre 0 et 1.")
    if population <= 0:
        return 0
    n0 = z_value(confidence) ** 2 * expected_rate * (1 - expected_rate) / margin**2
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))


def discovery_size(*, tolerable_rate: float, confidence: float = 0.95) -> int:
    """Files to draw so that, if the error rate were `tolerable_rate`, at least one error would be
    found with probability `confidence` (95 %, 5 % → 59 files)."""
    if not 0 < tolerable_rate < 1 or not 0 < confidence < 1:
        raise ValueError("Le taux tolérable et la confiance sont des proportions entre 0 et 1.")
    return math.ceil(math.log(1 - confidence) / math.log(1 - tolerable_rate))


@dataclass(frozen=True)
class Draw:
    """Selected positions in the population arrays, with their inclusion probabilities and the
    stratum each belongs to ("" without strata)."""

    positions: np.ndarray
    probabilities: np.ndarray
    strata: np.ndarray


def srs(size: int, n: int, rng: np.random.Generator) -> Draw:
    """A simple random sample without replacement of n of `size` units."""
    n = min(n, size)
    positions = np.sort(rng.choice(size, size=n, replace=False))
    return Draw(positions, np.full(n, n / size if size else 0.0), np.full(n, "", dtype=object))


def allocation(
    counts: dict[str, int], n: int, spreads: dict[str, float] | None = None
) -> dict[str, int]:
    """Sample sizes per stratum summing to n: proportional to N_h, or to N_h·S_h (Neyman) when
    the strata's standard deviations are given. Largest remainders; at least 2 per stratum that
    has 2 units (a variance needs two), never more than the stratum holds."""
    keys = sorted(counts)
    weights = np.array([counts[k] * (spreads.get(k, 1.0) if spreads else 1.0) for k in keys])
    if weights.sum() <= 0:
        weights = np.array([float(counts[k]) for k in keys])
    n = min(n, sum(counts.values()))
    exact = n * weights / weights.sum()
    share = dict(zip(keys, exact.tolist(), strict=True))
    sizes = {k: min(counts[k], max(min(2, counts[k]), int(share[k]))) for k in keys}
    order = sorted(keys, key=lambda k: int(share[k]) - share[k])
    while sum(sizes.values()) > n:  # the minimum of two took more than n: shrink the largest
        largest = max(keys, key=lambda k: sizes[k])
        sizes[largest] -= 1
    while sum(sizes.values()) < n:
        grown = False
        for k in order:
            if sum(sizes.values()) >= n:
                break
            if sizes[k] < counts[k]:
                sizes[k] += 1
                grown = True
        if not grown:
            break
    return sizes


def stratified(
    strata: np.ndarray, n: int, rng: np.random.Generator, spreads: dict[str, float] | None = None
) -> Draw:
    """A stratified simple random sample: n allocated over the strata (Neyman when `spreads`
    are given, see `allocation`), then a simple random sample in each."""
    keys, inverse, counts = np.unique(strata, return_inverse=True, return_counts=True)
    sizes = allocation(dict(zip(keys.tolist(), counts.tolist(), strict=True)), n, spreads)
    positions, probabilities, labels = [], [], []
    for index, key in enumerate(keys.tolist()):
        members = np.flatnonzero(inverse == index)
        chosen = np.sort(rng.choice(members, size=sizes[key], replace=False))
        positions.append(chosen)
        probabilities.append(np.full(len(chosen), sizes[key] / len(members)))
        labels.append(np.full(len(chosen), key, dtype=object))
    order = np.argsort(np.concatenate(positions), kind="stable")
    return Draw(
        np.concatenate(positions)[order],
        np.concatenate(probabilities)[order],
        np.concatenate(labels)[order],
    )


def pps_probabilities(sizes: np.ndarray, n: int) -> np.ndarray:
    """Inclusion probabilities π_i = n x_i / X, the units reaching 1 taken with certainty and
    the rest of n spread again over the others."""
    sizes = np.asarray(sizes, dtype=float)
    if (sizes <= 0).any():
        raise ValueError("Un tirage proportionnel au montant demande des montants positifs.")
    n = min(n, len(sizes))
    certain = np.zeros(len(sizes), dtype=bool)
    while True:
        rest = n - certain.sum()
        pi = np.where(certain, 1.0, rest * sizes / sizes[~certain].sum())
        newly = (pi >= 1) & ~certain
        if not newly.any():
            return np.minimum(pi, 1.0)
        certain |= newly


def pps(sizes: np.ndarray, n: int, rng: np.random.Generator) -> Draw:
    """A systematic PPS sample (random start, random order of the units) of fixed size n."""
    pi = pps_probabilities(sizes, n)
    order = rng.permutation(len(pi))
    cumulative = np.cumsum(pi[order])
    points = rng.uniform(0, 1) + np.arange(round(pi.sum()))
    found = np.minimum(np.searchsorted(cumulative, points, side="right"), len(pi) - 1)
    chosen = np.sort(order[found])
    return Draw(chosen, pi[chosen], np.full(len(chosen), "", dtype=object))
