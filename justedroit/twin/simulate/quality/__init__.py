"""The twin's case workers and the quality of their processing: the ground truth the quality
app's estimates are judged against.

- `workforce.py`: a year of acts as arrays with their true errors (the coverage test);
- `simulate` (here): the twin's case workers, in teams, record the households' true monthly
  salaries through the registry's real service (`fact_record`, source « saisie d'un agent »: a
  processing act each), a calibrated minority erring more; each act's truth (true amount,
  amount recorded, kind of error) goes to the twin's truth (`TrueProcessing`). The monthly cycle
  then pays on what they recorded, errors included;
- `verification.py`: the twin's verifier reviewing a plan's acts, and the true rates."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import numpy as np

from justedroit.core import clock
from justedroit.core.models import User
from justedroit.core.roles import Role
from justedroit.quality.services import team_join
from justedroit.registry.services import AgentFact, FactInput, agent_facts_record
from justedroit.twin.simulate.quality.parameters import PARAMETERS as P
from justedroit.twin.simulate.quality.workforce import agents_error_rates
from justedroit.twin.truth.models import TrueKind, TruePeriod, TrueProcessing

CENT = Decimal("0.01")


def workforce(scale: float, rng: np.random.Generator, start: dt.date) -> list[tuple[User, float]]:
    """The twin's case workers (created once, in their teams) with their relative error rate."""
    per_team = max(2, round(P.agents_per_team * scale))
    agents = []
    for t, team in enumerate(P.teams):
        for i in range(per_team):
            user, created = User.objects.get_or_create(
                username=f"jumeau-gc-{t + 1}-{i + 1:02d}",
                defaults={"role": Role.CASE_WORKER, "last_name": f"Gestionnaire {t + 1}.{i + 1}"},
            )
            if created:
                team_join(team_name=team, agent=user, start_date=start, acting_user=None)
            agents.append(user)
    return list(zip(agents, agents_error_rates(len(agents), rng).tolist(), strict=True))


def _salaries(month: dt.date) -> list[tuple[int, int, Decimal]]:
    """(household, person, true salary) of every person with a true salary in `month`: the
    period that starts latest is the true one."""
    latest: dict[int, tuple[dt.date, int, Decimal]] = {}
    for household_id, person_id, start, amount in (
        TruePeriod.objects.filter(kind=TrueKind.SALARY, person__isnull=False, month_from__lte=month)
        .exclude(month_until__lte=month)
        .values_list("household_id", "person_id", "month_from", "amount")
    ):
        if person_id not in latest or start >= latest[person_id][0]:
            latest[person_id] = (start, household_id, amount)
    return sorted((h, p, a) for p, (_, h, a) in latest.items() if a is not None)


def _recorded(kind: str, truth: Decimal, month: dt.date, rng) -> tuple[Decimal, dt.date]:
    if kind == "wrong_amount":
        factor = rng.uniform(*P.error_share_of_amount[kind])
        sign = 1 if rng.random() < 0.5 else -1
        return (truth * Decimal(str(1 + sign * factor))).quantize(CENT), month
    if kind == "missed_resource":
        return Decimal("0.00"), month
    return truth, clock.add_months(month, 1)  # wrong date: the right amount, a month late


def simulate(*, first_month, last_month, seed, scale, progress) -> dict:
    rng = np.random.default_rng(seed + 1717)
    agents = workforce(scale, rng, first_month)
    rates = np.array([rate for _, rate in agents])
    per_month = max(1, round(len(P.teams) * P.agents_per_team * P.acts_per_agent_month * scale))
    kinds = list(P.error_kinds)
    counts: dict[str, int] = defaultdict(int)
    month = first_month
    while month <= last_month:
        salaries = _salaries(month)
        if salaries:
            n = min(per_month, len(salaries))
            chosen = [salaries[i] for i in rng.choice(len(salaries), size=n, replace=False)]
            who = rng.integers(0, len(agents), size=n)
            errs = rng.random(n) < P.error_rate * rates[who]
            days = np.sort(rng.integers(1, 21, size=n))
            entries, truths = [], []
            for index, (household_id, person_id, truth) in enumerate(chosen):
                kind = kinds[rng.choice(len(kinds), p=list(P.error_kinds.values()))]
                amount, valid_from = (
                    _recorded(kind, truth, month, rng) if errs[index] else (truth, month)
                )
                instant = dt.datetime(
                    month.year, month.month, int(days[index]), 10, tzinfo=clock.PARIS
                ) + dt.timedelta(seconds=index)
                entries.append(
                    AgentFact(
                        FactInput(
                            household_id=household_id,
                            person_id=person_id,
                            kind="salary",
                            valid_from=valid_from,
                            valid_until=clock.add_months(valid_from, 1),
                            amount=amount,
                        ),
                        agent=agents[who[index]][0],
                        at=instant,
                        reason="traitement d'une déclaration de ressources",
                    )
                )
                truths.append((truth, amount, kind if errs[index] else ""))
            recorded = agent_facts_record(entries)
            TrueProcessing.objects.bulk_create(
                TrueProcessing(
                    act=act, month=month, true_amount=truth, recorded_amount=amount, error=error
                )
                for (_, act), (truth, amount, error) in zip(recorded, truths, strict=True)
            )
            counts["actes"] += n
            counts["actes en erreur"] += int(errs.sum())
        progress(f"{month:%Y-%m} : {counts['actes']} actes")
        month = clock.add_months(month, 1)
    return dict(counts)
