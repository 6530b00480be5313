"""`justedroit twin simulate`: the twin's activity month by month, one simulator per domain,
then the Caf's months.

Each simulator module (truth, reception, channels, …) exposes
`simulate(*, first_month: date, last_month: date, seed: int, scale: float, progress) -> dict`
returning counts of what it created. Simulators run in the order of SIMULATORS, each once per
period: a second run of the same period reuses what exists. Then, unless `cycle` is false, each
month in turn: the households' declarations and the partners' files drawn from the truth, and
the Caf's monthly cycle (`twin.simulate.months`).
"""

import datetime as dt
import importlib
import time
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.core import clock
from justedroit.twin.models import TwinBuild, TwinSimulation
from justedroit.twin.simulate.months import months_run

SIMULATORS = ("truth", "reception", "channels", "outreach", "quality")


def available() -> list[tuple[str, Callable]]:
    """The simulators whose module exists (a domain not built yet has none)."""
    found = []
    for name in SIMULATORS:
        try:
            module = importlib.import_module(f"justedroit.twin.simulate.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"justedroit.twin.simulate.{name}":
                raise
            continue
        found.append((name, module.simulate))
    return found


def twin_simulate(
    *,
    first_month: dt.date,
    last_month: dt.date,
    progress: Callable[[str, str], None] = lambda name, note: None,
    cycle: bool = True,
) -> list[TwinSimulation]:
    build = TwinBuild.objects.first()
    if build is None:
        raise ValidationError("Construisez d'abord le jumeau : justedroit twin build.")
    if last_month < first_month:
        raise ValidationError("Le mois de fin précède le mois de début.")
    runs = []
    for name, simulate in available():
        existing = TwinSimulation.objects.filter(
            simulator=name, first_month=first_month, last_month=last_month
        ).first()
        if existing is not None:
            progress(name, "déjà simulé")
            runs.append(existing)
            continue
        started = time.perf_counter()
        with transaction.atomic():
            counts = simulate(
                first_month=first_month,
                last_month=last_month,
                seed=build.seed,
                scale=float(build.scale),
                progress=lambda note, name=name: progress(name, note),
            )
            runs.append(
                TwinSimulation.objects.create(
                    simulator=name,
                    first_month=first_month,
                    last_month=last_month,
                    simulated_at=clock.now(),
                    counts=counts,
                    seconds=Decimal(f"{time.perf_counter() - started:.2f}"),
                )
            )
        progress(name, "terminé")
    if cycle:
        months_run(first_month=first_month, last_month=last_month, progress=progress)
    return runs
