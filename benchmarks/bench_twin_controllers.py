"""Benchmark: a month of the twin's controllers (`twin.simulate.controls.controls_month`), their
controls closed together (`controls_close`: one recomputation of all the households) against
closed one by one (one `controls_close` per control: the previous path, one recomputation per
household), in the same run, on a twin already simulated up to the month before.

    DATABASE_URL=… .venv/bin/python benchmarks/bench_twin_controllers.py --month 2021-03

Each path runs in a transaction rolled back afterwards, at the instant `twin simulate` runs the
controllers; both draw the same controls and find the same discrepancies, and must close them
identically: the closes (outcome, amounts, each rappel and indu with its causes) are compared, and
their digest printed to compare runs of two versions of the code. Wall-clock and CPU seconds are
printed (the machine is shared: compare the ratio and the CPU time).
"""

import argparse
import hashlib
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A cause by its content (its id differs between the two paths on PostgreSQL).
CAUSE = ("household_id", "person_id", "kind", "valid_from", "valid_until", "amount", "code")


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

    from justedroit.controls.models import Control, ControlStatus
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

    def closes(before: set[int]) -> list[tuple]:
        """The controls closed since `before`: household, kind, outcome, amounts, adjustments."""
        closed = Control.objects.filter(status=ControlStatus.CLOSED).exclude(pk__in=before)
        return sorted(
            (
                c.household_id,
                c.kind,
                c.outcome,
                str(c.arrears),
                str(c.overpayment),
                sorted(
                    (
                        str(a.month),
                        a.benefit,
                        a.kind,
                        str(a.amount),
                        str(a.due),
                        str(a.settled_before),
                        a.reason,
                        sorted(map(str, a.causes.values_list(*CAUSE))),
                    )
                    for a in (link.adjustment for link in c.controladjustment_set.all())
                ),
            )
            for c in closed
        )

    def timed(settle) -> tuple[float, float, dict, list]:
        controls.controls_settle_from_truth = settle
        try:
            with transaction.atomic():
                before = set(
                    Control.objects.filter(status=ControlStatus.CLOSED).values_list("pk", flat=True)
                )
                with clock.frozen(cut_off(month) + CONTROLLERS_LAG, tick=CLOCK_TICK):
                    wall, cpu = time.perf_counter(), time.process_time()
                    counts = controls.controls_month(
                        month, seed=build.seed, scale=float(build.scale)
                    )
                    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                closed = closes(before)
                transaction.set_rollback(True)
        finally:
            controls.controls_settle_from_truth = together
        return wall, cpu, counts, closed

    loop_wall, loop_cpu, loop_counts, loop_closed = timed(one_by_one)
    wall, cpu, counts, closed = timed(together)
    digest = hashlib.sha256(repr(closed).encode()).hexdigest()[:16]
    print(f"machine : {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs")
    print(f"jumeau échelle {build.scale}, contrôleurs de {month:%m/%Y} : {counts}")
    print(f"un par un : {loop_wall:.1f} s, CPU {loop_cpu:.1f} s — {loop_counts}")
    print(f"ensemble : {wall:.1f} s, CPU {cpu:.1f} s")
    print(f"rapport un par un / ensemble : {loop_wall / wall:.1f} × (CPU {loop_cpu / cpu:.1f} ×)")
    adjustments = sum(len(c[-1]) for c in closed)
    print(f"clôtures : {len(closed)}, rappels et indus : {adjustments}, empreinte {digest}")
    if loop_closed != closed:
        sys.exit("Les deux chemins ne closent pas les contrôles à l'identique.")


if __name__ == "__main__":
    main()
