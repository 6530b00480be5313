"""Benchmark: one month of rights (nine benefits) for the twin, read, computed and written.

    .venv/bin/python benchmarks/bench_engine.py [--scale 0.1] [--month 2022-06]
        [--database-url postgres://USER@HOST:5432/EMPTY_DATABASE] [--plain-sample 5000]

Builds the twin (not timed) in a fresh SQLite file, or in the given PostgreSQL database (it must
be empty: it is migrated and filled), and pays the four months before `--month` as the monthly
cycle would (not timed), so that the month reads the RSA paid. Then, in the same run and on the
same households:
- reading what the Caf knows: the set-based reader against the reader it replaced
  (tests/entitlements/reference_reader.py), same inputs checked;
- the staged engine, one process (TaxBenefitSystem load reported apart);
- (a) plain vectorised OpenFisca from the facts only, on a sample, extrapolated;
- (b) OpenFisca household by household, on a sample, extrapolated;
- the whole wet month end to end in one process (`month_run`, inline): read, compute, write;
- on PostgreSQL, whole `justedroit entitlements run --wet-run` processes on copies of the
  database: the local pool (2 processes), then Dask (a local cluster) with 1 and 2 workers.
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
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--month", default="2022-06")
    parser.add_argument("--database-url")
    parser.add_argument("--plain-sample", type=int, default=5_000)
    parser.add_argument("--single-sample", type=int, default=20)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "justedroit.settings",
            "DEBUG": "1",
            "JUSTEDROIT_VAR_DIR": folder,
            "DATABASE_URL": url,
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from justedroit import rules
    from justedroit.core import clock
    from justedroit.entitlements.services import month_run
    from justedroit.entitlements.situations import situations
    from justedroit.twin.build import twin_build
    from tests.entitlements import reference_reader

    call_command("migrate", verbosity=0)
    twin_build(seed=86, scale=args.scale)
    month = clock.parse_month(args.month)
    for past in range(4, 0, -1):  # the cycle pays every month: M reads the RSA paid
        month_run(month=clock.add_months(month, -past), wet=True, workers=2)

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

    now = clock.now()

    def timed(reader):
        started = time.perf_counter()
        inputs, _ = reader(month=month, as_of=now)
        return inputs, time.perf_counter() - started

    # Alternated, best of two each: the first read of a table warms the database's cache.
    before, read_before = timed(reference_reader.situations)
    inputs, read = timed(situations)
    assert inputs == before, "the set-based reader reads otherwise than the reference"
    del before
    read_before = min(read_before, timed(reference_reader.situations)[1])
    read = min(read, timed(situations)[1])
    n = len(inputs)

    started = time.perf_counter()
    results, errors = rules.compute_month(inputs, month, with_intermediates=False)
    staged = time.perf_counter() - started

    plain = single = 0.0
    if args.plain_sample:
        sample = inputs[: args.plain_sample]
        started = time.perf_counter()
        rules.compute_month_plain(sample, month, with_intermediates=False)
        plain = (time.perf_counter() - started) * n / len(sample)
    if args.single_sample:
        started = time.perf_counter()
        for household in inputs[: args.single_sample]:
            rules.compute_month_plain([household], month, with_intermediates=False)
        single = (time.perf_counter() - started) * n / args.single_sample
    del results, inputs

    started = time.perf_counter()
    wet = month_run(month=month, wet=True, executor_kind="inline")
    whole_month = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    commands = {}
    if connection.vendor == "postgresql":
        commands = _commands(url, clock.add_months(month, 1), connection)

    print(
        f"Moteur de droits — {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
        f"{os.cpu_count()} cœurs, Python {platform.python_version()}, "
        f"{connection.vendor}, {rules.versions()}"
    )
    print(f"  mois {args.month}, {n} foyers ({len(errors)} en erreur), échelle {args.scale}")
    print(f"  chargement du TaxBenefitSystem : {tbs_load:.1f} s (une fois par processus)")
    print(
        f"  lecture des faits (registre → entrées) : {read:.2f} s ; lecteur précédent "
        f"{read_before:.2f} s → ×{read_before / read:.1f}"
    )
    print(f"  moteur étagé, un processus : {staged:.2f} s → {n / staged:,.0f} foyers/s")
    if plain:
        print(
            f"  (a) OpenFisca vectorisé, faits seuls (extrapolé) : {plain:.1f} s "
            f"→ ×{plain / staged:,.1f}"
        )
    if single:
        print(
            f"  (b) OpenFisca foyer par foyer (extrapolé) : {single:,.0f} s "
            f"→ ×{single / staged:,.0f}"
        )
    timings = wet.timings
    print(
        f"  mois payé de bout en bout, un processus : {whole_month:.2f} s (lecture "
        f"{timings['load']} s, calcul {timings['compute']} s, écriture {timings['store']} s ; "
        f"{wet.computed} foyers payés)"
    )
    print(f"  pic mémoire de ce processus : {peak:,.0f} Mo")
    for label, seconds in commands.items():
        print(f"  commande « entitlements run --wet-run » {label} : {seconds:.1f} s")
    if commands:
        ratio = commands["dask, 1 worker"] / commands["dask, 2 workers"]
        print(f"  Dask, accélération de 1 à 2 workers : ×{ratio:.2f}")


def _commands(url: str, month, connection) -> dict[str, float]:
    """Whole commands paying `month`, each on its own copy of the database (process start,
    TaxBenefitSystem loads and the cluster's start included)."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    connection.close()  # a template database must have no connection
    server = urlsplit(url)._replace(path="/postgres")
    runs = {
        "local, 2 processus": ["--executor", "local", "--workers", "2"],
        "dask, 1 worker": ["--executor", "dask", "--workers", "1"],
        "dask, 2 workers": ["--executor", "dask", "--workers", "2"],
    }
    seconds = {}
    with psycopg.connect(urlunsplit(server), autocommit=True) as admin:
        for index, (label, executor) in enumerate(runs.items()):
            copy = f"{name}_copy{index}"
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
            admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
            try:
                env = {
                    **os.environ,
                    "DATABASE_URL": urlunsplit(urlsplit(url)._replace(path=f"/{copy}")),
                }
                started = time.perf_counter()
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "justedroit.manage",
                        "entitlements",
                        "run",
                        "--month",
                        f"{month:%Y-%m}",
                        "--wet-run",
                        *executor,
                    ],
                    env=env,
                    cwd=ROOT,
                    check=False,
                    capture_output=True,
                )
                seconds[label] = time.perf_counter() - started
                # 1: some households could not be computed (listed), the others were paid.
                if done.returncode not in (0, 1):
                    raise RuntimeError(done.stderr.decode())
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
    return seconds


if __name__ == "__main__":
    main()
