"""Benchmark: the month's payment run with retentions on benefits against the same run without
them (issue 15: ≤ 1.2 ×). Retentions happen in the run's own pass, in each chunk's transaction
(`month_run(after_store=recovery.services.retentions_on_payments)`). The machine being shared,
wall-clock times vary by ±20 % between identical runs: the time spent in the retentions
themselves is printed too, and the second ratio (best run without + that time) is the stable one.

    .venv/bin/python benchmarks/bench_retention.py [--scale 0.1] [--debtors 0.1] [--repeat 2]

Builds the twin in a fresh SQLite file (or the DATABASE_URL given), pays May 2022 (not timed),
gives a share of the households paid an indu of 2 000 € notified as a debt, then times June's
payment run without and with retentions, alternately, each inside a transaction rolled back
afterwards so that every run starts from the same state. The ratio is the figure to compare: the
machine is shared.
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
    parser.add_argument("--debtors", type=float, default=0.1, help="part des foyers débiteurs")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.db")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "justedroit.settings",
            "DEBUG": "1",
            "JUSTEDROIT_VAR_DIR": folder,
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction

    from justedroit.core import clock
    from justedroit.entitlements.models import Adjustment, AdjustmentKind, Payment
    from justedroit.entitlements.services import month_run
    from justedroit.recovery.models import MonthlyRetention
    from justedroit.recovery.services import debts_notify, retentions_on_payments
    from justedroit.twin.build import twin_build

    may, june = dt.date(2022, 5, 1), dt.date(2022, 6, 1)
    call_command("migrate", verbosity=0)
    twin_build(seed=86, scale=args.scale)
    month_run(month=may, wet=True, workers=1)
    paid = sorted(set(Payment.objects.filter(month=may).values_list("household_id", flat=True)))
    debtors = paid[:: max(1, round(1 / args.debtors))]
    now = clock.now()
    Adjustment.objects.bulk_create(
        Adjustment(
            household_id=household_id,
            benefit="af",
            month=may,
            kind=AdjustmentKind.OVERPAYMENT,
            amount=Decimal("2000.00"),
            due=Decimal("0.00"),
            settled_before=Decimal("2000.00"),
            computed_at=now,
            reason="banc d'essai",
        )
        for household_id in debtors
    )
    debts_notify(acting_user=None)

    def timed(**hook) -> tuple[float, int, int]:
        with transaction.atomic():
            started = time.perf_counter()
            run = month_run(month=june, wet=True, workers=1, **hook)
            elapsed = time.perf_counter() - started
            retained = MonthlyRetention.objects.filter(run=run).count()
            transaction.set_rollback(True)
        return elapsed, run.computed, retained

    hook_seconds: list[float] = []

    def hook(run, paid):  # the same function, timed on its own
        started = time.perf_counter()
        retentions_on_payments(run, paid)
        hook_seconds[-1] += time.perf_counter() - started

    plain, with_retentions = [], []
    for _ in range(args.repeat):
        plain.append(timed())
        hook_seconds.append(0.0)
        with_retentions.append(timed(after_store=hook))
    best_plain = min(t for t, _, _ in plain)
    best_retain = min(t for t, _, _ in with_retentions)
    print(f"machine : {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs")
    print(f"base : {os.environ['DATABASE_URL'].split(':')[0]}, jumeau échelle {args.scale}")
    print(f"foyers payés en juin : {plain[0][1]}, débiteurs : {len(debtors)}")
    print(f"sans retenues : {', '.join(f'{t:.2f}' for t, _, _ in plain)} s")
    print(
        f"avec retenues : {', '.join(f'{t:.2f}' for t, _, _ in with_retentions)} s "
        f"({with_retentions[0][2]} retenues mensuelles)"
    )
    print(f"dont retenues elles-mêmes : {', '.join(f'{t:.2f}' for t in hook_seconds)} s")
    print(f"rapport (meilleurs temps) : {best_retain / best_plain:.3f} ×")
    print(
        f"rapport (sans retenues + temps propre des retenues) : "
        f"{(best_plain + min(hook_seconds)) / best_plain:.3f} ×"
    )


if __name__ == "__main__":
    main()
