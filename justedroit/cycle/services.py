"""The Caf's month, as one command (`justedroit cycle run`). User documentation: docs/echanges.md.

The steps run in the fixed order of `STEPS`, each journaled in `CycleStep` (unique per month and
step): a step done is skipped when the cycle is run again; a step started and never finished (its
process was killed) or interrupted (it failed) is run again from its start, which is safe because
every step is idempotent — a file already imported is not imported again, a recomputation finds
nothing left to settle, the payment run pays only the households not paid yet, a household gets
one letter per cycle.

1. `exchanges` — the month's partner files from the inbox `JUSTEDROIT_EXCHANGE_INBOX/<AAAA-MM>/`;
2. `recompute` — the households whose facts were recorded since their last settlement and bear on
   months already paid, recomputed into rappels and indus (vectorised);
3. `debts` — the indus not notified yet become debts, with their notification letters
   (docs/recouvrement.md);
4. `payment` — the month's payment run, on the facts known at the cut-off: the 25th of the month
   at 20:00, Paris time; in the same pass (each chunk's transaction), the month's retentions on
   the payments of households with debts (gross, retention, net);
5. `letters` — a letter to each household for the rappels and indus this cycle recorded.

Other steps (the automated controls, the deadlines of controls on documents) go into `STEPS`
where they belong: a step is a name, a French label and a function of the cycle's `Context`
returning its counts.
"""

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from justedroit.core import clock
from justedroit.core.models import User
from justedroit.cycle import letters
from justedroit.cycle.models import AdjustmentLetter, CycleStep, StepStatus
from justedroit.entitlements.models import Adjustment, Payment
from justedroit.entitlements.services import households_recompute, month_run
from justedroit.exchanges.services import exchange_inbox_import
from justedroit.recovery.models import MonthlyRetention
from justedroit.recovery.services import debts_notify, retentions_on_payments
from justedroit.registry.models import Fact, Household

CUT_OFF_DAY, CUT_OFF_TIME = 25, dt.time(20, 0)
LOOK_BACK_MONTHS = 24  # rappels and indus are recomputed over two years at most


def cut_off(month: dt.date) -> dt.datetime:
    """The instant month M closes: the facts known then are those its payment uses."""
    return dt.datetime.combine(month.replace(day=CUT_OFF_DAY), CUT_OFF_TIME, tzinfo=clock.PARIS)


def recompute_reason(month: dt.date) -> str:
    return f"cycle {month:%Y-%m} : faits nouveaux"


@dataclass
class Context:
    month: dt.date
    acting_user: User | None
    inbox: Path
    progress: Callable[[str], None] = lambda message: None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    run: Callable[[Context], dict]


# ---- the steps -----------------------------------------------------------------------------------
def exchanges_step(context: Context) -> dict:
    return exchange_inbox_import(
        month=context.month, inbox=context.inbox, acting_user=context.acting_user
    )


def households_to_recompute(month: dt.date) -> dict[dt.date, list[int]]:
    """First month to recompute → the households whose facts were recorded after their last
    settlement (the facts known to the payment run that paid them, or a later recomputation) and
    bear on a month before `month`."""
    settled_at: dict[int, dt.datetime] = dict(
        Payment.objects.filter(month__lt=month)
        .values("household_id")
        .annotate(last=Max("run__as_of"))
        .values_list("household_id", "last")
    )
    for household_id, last in (
        Adjustment.objects.filter(month__lt=month)
        .values("household_id")
        .annotate(last=Max("computed_at"))
        .values_list("household_id", "last")
    ):
        settled_at[household_id] = max(settled_at.get(household_id, last), last)
    if not settled_at:
        return {}
    earliest = clock.add_months(month, -LOOK_BACK_MONTHS)
    first: dict[int, dt.date] = {}
    for household_id, recorded_at, valid_from in Fact.objects.filter(
        recorded_at__gt=min(settled_at.values()), valid_from__lt=month
    ).values_list("household_id", "recorded_at", "valid_from"):
        since = settled_at.get(household_id)
        if since is not None and recorded_at > since:
            start = max(valid_from, earliest)
            first[household_id] = min(first.get(household_id, start), start)
    groups: dict[dt.date, list[int]] = defaultdict(list)
    for household_id, start in first.items():
        groups[start].append(household_id)
    return groups


