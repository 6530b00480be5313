"""Benchmark: the steps of the twin's simulated months that wrote one household (or one act) at a
time, against their set-based replacement, in the same run.

    .venv/bin/python benchmarks/bench_twin_months.py [--scale 0.05] [--acts 600]

Builds the twin in a fresh SQLite file (not timed) and draws its truth. Then, each inside a
transaction rolled back afterwards, a month of the twin's case workers' acts (`--acts` true
salaries of 01/2021, as `twin.simulate.quality` records them: each by its agent at its own
instant, with its audit event and processing act) is recorded:

- one by one with `registry.services.fact_record` (the previous path: five writes and two reads
  per act);
- in bulk with `registry.services.agent_facts_record` (five inserts for the month).

Both wall-clock and CPU seconds are printed: the machine is shared, the CPU time and the ratio
are the figures to compare between runs. The extrapolation to the full twin is linear in acts
(12 480 a month at scale 1: `quality/parameters.py`).
"""

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONTH = dt.date(2021, 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--acts", type=int, default=600)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "justedroit.settings",
            "DEBUG": "1",
            "JUSTEDROIT_VAR_DIR": folder,
            "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{folder}/bench.db"),
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import transaction

    from justedroit.core import clock
    from justedroit.registry import services
    from justedroit.registry.models import FactSource, Household, Person
    from justedroit.twin.build import twin_build
    from justedroit.twin.simulate import truth
    from justedroit.twin.simulate.quality import _salaries, workforce
    from justedroit.twin.simulate.quality.parameters import PARAMETERS as P

    call_command("migrate", verbosity=0)
    twin_build(seed=86, scale=args.scale)
    with transaction.atomic():
        truth.simulate(first_month=MONTH, last_month=MONTH, seed=86, scale=args.scale)
        agents = [agent for agent, _ in workforce(args.scale, np.random.default_rng(1), MONTH)]
    salaries = _salaries(MONTH)[: args.acts]
    entries = [
        services.AgentFact(
            services.FactInput(
                household_id=household_id,
                person_id=person_id,
                kind="salary",
                valid_from=MONTH,
                valid_until=clock.add_months(MONTH, 1),
                amount=amount,
            ),
            agent=agents[index % len(agents)],
            at=dt.datetime(2021, 1, 1 + index % 20, 10, tzinfo=clock.PARIS)
            + dt.timedelta(seconds=index),
            reason="traitement d'une déclaration de ressources",
        )
        for index, (household_id, person_id, amount) in enumerate(salaries)
    ]

    def timed(record) -> tuple[float, float]:
        with transaction.atomic():
            wall, cpu = time.perf_counter(), time.process_time()
            record()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            transaction.set_rollback(True)
        return wall, cpu

    def one_by_one() -> None:
        households = Household.objects.in_bulk({e.fact.household_id for e in entries})
        persons = Person.objects.in_bulk({e.fact.person_id for e in entries})
        for entry in entries:
            with clock.frozen(entry.at):
                services.fact_record(
                    household=households[entry.fact.household_id],
                    person=persons[entry.fact.person_id],
                    kind=entry.fact.kind,
                    valid_from=entry.fact.valid_from,
                    valid_until=entry.fact.valid_until,
                    amount=entry.fact.amount,
                    source=FactSource.AGENT,
                    acting_user=entry.agent,
                    reason=entry.reason,
                )

    loop_wall, loop_cpu = timed(one_by_one)
    bulk_wall, bulk_cpu = timed(lambda: services.agent_facts_record(entries))
    full = round(len(P.teams) * P.agents_per_team * P.acts_per_agent_month)
    print(f"machine : {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs")
    print(f"jumeau échelle {args.scale}, {len(entries)} actes des gestionnaires de 01/2021")
    print(f"acte par acte (fact_record) : {loop_wall:.2f} s, CPU {loop_cpu:.2f} s")
    print(f"en lot (agent_facts_record) : {bulk_wall:.2f} s, CPU {bulk_cpu:.2f} s")
    print(
        f"rapport acte par acte / en lot : {loop_wall / bulk_wall:.1f} × "
        f"(CPU {loop_cpu / bulk_cpu:.1f} ×)"
    )
    print(
        f"extrapolé au jumeau complet ({full} actes par mois), CPU par mois : acte par acte "
        f"{loop_cpu / len(entries) * full:.0f} s, en lot {bulk_cpu / len(entries) * full:.0f} s"
    )


if __name__ == "__main__":
    main()
