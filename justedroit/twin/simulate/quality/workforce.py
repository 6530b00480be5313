"""A year of the twin's processing acts as arrays, with the true errors: which agent of which
team processed what amount for which benefit, and whether (and by how much) the act was wrong.

Pure numpy, no database: the verification estimators' coverage test draws thousands of samples
from it in seconds. Each agent has an error probability: most the base rate, a minority
(`weak_agents_share`) `weak_agents_factor` times more, scaled so that the whole year's rate is
`error_rate`; acts on means-tested benefits err `risk_factor` times more. An error is a wrong
amount, a wrong date of effect or a missed resource, and falsifies a share of the amount."""

from dataclasses import dataclass

import numpy as np

from justedroit.twin.simulate.quality.parameters import PARAMETERS, QualityParameters

BENEFITS = ("af", "aide_logement", "rsa", "ppa", "aah", "paje_base")
BENEFIT_WEIGHT = (0.22, 0.26, 0.16, 0.20, 0.08, 0.08)
MEANS_TESTED = {"aide_logement", "rsa", "ppa"}


@dataclass(frozen=True)
class Acts:
    """One row per act: the true world. `error_amount` is 0 for an act without error."""

    agent: np.ndarray
    team: np.ndarray
    benefit: np.ndarray
    month: np.ndarray  # 1..12
    amount: np.ndarray  # € at stake (monthly benefits the act bears on)
    in_error: np.ndarray
    error_kind: np.ndarray
    error_amount: np.ndarray

    def __len__(self) -> int:
        return len(self.agent)

    @property
    def true_share(self) -> float:
        return float(self.in_error.mean())

    @property
    def true_amount_rate(self) -> float:
        return float(self.error_amount.sum() / self.amount.sum())


def agents_error_rates(
    n_agents: int, rng: np.random.Generator, p: QualityParameters = PARAMETERS
) -> np.ndarray:
    """Each agent's probability of error (before the benefit's risk factor)."""
    weak = rng.random(n_agents) < p.weak_agents_share
    relative = np.where(weak, p.weak_agents_factor, 1.0)
    return relative / relative.mean()


def year_of_acts(*, scale: float, seed: int, p: QualityParameters = PARAMETERS) -> Acts:
    """The acts of a year of the twin at `scale` (1: the Caf de la Vienne), drawn from `seed`."""
    rng = np.random.default_rng(seed)
    per_team = max(2, round(p.agents_per_team * scale))
    n_agents = per_team * len(p.teams)
    agent_rate = agents_error_rates(n_agents, rng, p)
    agent_team = np.repeat(np.array(p.teams, dtype=object), per_team)
    count = p.acts_per_agent_month * 12 * n_agents
    agent = rng.integers(0, n_agents, size=count)
    benefit = rng.choice(np.array(BENEFITS, dtype=object), size=count, p=BENEFIT_WEIGHT)
    risky = np.isin(benefit, list(MEANS_TESTED))
    relative = agent_rate[agent] * np.where(risky, p.risk_factor, 1.0)
    probability = np.minimum(1.0, p.error_rate * relative / relative.mean())
    in_error = rng.random(count) < probability
    kinds = np.array(list(p.error_kinds), dtype=object)
    error_kind = np.where(
        in_error, rng.choice(kinds, size=count, p=list(p.error_kinds.values())), ""
    )
    amount = np.round(p.amount_median * rng.lognormal(0.0, p.amount_spread, size=count), 2)
    low = np.array([p.error_share_of_amount.get(k, (0, 0))[0] for k in error_kind])
    high = np.array([p.error_share_of_amount.get(k, (0, 0))[1] for k in error_kind])
    error_amount = np.where(in_error, np.round(amount * rng.uniform(low, high), 2), 0.0)
    return Acts(
        agent=agent,
        team=agent_team[agent],
        benefit=benefit,
        month=rng.integers(1, 13, size=count),
        amount=amount,
        in_error=in_error,
        error_kind=error_kind,
        error_amount=error_amount,
    )
