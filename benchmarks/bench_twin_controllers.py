"""Benchmark: a month of the twin's controllers (`twin.simulate.controls.controls_month`), their
controls closed together (`controls_close`: one recomputation of all the households) against
closed one by one (one `controls_close` per control: the previous path, one recomputation per
household), in the same run, on a twin already simulated up to the month before.

    DATABASE_URL=… .venv/bin/python benchmarks/bench_twin_controllers.py --month 2021-03

Each path runs in a transaction rolled back afterwards, at the instant `twin simulate` runs the
controllers; both draw the same controls and find the same discrepancies. Wall-clock and CPU
seconds are printed (the machine is shared: compare the ratio and the CPU time).
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--month", required=True, help="AAAA-MM")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justedroit.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction

    from justedroit.core import clock
    from justedroit.cycle.services import cut_off
    from justedroit.twin.models import TwinBuild
    from justedroit.twin.simulate import controls
    from justedroit.twin.simulate.months import CLOCK_TICK, CONTROLLERS_LAG

    month = clock.parse_month(args.month)
    build = TwinBuild.objects.get()
    together = controls.controls_settle_from_truth

    def one_by_one(worklist, month, user):
        return [closed for c in worklist for closed in together([c], month, user)]

    def timed(settle) -> tuple[float, float, dict]:
        controls.controls_settle_from_truth = settle
        try:
            with transaction.atomic():
                with clock.frozen(cut_off(month) + CONTROLLERS_LAG, tick=CLOCK_TICK):
                    wall, cpu = time.perf_counter(), time.process_time()
                    counts = controls.controls_month(
                        month, seed=build.seed, scale=float(build.scale)
                    )
                    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                transaction.set_rollback(True)
        finally:
            controls.controls_settle_from_truth = together
        return wall, cpu, counts

    loop_wall, loop_cpu, loop_counts = timed(one_by_one)
    wall, cpu, counts = timed(together)
    print(f"machine : {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs")
    print(f"jumeau échelle {build.scale}, contrôleurs de {month:%m/%Y} : {counts}")
    print(f"un par un : {loop_wall:.1f} s, CPU {loop_cpu:.1f} s — {loop_counts}")
    print(f"ensemble : {wall:.1f} s, CPU {cpu:.1f} s")
    print(f"rapport un par un / ensemble : {loop_wall / wall:.1f} × (CPU {loop_cpu / cpu:.1f} ×)")


if __name__ == "__main__":
    main()
