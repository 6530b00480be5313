"""The twin's months: each month, what the households declare and what the partners send, then
the Caf's own cycle — the same `cycle_month_run` an operator runs (`justedroit cycle run`) —, then
the twin's controllers' work on documents and on site (`simulate/controls/`), journaled as the
simulator « contrôleurs ».

A month's behaviour is journaled as a `TwinSimulation` of the simulator « mois » for that month:
run again, it is passed. The cycle runs on the evening of the month's cut-off (an hour before the
25th at 20:00, Paris), its clock moving on at each reading as in a live process: it sees the facts
known then, as it would in production, and its steps' writes (imports, controls) precede the
cut-off the payment is computed at; each step is journaled and resumable (`cycle.services`).
"""

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from justedroit.core import clock
from justedroit.cycle.selectors import last_step_instant
from justedroit.cycle.services import cut_off, cycle_month_run, exchange_inbox
from justedroit.registry import services as registry_services
from justedroit.registry.models import FactSource
from justedroit.twin.models import TwinBuild, TwinSimulation
from justedroit.twin.simulate.appeals.simulate import appeals_month
from justedroit.twin.simulate.controls import controls_month
from justedroit.twin.simulate.fraud import fraud_month, prevention_capacity
from justedroit.twin.simulate.outreach.campaign import campaign_month
from justedroit.twin.simulate.partners import partner_files_write
from justedroit.twin.truth.models import Behaviour, TruePeriod

MONTH_SIMULATOR = "mois"
CONTROLLERS_SIMULATOR = "contrôleurs"
DECLARED = (Behaviour.ON_TIME, Behaviour.LATE, Behaviour.MISTAKE)
DECLARATION_REASON = "déclaration de changement de situation (jumeau)"
CYCLE_LEAD = dt.timedelta(hours=1)  # the cycle runs an hour before the cut-off
CONTROLLERS_LAG = dt.timedelta(hours=13)  # the controllers work the morning after the cut-off
CLOCK_TICK = dt.timedelta(microseconds=1)
RESUME_GAP = dt.timedelta(minutes=1)  # far more than a step's ticks


def declarations_write(month: dt.date) -> int:
    """The drawn changes the households declare during `month`, as declarations recorded at the
    instant they make them (late ones backdated to the month of the change; mistaken ones with
    the wrong amount)."""
    by_instant: dict[dt.datetime, list[registry_services.FactInput]] = defaultdict(list)
    periods = TruePeriod.objects.filter(
        behaviour__in=DECLARED,
        declared_at__gte=_paris(month),
        declared_at__lt=_paris(clock.add_months(month, 1)),
    ).order_by("declared_at", "id")
    for period in periods:
        by_instant[period.declared_at].append(
            registry_services.FactInput(
                household_id=period.household_id,
                person_id=period.person_id,
                kind=period.kind,
                valid_from=period.month_from,
                valid_until=period.month_until,
                amount=period.declared_amount
                if period.declared_amount is not None
                else period.amount,
                code=period.code,
            )
        )
    for instant, facts in by_instant.items():
        with clock.frozen(instant):
            registry_services.facts_record_bulk(
                facts=facts,
                source=FactSource.DECLARATION,
                acting_user=None,
                reason=DECLARATION_REASON,
            )
    return sum(len(facts) for facts in by_instant.values())


def _paris(month: dt.date) -> dt.datetime:
    return dt.datetime.combine(month, dt.time(), tzinfo=clock.PARIS)


def _cycle_start(month: dt.date) -> dt.datetime:
    """The instant the month's cycle starts at: an hour before its cut-off or, resuming a cycle
    that was killed, a minute after the last instant its journal records. The twin's clock would
    otherwise replay instants its done steps used, and a fact recorded at the very instant of an
    overlapping one of its kind is refused (registry's fact_periods_do_not_overlap)."""
    start = cut_off(month) - CYCLE_LEAD
    last = last_step_instant(month)
    return start if last is None else max(start, last + RESUME_GAP)


def month_behaviour(month: dt.date, *, inbox: Path) -> TwinSimulation:
    """The households' declarations of `month` and the partners' files for its cycle, once."""
    done = TwinSimulation.objects.filter(
        simulator=MONTH_SIMULATOR, first_month=month, last_month=month
    ).first()
    if done is not None:
        return done
    build = TwinBuild.objects.get()
    started = time.perf_counter()
    with transaction.atomic():
        counts = {"declarations": declarations_write(month)}
        counts |= partner_files_write(
            month=month, inbox=inbox, seed=build.seed, scale=float(build.scale)
        )
        counts |= campaign_month(month, build.seed)
        return TwinSimulation.objects.create(
            simulator=MONTH_SIMULATOR,
            first_month=month,
            last_month=month,
            simulated_at=clock.now(),
            counts=counts,
            seconds=Decimal(f"{time.perf_counter() - started:.2f}"),
        )


def month_controllers(month: dt.date) -> TwinSimulation:
    """The twin's controllers' work of `month`, after its payment, once."""
    done = TwinSimulation.objects.filter(
        simulator=CONTROLLERS_SIMULATOR, first_month=month, last_month=month
    ).first()
    if done is not None:
        return done
    build = TwinBuild.objects.get()
    started = time.perf_counter()
    with transaction.atomic():
        counts = controls_month(month, seed=build.seed, scale=float(build.scale))
        counts |= fraud_month(month)
        return TwinSimulation.objects.create(
            simulator=CONTROLLERS_SIMULATOR,
            first_month=month,
            last_month=month,
            simulated_at=clock.now(),
            counts=counts,
            seconds=Decimal(f"{time.perf_counter() - started:.2f}"),
        )


def months_run(
    *,
    first_month: dt.date,
    last_month: dt.date,
    inbox: Path | None = None,
    progress: Callable[[str, str], None] = lambda name, note: None,
) -> None:
    """Each month in turn: the households' and partners' behaviour, the Caf's cycle (recovery
    included), then the debtors' appeals, the commission's session and the courts."""
    inbox = inbox or exchange_inbox()
    scale = float(TwinBuild.objects.get().scale)
    month = first_month
    while month <= last_month:
        with clock.frozen(_paris(month)):
            behaviour = month_behaviour(month, inbox=inbox)
        notes = ", ".join(f"{key} {value}" for key, value in behaviour.counts.items())
        progress(MONTH_SIMULATOR, f"{month:%Y-%m} déclarations et fichiers : {notes}")
        with clock.frozen(_cycle_start(month), tick=CLOCK_TICK):
            cycle_month_run(
                month=month,
                acting_user=None,
                inbox=inbox,
                progress=lambda message: progress("cycle", message),
                prevention_letters_per_year=prevention_capacity(scale),
            )
        with clock.frozen(cut_off(month) + CYCLE_LEAD, tick=CLOCK_TICK):
            appeals = appeals_month(month)
        notes = ", ".join(f"{key} {value}" for key, value in appeals.counts.items())
        progress("recours", f"{month:%Y-%m} recours et contentieux : {notes}")
        with clock.frozen(cut_off(month) + CONTROLLERS_LAG, tick=CLOCK_TICK):
            work = month_controllers(month)
        notes = ", ".join(f"{key} {value}" for key, value in work.counts.items())
        progress(CONTROLLERS_SIMULATOR, f"{month:%Y-%m} contrôles clos : {notes}")
        month = clock.add_months(month, 1)
