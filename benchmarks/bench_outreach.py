"""Benchmark: the non-take-up datamining's whole-file screening of one month, and the planning of a
campaign on it, against the engine's own dry month run (the same vectorised computation, the
baseline) in the same process.

    .venv/bin/python benchmarks/bench_outreach.py [--scale 0.05] [--month 2022-06] [--workers 1]

Builds the twin in a fresh SQLite file (not timed), then times: the dry `month_run` of the month
(baseline), `campaigns.screen` (the same run, keeping each household's unclaimed rights), and
`campaigns.campaign_plan` on that screening (criteria, explanation of the candidates by one more
vectorised computation, random draw, writing; rolled back). The full-twin figure is the measured
time per household computed times the full twin's 94,757 allocataires: an extrapolation, linear
in households (reading facts and the engine are), stated as such. The goal is ≤ 30 s on the full
twin, two cores.
"""

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL_TWIN_HOUSEHOLDS = 94_757  # allocataires of the full twin (README, twin benchmark)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--month", default="2022-06")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "justedroit.settings",
            "DEBUG": "1",
            "JUSTEDROIT_VAR_DIR": folder,
            "DATABASE_URL": f"sqlite:///{folder}/bench.db",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from justedroit import rules
    from justedroit.core import clock
    from justedroit.entitlements.services import cut_off, month_run
    from justedroit.outreach.services import campaigns
    from justedroit.twin.build import twin_build

    call_command("migrate", verbosity=0)
    twin_build(seed=86, scale=args.scale)
    month = clock.parse_month(args.month)
    as_of = cut_off(month)
    rules.load_tax_benefit_system()  # once per process, as in production: not timed

    started = time.perf_counter()
    month_run(month=month, as_of=as_of, workers=args.workers)
    engine = time.perf_counter() - started
    started = time.perf_counter()
    screening = campaigns.screen(month=month, as_of=as_of, workers=args.workers)
    screened = time.perf_counter() - started
    with transaction.atomic():
        started = time.perf_counter()
        campaign = campaigns.campaign_plan(
            name="banc",
            month=month,
            as_of=as_of,
            criteria=campaigns.Criteria(),
            seed=86,
            acting_user=None,
            screening=screening,
        )
        planned = time.perf_counter() - started
        candidates = campaign.candidates.count()
        transaction.set_rollback(True)
    households = screening.computed
    per_household = (screened + planned) / households
    print(f"machine : {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs")
    print(f"jumeau échelle {args.scale}, {month:%m/%Y}, {households} foyers calculés")
    print(f"référence, calcul à blanc du mois (month_run) : {engine:.2f} s")
    print(f"criblage : {screened:.2f} s (×{screened / engine:.2f} la référence)")
    print(f"planification (critères, explication, tirage, écriture) : {planned:.2f} s")
    print(
        f"candidats (critères par défaut) : {candidates} ; "
        f"écartés : {campaign.excluded} ; droits non demandés : {len(screening.unclaimed)}"
    )
    print(
        f"extrapolé au jumeau complet ({FULL_TWIN_HOUSEHOLDS} foyers, linéaire) : "
        f"{per_household * FULL_TWIN_HOUSEHOLDS:.1f} s (objectif ≤ 30 s)"
    )


if __name__ == "__main__":
    main()
