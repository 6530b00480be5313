"""Estimates from a reviewed verification sample, on plain arrays (no database): the share of
files in error and the amount-weighted error rate, with honest intervals.

- Share of files in error, simple random sample: Wilson or Clopper–Pearson interval
  (`scipy.stats.binomtest(...).proportion_ci`, methods "wilson" and "exact").
- Any design with weights 1/π (stratified, PPS): the Horvitz–Thompson ratio estimator
  R̂ = Σ w y / Σ w x with its Taylor-linearised variance (Woodruff): with the residuals
  u_i = (y_i − R̂ x_i) / X̂, V̂(R̂) = Σ_h (1 − f_h) n_h/(n_h − 1) Σ_i (w_i u_i − ū_h)², f_h the
  sampling fraction of an equal-probability stratum, 0 under PPS (the with-replacement
  approximation, slightly conservative); interval R̂ ± t(df = n − H) √V̂ (Wolter,
  *Introduction to Variance Estimation*, 2nd ed., §6.11; Särndal et al. §5.6). The € error
  rate is such a ratio (y = € in error, x = € processed): a count interval is not valid for it.
- A share of files in error under such a design is the ratio with x = 1; its interval is
  Wilson's on the effective sample size n* = p̂(1 − p̂)/V̂ (Kish's design effect), which keeps it
  inside [0, 1] when errors are rare.

No library among those the project may use implements design-based ratio variance (statsmodels
has none; samplics would bring a second dataframe library): the linearisation is the few lines
below, checked by a coverage test against the twin's true rates (tests/quality)."""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    n: int
    standard_error: float | None = None

    def covers(self, truth: float) -> bool:
        return self.low <= truth <= self.high

    def as_json(self) -> dict:
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "n": self.n,
            "standard_error": self.standard_error,
        }


def share_in_error(
    errors: int, n: int, *, method: str = "wilson", confidence: float = 0.95
) -> Estimate:
    """The share of files in error of a simple random sample, with a Wilson (`wilson`) or
    Clopper–Pearson (`clopper-pearson`) interval."""
    if n == 0:
        return Estimate(math.nan, 0.0, 1.0, 0)
    scipy_method = {"wilson": "wilson", "clopper-pearson": "exact"}[method]
    interval = stats.binomtest(errors, n).proportion_ci(
        confidence_level=confidence, method=scipy_method
    )
    return Estimate(errors / n, float(interval.low), float(interval.high), n)


def _ratio_and_variance(y, x, weights, strata, fractions) -> tuple[float, float, int]:
    y, x, w = (np.asarray(a, dtype=float) for a in (y, x, weights))
    total_x = float(np.sum(w * x))
    ratio = float(np.sum(w * y)) / total_x
    residual = w * (y - ratio * x) / total_x
    variance = 0.0
    labels = np.asarray(strata, dtype=object)
    keys = np.unique(labels)
    for key in keys:
        inside = labels == key
        n_h = int(inside.sum())
        if n_h < 2:
            continue
        f_h = float(np.asarray(fractions, dtype=float)[inside][0])
        spread = residual[inside] - residual[inside].mean()
        variance += (1 - f_h) * n_h / (n_h - 1) * float(np.sum(spread**2))
    return ratio, variance, len(keys)


def ratio(
    y, x, weights, *, strata=None, fractions=None, confidence: float = 0.95, logit: bool = False
) -> Estimate:
    """R̂ = Σ w y / Σ w x with its Taylor-linearised interval (see the module's docstring).
    `strata` label each unit (one stratum when None); `fractions` give each unit's stratum
    sampling fraction n_h/N_h for the finite-population correction (0: none, as under PPS).

    `logit`: for a ratio bounded by 0 and 1 (the € error rate: € in error ≤ € processed), the
    interval is computed on logit(R̂) with the delta method, then transformed back, as survey
    software does for proportions (Stata `svy: proportion`, R `survey::svyciprop(method =
    "logit")`): errors are rare and the € they weigh is skewed, so R̂'s distribution is skewed
    to the right and a symmetric interval misses the truth above it too often (the coverage
    test measures both)."""
    n = len(y)
    if n == 0 or float(np.sum(np.asarray(weights) * np.asarray(x))) == 0:
        return Estimate(math.nan, math.nan, math.nan, n)
    strata = np.full(n, "", dtype=object) if strata is None else strata
    fractions = np.zeros(n) if fractions is None else fractions
    value, variance, count = _ratio_and_variance(y, x, weights, strata, fractions)
    error = math.sqrt(variance)
    quantile = float(stats.t.ppf(0.5 + confidence / 2, max(n - count, 1)))
    if logit and 0 < value < 1:
        centre, spread = math.log(value / (1 - value)), error / (value * (1 - value))
        low, high = (1 / (1 + math.exp(-(centre + q * spread))) for q in (-quantile, quantile))
        return Estimate(value, low, high, n, error)
    return Estimate(value, value - quantile * error, value + quantile * error, n, error)


def weighted_share(
    in_error, weights, *, strata=None, fractions=None, confidence: float = 0.95
) -> Estimate:
    """The share of files in error under a weighted design: the ratio with x = 1, and Wilson's
    interval on the effective sample size (see the module's docstring)."""
    flags = np.asarray(in_error, dtype=float)
    estimate = ratio(
        flags,
        np.ones(len(flags)),
        weights,
        strata=strata,
        fractions=fractions,
        confidence=confidence,
    )
    p, se = estimate.value, estimate.standard_error
    if se is None or math.isnan(p):
        return estimate
    effective = p * (1 - p) / se**2 if se > 0 else float(len(flags))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    centre = (p + z**2 / (2 * effective)) / (1 + z**2 / effective)
    half = (
        z / (1 + z**2 / effective) * math.sqrt(p * (1 - p) / effective + z**2 / (4 * effective**2))
    )
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), estimate.n, se)


def estimate_text(estimate: Estimate) -> str:
    """« 4,00 % [2,30 % ; 6,86 %] (n = 300) », or « — » when nothing was estimated."""
    if estimate.n == 0 or estimate.value != estimate.value:
        return "—"
    return (
        f"{estimate.value:.2%} [{estimate.low:.2%} ; {estimate.high:.2%}] (n = {estimate.n})"
    ).replace(".", ",")
