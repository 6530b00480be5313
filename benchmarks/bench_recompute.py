"""Benchmark: recomputing many households into rappels and indus, vectorised
(`households_recompute`: one computation of the rules per month for all of them) against a loop
of `household_recompute` (one household at a time), on the same households and months.

    .venv/bin/python benchmarks/bench_recompute.py [--scale 0.1] [--households 1000]
        [--loop-sample 30] [--from 2022-01] [--to 2022-06]

Builds the twin in a fresh SQLite file and pays the months (not timed), records a new salary for
every chosen household (what an automated control would find), then times the vectorised
recomputation of all of them and the loop on a sample, extrapolated. Each is run inside a
transaction rolled back afterwards, so both start from the same state. The ratio is the figure to
compare between runs: the machine is shared.
"""

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--households", type=int, default=1_000)
    parser.add_argument("--loop-sample", type=int, default=30)
    parser.add_argument("--from", dest="first", default="2022-01")
    parser.add_argument("--to", dest="last", default="2022-06")
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

    from justedroit.core import clock
    from justedroit.entitlements.services import (
        household_recompute,
        households_recompute,
        month_run,
        months_between,
    )
    from justedroit.registry import services as registry_services
    from justedroit.registry.models import Household, Membership
    from justedroit.twin.build import twin_build

    call_command("migrate", verbosity=0)
    twin_build(seed=86, scale=args.scale)
    first, last = clock.parse_month(args.first), clock.parse_month(args.last)
    months = months_between(first, last)
    for month in months:
        month_run(month=month, wet=True, workers=1)
    claimants = Membership.objects.filter(role="claimant").order_by("household_id")
    chosen = list(claimants.select_related("household", "person")[: args.households])
    for member in chosen:
        registry_services.fact_record(
            household=member.household,
            person=member.person,
            kind="salary",
            amount=Decimal("1800"),
            valid_from=clock.add_months(first, -24),
            valid_until=clock.add_months(last, 1),
            source="control",
            acting_user=None,
        )
    ids = [member.household_id for member in chosen]

    def timed(work):
        with transaction.atomic():
            started = time.perf_counter()
            result = work()
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed, result

    vectorised, created = timed(
        lambda: households_recompute(
            household_ids=ids, first_month=first, last_month=last, acting_user=None, errors=[]
        )
    )
    sample = Household.objects.filter(pk__in=ids[: args.loop_sample])
    looped, _ = timed(
        lambda: [
            household_recompute(household=h, first_month=first, last_month=last, acting_user=None)
            for h in sample
        ]
    )
    per_household_loop = looped / len(sample)
    per_household_vector = vectorised / len(ids)
    print(f"machine : {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs")
    print(f"jumeau échelle {args.scale}, {len(ids)} foyers × {len(months)} mois")
    print(
        f"vectorisé : {vectorised:.1f} s pour {len(ids)} foyers "
        f"({per_household_vector * 1000:.1f} ms/foyer), {len(created)} rappels ou indus"
    )
    print(
        f"boucle : {looped:.1f} s pour {len(sample)} foyers "
        f"({per_household_loop * 1000:.1f} ms/foyer), extrapolé à {len(ids)} foyers : "
        f"{per_household_loop * len(ids):.0f} s"
    )
    print(f"rapport boucle / vectorisé : {per_household_loop / per_household_vector:.1f} ×")


if __name__ == "__main__":
    main()