def recompute_step(context: Context) -> dict:
    last = clock.add_months(context.month, -1)
    counts: dict = defaultdict(int)
    errors: list[dict] = []
    for first, ids in sorted(households_to_recompute(context.month).items()):
        created = households_recompute(
            household_ids=ids,
            first_month=first,
            last_month=last,
            acting_user=context.acting_user,
            reason=recompute_reason(context.month),
            errors=errors,
        )
        counts["households"] += len(ids)
        counts["adjustments"] += len(created)
        context.progress(f"{len(ids)} foyers recalculés depuis {first:%m/%Y}")
    counts["errors"] = len(errors)
    return dict(counts)


def debts_step(context: Context) -> dict:
    return debts_notify(acting_user=context.acting_user)


def payment_step(context: Context) -> dict:
    run = month_run(
        month=context.month,
        as_of=cut_off(context.month),
        wet=True,
        after_store=retentions_on_payments,
    )
    if run.reused:
        return {"already_paid": True}
    return {
        "households": run.computed,
        "skipped": run.skipped,
        "errors": len(run.errors),
        "retentions": MonthlyRetention.objects.filter(run=run).count(),
    }


def letters_step(context: Context) -> dict:
    reason = recompute_reason(context.month)
    by_household: dict[int, list[Adjustment]] = defaultdict(list)
    for adjustment in Adjustment.objects.filter(reason=reason):
        by_household[adjustment.household_id].append(adjustment)
    written = set(
        AdjustmentLetter.objects.filter(month=context.month).values_list("household_id", flat=True)
    )
    households = Household.objects.in_bulk([h for h in by_household if h not in written])
    with transaction.atomic():
        for household_id, household in households.items():
            letters.letter_queue(
                household=household, month=context.month, adjustments=by_household[household_id]
            )
    return {"letters": len(households), "already_written": len(written)}


STEPS: list[Step] = [
    Step("exchanges", "Import des fichiers des partenaires", exchanges_step),
    Step("recompute", "Recalcul des foyers aux faits nouveaux", recompute_step),
    Step("debts", "Notification des indus", debts_step),
    Step("payment", "Paiement du mois et retenues sur prestations", payment_step),
    Step("letters", "Lettres de rappel ou d'indu", letters_step),
]


# ---- running a month -----------------------------------------------------------------------------
def exchange_inbox() -> Path:
    return Path(settings.JUSTEDROIT_EXCHANGE_INBOX)


def cycle_month_run(
    *,
    month: dt.date,
    acting_user: User | None,
    inbox: Path | None = None,
    steps: list[Step] | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> list[CycleStep]:
    """Run the steps of `month` not done yet, in order; each step's journal row says what it did.
    A step that fails is marked interrupted and the error raised: the next run starts it again."""
    context = Context(month, acting_user, inbox or exchange_inbox(), progress)
    journal = []
    for step in STEPS if steps is None else steps:
        row = _step_start(month, step)
        if row.status == StepStatus.DONE:
            progress(f"{month:%Y-%m} {step.name} : déjà fait, passé")
            journal.append(row)
            continue
        progress(f"{month:%Y-%m} {step.name} : {step.label}…")
        started = time.perf_counter()
        try:
            counts = step.run(context)
        except BaseException:
            with transaction.atomic():
                CycleStep.objects.filter(pk=row.pk).update(status=StepStatus.INTERRUPTED)
            raise
        row.status, row.counts, row.finished_at = StepStatus.DONE, counts, clock.now()
        row.seconds = Decimal(str(round(time.perf_counter() - started, 3)))
        with transaction.atomic():
            row.save(update_fields=["status", "counts", "finished_at", "seconds"])
        progress(f"{month:%Y-%m} {step.name} : terminé en {row.seconds} s — {_counts(counts)}")
        journal.append(row)
    return journal


def _step_start(month: dt.date, step: Step) -> CycleStep:
    with transaction.atomic():
        row, created = CycleStep.objects.select_for_update().get_or_create(
            month=month,
            step=step.name,
            defaults={"status": StepStatus.STARTED, "started_at": clock.now(), "attempts": 1},
        )
        if not created and row.status != StepStatus.DONE:
            row.status, row.started_at, row.attempts = (
                StepStatus.STARTED,
                clock.now(),
                row.attempts + 1,
            )
            row.save(update_fields=["status", "started_at", "attempts"])
    return row


def _counts(counts: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "rien à faire"
