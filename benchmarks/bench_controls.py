"""Benchmark: one month's automated controls, set-based (`automated_controls_run`: one pass
over the discrepancies, bulk writes, one computation of the engine per month for all the settled
households) against the per-household path (`one_by_one=True`: each household settled in its own
transaction, one engine call per household), in the same run.

    .venv/bin/python benchmarks/bench_controls.py [--scale 0.05] [--households 4000]
        [--loop-sample 30]

Builds the twin in a fresh SQLite file and pays January–June 2022 (not timed). Then, inside a
transaction rolled back afterwards, the partners send for each chosen claimant a salary of 1,800 €
a month for March–June (what a DRM file would bring; not timed), and July's automated controls
are timed: set-based over all the chosen households, then per household on a sample of them.
The ratio per household is the figure to compare between runs: the machine is shared.
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
PAID = [dt.date(2022, month, 1) for month in range(1, 7)]
JULY = dt.date(2022, 7, 1)
CONTROL_DAY = dt.datetime(2022, 7, 25, 19)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--households", type=int, default=4_000)
    parser.add_argument("--loop-sample", type=int, default=30)
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
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction

    from justedroit.controls.services import automated_controls_run
    from justedroit.core import clock
    from justedroit.entitlements.services import cut_off, month_run
    from justedroit.registry import services as registry_services
    from justedroit.registry.models import FactSource, Membership
    from justedroit.twin.build import twin_build

    call_command("migrate", verbosity=0)
    twin_build(seed=86, scale=args.scale)
    for month in PAID:
        with clock.frozen(cut_off(month)):
            month_run(month=month, wet=True, workers=1)
    claimants = list(
        Membership.objects.filter(role="claimant")
        .order_by("household_id")
        .values_list("household_id", "person_id")[: args.households]
    )

    def timed(members, **options):
        with transaction.atomic():
            with clock.frozen(CONTROL_DAY - dt.timedelta(hours=2)):
                registry_services.facts_record_bulk(
                    facts=[
                        registry_services.FactInput(
                            household_id=household_id,
                            person_id=person_id,
                            kind="salary",
                            valid_from=dt.date(2022, 3, 1),
                            valid_until=JULY,
                            amount=Decimal("1800"),
                        )
                        for household_id, person_id in members
                    ],
                    source=FactSource.PARTNER_EXCHANGE,
                    acting_user=None,
                )
            with clock.frozen(CONTROL_DAY, tick=dt.timedelta(microseconds=1)):
                started = time.perf_counter()
                counts = automated_controls_run(month=JULY, acting_user=None, **options)
                elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed, counts

    vectorised, counts = timed(claimants)
    sample = claimants[: args.loop_sample]
    looped, loop_counts = timed(sample, one_by_one=True)
    small, _ = timed(sample)
    # Per household controlled: the twin's own partner facts add a few households to each run.
    per_vector = vectorised / counts["households"]
    per_loop = looped / loop_counts["households"]
    print(f"machine : {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs")
    print(f"jumeau échelle {args.scale}, contrôles automatisés de 07/2022 (écarts mars–juin)")
    print(
        f"ensembliste : {vectorised:.1f} s pour {counts['households']} foyers "
        f"({per_vector * 1000:.1f} ms/foyer) — {counts}"
    )
    print(f"ensembliste, {loop_counts['households']} foyers : {small:.1f} s")
    print(
        f"foyer par foyer : {looped:.1f} s pour {loop_counts['households']} foyers "
        f"({per_loop * 1000:.1f} ms/foyer) — {loop_counts}"
    )
    print(f"rapport foyer par foyer / ensembliste, par foyer : {per_loop / per_vector:.1f} ×")
    print(f"extrapolé à 13 000 foyers (jumeau complet) : {per_vector * 13_000:.0f} s")


if __name__ == "__main__":
    main()
