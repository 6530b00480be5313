"""Benchmark: building the full-scale twin on SQLite (goal ≤ 60 s and ≤ 2 GB peak).

    .venv/bin/python benchmarks/bench_twin.py [--scale 1.0]

Each build runs in a fresh process on a fresh SQLite file (migrations included but not timed).
The same run measures a baseline — the same rows written with Django's `bulk_create` instead of
the twin's executemany path, at scale 0.1 for both — and reports the ratio, since the machine is
shared and absolute times are noisy.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = r"""
import json, resource, sys, time, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from justedroit.twin import build as twin_build_module
scale, mode = float(sys.argv[1]), sys.argv[2]
if mode == "orm":
    from justedroit.core import db
    def orm_insert(model, fields, rows, batch=5000):
        objects = [model(**dict(zip(fields, row))) for row in rows]
        model.objects.bulk_create(objects, batch_size=batch)
        return len(objects)
    twin_build_module.bulk_insert = orm_insert
started = time.perf_counter()
build = twin_build_module.twin_build(seed=86, scale=scale)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "households": build.households,
                  "persons": build.persons, "facts": build.facts, "claims": build.claims}))
"""


def run(scale: float, mode: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "justedroit.settings",
            "DEBUG": "1",
            "JUSTEDROIT_VAR_DIR": folder,
            "DATABASE_URL": f"sqlite:///{folder}/bench.db",
        }
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(scale), mode],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M")
    full = run(args.scale, "bulk")
    ours, orm = run(0.1, "bulk"), run(0.1, "orm")
    print(
        f"Jumeau — {started}, {platform.machine()}, {os.cpu_count()} cœurs, "
        f"Python {platform.python_version()}, SQLite"
    )
    print(
        f"  échelle {args.scale} : {full['households']} foyers, {full['persons']} personnes, "
        f"{full['claims']} demandes, {full['facts']} faits"
    )
    print(
        f"  construction : {full['seconds']:.1f} s, pic mémoire {full['peak_mb']:.0f} Mo "
        f"(objectif ≤ 60 s et ≤ 2 048 Mo)"
    )
    print(
        f"  référence à l'échelle 0.1 : chemin du jumeau {ours['seconds']:.2f} s, "
        f"bulk_create de Django {orm['seconds']:.2f} s → ×{orm['seconds'] / ours['seconds']:.1f}"
    )


if __name__ == "__main__":
    main()
