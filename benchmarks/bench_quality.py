"""Benchmark: draw a stratified verification sample over a year's processing acts and compute
every estimate (share in error, € error rate, per stratum, IQL per team and per agent), against a
baseline in the same run: a plain random draw of the same size and the mean of one column.

    DEBUG=1 .venv/bin/python benchmarks/bench_quality.py [--scale 1] [--database]

1. In memory: a year of the twin's acts at `--scale` (1: 48 case workers, 149,760 acts), drawn by
   `twin.simulate.quality.workforce`; the design and estimators are the quality app's own.
2. With `--database` (the database of DATABASE_URL, holding a simulated twin): the sampling frame
   of 2022 read from the database (`quality.selectors.frame`: acts, teams, payments, engine
   changes, datamining flags), a stratified plan drawn and rolled back, the estimates of the
   latest plan of 2022. Goal (issue 17): ≤ 10 s on the full twin.
"""

import argparse
import os
import time

import numpy as np


def _in_memory(scale: float) -> None:
    from justedroit.quality import estimators, sampling
    from justedroit.twin.simulate.quality.workforce import year_of_acts

    acts = year_of_acts(scale=scale, seed=86)
    n = sampling.sample_size(expected_rate=0.06, margin=0.02, population=len(acts))
    started = time.perf_counter()
    rng = np.random.default_rng(1)
    chosen = rng.choice(len(acts), size=n, replace=False)
    float(acts.in_error[chosen].mean())
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    spreads = {t: float(acts.amount[acts.team == t].std()) for t in set(acts.team.tolist())}
    draw = sampling.stratified(acts.team, n, np.random.default_rng(1), spreads)
    at, weights = draw.positions, 1 / draw.probabilities
    y, x, e = acts.error_amount[at], acts.amount[at], acts.in_error[at]
    kw = {"strata": draw.strata, "fractions": draw.probabilities}
    estimators.weighted_share(e, weights, **kw)
    estimators.ratio(y, x, weights, logit=True, **kw)
    for team in set(draw.strata.tolist()):
        inside = draw.strata == team
        estimators.share_in_error(int(e[inside].sum()), int(inside.sum()))
    for agent in np.unique(acts.agent[at]):
        inside = acts.agent[at] == agent
        estimators.share_in_error(int(e[inside].sum()), int(inside.sum()))
    elapsed = time.perf_counter() - started
    print(
        f"en mémoire : {len(acts)} actes, n = {n} ; tirage stratifié + estimations "
        f"{elapsed:.3f} s, base (tirage simple + moyenne) {baseline:.4f} s, "
        f"rapport {elapsed / baseline:.0f}"
    )


def _database() -> None:
    import datetime as dt

    from django.db import transaction

    from justedroit.core.models import User
    from justedroit.quality import selectors
    from justedroit.quality.services import PlanInput, plan_draw

    start, end = dt.date(2022, 1, 1), dt.date(2023, 1, 1)
    started = time.perf_counter()
    count = selectors.acts_in(start, end).count()
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    frame = selectors.frame(start, end)
    read = time.perf_counter() - started
    verifier = User.objects.filter(role="verifier").first()
    with transaction.atomic():
        started = time.perf_counter()
        plan = plan_draw(
            plan=PlanInput(
                name="banc",
                period_start=start,
                period_end=end,
                method="stratified",
                stratify_by="team",
                seed=1,
            ),
            acting_user=verifier,
        )
        drawn = time.perf_counter() - started
        transaction.set_rollback(True)
    latest = selectors.plans_of_year(2022).first()
    started = time.perf_counter()
    if latest is not None:
        selectors.plan_results(latest)
    estimated = time.perf_counter() - started
    print(
        f"base : {count} actes de 2022 comptés en {baseline:.3f} s ; cadre lu en {read:.2f} s "
        f"({len(frame)} actes) ; plan stratifié tiré (n = {plan.size}, cadre compris) en "
        f"{drawn:.2f} s ; estimations du dernier plan en {estimated:.3f} s ; total "
        f"{drawn + estimated:.2f} s, rapport au comptage {(drawn + estimated) / baseline:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database", action="store_true")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justedroit.settings")
    import django

    django.setup()
    _in_memory(options.scale)
    if options.database:
        _database()


if __name__ == "__main__":
    main()
