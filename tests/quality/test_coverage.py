"""The twin as ground truth: over many reproducible draws from a year of the twin's processing
acts, whose true errors the twin knows, the 95 % intervals cover the true rates in about 95 %
of the draws, whatever the design. In memory (no database), so that it stays fast."""

import numpy as np
import pytest

from justedroit.quality import estimators, sampling
from justedroit.twin.simulate.quality.workforce import year_of_acts

DRAWS = 300
N = sampling.sample_size(expected_rate=0.06, margin=0.02, population=10**9)  # 542


@pytest.fixture(scope="module")
def acts():
    return year_of_acts(scale=0.05, seed=86)


def _draw(acts, design, rng):
    if design == "simple":
        draw = sampling.srs(len(acts), N, rng)
        return draw, draw.probabilities
    if design == "stratified":
        measure = acts.amount
        spreads = {t: float(measure[acts.team == t].std()) for t in set(acts.team.tolist())}
        draw = sampling.stratified(acts.team, N, rng, spreads)
        return draw, draw.probabilities
    draw = sampling.pps(acts.amount, N, rng)
    return draw, np.zeros(len(draw.positions))


@pytest.mark.parametrize("design", ["simple", "stratified", "pps"])
def test_the_95_percent_intervals_cover_the_true_rates(acts, design):
    share_covered = amount_covered = count_interval_covered = 0
    for seed in range(DRAWS):
        draw, fractions = _draw(acts, design, np.random.default_rng(seed))
        at = draw.positions
        weights = 1 / draw.probabilities
        strata = draw.strata if design == "stratified" else None
        if design == "simple":
            share = estimators.share_in_error(int(acts.in_error[at].sum()), len(at))
        else:
            share = estimators.weighted_share(
                acts.in_error[at], weights, strata=strata, fractions=fractions
            )
        rate = estimators.ratio(
            acts.error_amount[at],
            acts.amount[at],
            weights,
            strata=strata,
            fractions=fractions,
            logit=True,
        )
        share_covered += share.covers(acts.true_share)
        amount_covered += rate.covers(acts.true_amount_rate)
        # The wrong method: a count interval read as the € error rate.
        count_interval_covered += estimators.share_in_error(
            int(acts.in_error[at].sum()), len(at)
        ).covers(acts.true_amount_rate)
    assert 0.92 <= share_covered / DRAWS <= 0.98
    assert 0.90 <= amount_covered / DRAWS <= 0.98
    assert count_interval_covered / DRAWS < 0.05


def test_the_twins_agents_do_not_all_err_alike(acts):
    rates = np.array([acts.in_error[acts.agent == a].mean() for a in np.unique(acts.agent)])
    assert rates.max() > 2 * np.median(rates)
    assert acts.true_share == pytest.approx(0.06, abs=0.01)
    assert set(acts.error_kind[acts.in_error].tolist()) == {
        "wrong_amount",
        "wrong_date",
        "missed_resource",
    }
