"""Benchmark: one month of rights (nine benefits) for the whole twin.

    .venv/bin/python benchmarks/bench_engine.py [--scale 1.0] [--month 2022-06]

Builds the twin in a fresh SQLite file (not timed), loads what the Caf knows for the month, then,
in the same run and on the same households:
- the staged engine (goal ≤ 5 s of compute, TaxBenefitSystem load reported apart, ≤ 4 GB peak);
- (a) plain vectorised OpenFisca from base inputs only, on a sample, extrapolated (goal ≥ 10×);
- (b) OpenFisca household by household, on a sample, extrapolated (goal ≥ 1,000×);
- the local Dask cluster with 1 then 2 workers.
Ratios, not absolute times, are the figures to compare: the machine is shared.
"""

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--month", default="2022-06")
    parser.add_argument("--plain-sample", type=int, default=5_000)
    parser.add_argument("--single-sample", type=int, default=20)
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

    from justedroit import rules
    from justedroit.core import clock
    from justedroit.entitlements.executors import computed
    from justedroit.entitlements.situations import situations
    from justedroit.twin.build import twin_build

    call_command("migrate", verbosity=0)
    twin_build(seed=86, scale=args.scale)
    month = clock.parse_month(args.month)

    # In a fresh interpreter: this process may already hold it (the twin build uses the engine).
    load = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; from justedroit import rules; t = time.perf_counter();"
            " rules.load_tax_benefit_system(); print(time.perf_counter() - t)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    tbs_load = float(load.stdout.strip().splitlines()[-1])

    started = time.perf_counter()
    inputs, _ = situations(month=month, as_of=clock.now())
    load = time.perf_counter() - started
    n = len(inputs)

    started = time.perf_counter()
    results, errors = rules.compute_month(inputs, month, with_intermediates=False)
    staged = time.perf_counter() - started

    sample = inputs[: args.plain_sample]
    started = time.perf_counter()
    rules.compute_month_plain(sample, month, with_intermediates=False)
    plain = (time.perf_counter() - started) * n / len(sample)

    started = time.perf_counter()
    for household in inputs[: args.single_sample]:
        rules.compute_month_plain([household], month, with_intermediates=False)
    single = (time.perf_counter() - started) * n / args.single_sample

    def pooled(kind: str, workers: int) -> float:
        """The run's own path (`computed`), pool start and TaxBenefitSystem loads included."""
        started = time.perf_counter()
        list(computed(inputs, month, kind, workers=workers))
        return time.perf_counter() - started

    local_2 = pooled("local", 2)
    dask_1, dask_2 = pooled("dask", 1), pooled("dask", 2)
    peak = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )

    print(
        f"Moteur de droits — {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
        f"{os.cpu_count()} cœurs, Python {platform.python_version()}, "
        f"{rules.versions()}"
    )
    print(f"  mois {args.month}, {n} foyers ({len(errors)} en erreur), échelle {args.scale}")
    print(f"  chargement du TaxBenefitSystem : {tbs_load:.1f} s (une fois par processus)")
    print(f"  lecture des faits (registre → entrées) : {load:.1f} s")
    print(f"  moteur étagé, un processus : {staged:.2f} s → {n / staged:,.0f} foyers/s")
    print(f"  moteur étagé, 2 processus locaux (démarrage et chargement compris) : {local_2:.2f} s")
    print(
        f"  (a) OpenFisca vectorisé, entrées de base ({len(sample)} foyers, extrapolé) : "
        f"{plain:.1f} s → ×{plain / staged:,.0f}"
    )
    print(
        f"  (b) OpenFisca foyer par foyer ({args.single_sample} foyers, extrapolé) : "
        f"{single:,.0f} s → ×{single / staged:,.0f}"
    )
    print(
        f"  Dask LocalCluster (démarrage compris) : 1 worker {dask_1:.2f} s, "
        f"2 workers {dask_2:.2f} s "
        f"(accélération ×{dask_1 / dask_2:.2f})"
    )
    print(f"  pic mémoire (processus ou enfant le plus gros) : {peak:,.0f} Mo")
    del results


if __name__ == "__main__":
    main()
