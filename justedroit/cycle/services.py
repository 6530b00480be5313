"""The Caf's month, as one command (`justedroit cycle run`). User documentation: docs/echanges.md.

The steps run in the fixed order of `STEPS`, each journaled in `CycleStep` (unique per month and
step): a step done is skipped when the cycle is run again; a step started and never finished (its
process was killed) or interrupted (it failed) is run again from its start, which is safe because
every step is idempotent — a file already imported is not imported again, a recomputation finds
nothing left to settle, the payment run pays only the households not paid yet, a household gets
one letter per cycle.

1. `exchanges` — the month's partner files from the inbox `JUSTEDROIT_EXCHANGE_INBOX/<AAAA-MM>/`;
2. `automated_controls` — new exchange facts compared with those the Caf paid on (controls app);
3. `control_deadlines` — reminders and suspensions of controls on documents due by the cut-off;
4. `fraud_deadlines` — the fraud procedure's deadlines passed by the cut-off (docs/fraude.md): a
   commission silent for a month is deemed to have given its opinion, a director silent for a
   month after it lets the procedure lapse, a penalty unpaid after its two months becomes a debt
   (each file in its own transaction, its state telling what is left);
5. `recompute` — the households whose facts were recorded since their last settlement and bear on
   months already paid, recomputed into rappels and indus (vectorised), and those whose withheld
   payment may now be paid;
6. `debts` — the indus not notified yet become debts with their true origin (recomputation, late
   declaration, each kind of control, fraud), with their notification letters; the indus whose
   fraud qualification is still to come wait for it, those of a control closed on a suspected
   fraud at most `fraud.parameters.file_wait` months without a fraud file (docs/recouvrement.md);
7. `payment` — the month's payment run, on the facts known at the cut-off: the 25th of the month
   at 20:00, Paris time; households whose payment a control suspended get rights, no payment; in
   the same pass (each chunk's transaction), the month's retentions on the payments of households
   with debts (gross, retention, net);
8. `letters` — a letter to each household for the rappels and indus this cycle recorded;
9. `prevention_letters` — the month's lettres de mise en garde, within the Caf's monthly capacity,
   to the households the prevention rules name on the month before (the latest the partners'
   files cover); a household gets one letter per rule and month (unique in the database).

A step is a name, a French label and a function of the cycle's `Context` returning its counts.
"""

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef

from justedroit.controls.models import ControlAdjustment, ControlKind
from justedroit.controls.selectors import automated_control_adjustments, suspended_households
from justedroit.controls.services import automated_controls_run, control_deadlines_apply
from justedroit.core import clock
from justedroit.core.models import User
from justedroit.cycle import letters
from justedroit.cycle.models import AdjustmentLetter, CycleStep, StepStatus
from justedroit.entitlements.models import Adjustment, Entitlement, Payment, Run
from justedroit.entitlements.services import cut_off, households_recompute_from, month_run
from justedroit.entitlements.situations import PARTNER_REFERENCE_KINDS
from justedroit.exchanges.services import exchange_inbox_import
from justedroit.fraud.models import FRAUD_OR_FALSE_DECLARATION
from justedroit.fraud.parameters import prevention_capacity
from justedroit.fraud.selectors import fraud_households_and_periods, indus_awaiting_qualification
from justedroit.fraud.services import fraud_deadlines_apply, prevention_letters_send
from justedroit.recovery.models import DebtOrigin, MonthlyRetention
from justedroit.recovery.selectors import pending_indus
from justedroit.recovery.services import debts_notify, retentions_on_payments
from justedroit.registry.models import Fact, FactKind, FactSource, Household

LOOK_BACK_MONTHS = 24  # rappels and indus are recomputed over two years at most
SHADOW_CHUNK = 10_000  # households per query when looking for the facts that win
CONTROL_ORIGINS: dict[str, str] = {
    ControlKind.AUTOMATED: DebtOrigin.CONTROL_AUTOMATED,
    ControlKind.DOCUMENTS: DebtOrigin.CONTROL_DOCUMENTS,
    ControlKind.ON_SITE: DebtOrigin.CONTROL_ON_SITE,
}


def recompute_reason(month: dt.date) -> str:
    return f"cycle {month:%Y-%m} : faits nouveaux"


@dataclass
class Context:
    month: dt.date
    acting_user: User | None
    inbox: Path
    progress: Callable[[str], None] = lambda message: None
    prevention_letters_per_year: float | None = None  # None: the Caf's parameter


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


def households_to_recompute(month: dt.date) -> dict[int, dt.date]:
    """Household → first month to recompute, for the households whose facts were recorded after
    their last settlement (the facts known to the payment run that paid them, or a later
    recomputation) and bear on a month before `month`, those whose withheld payment may now be
    paid, and those whose claim waited for its housing declaration that has come since."""
    settled_at: dict[int, dt.datetime] = {}
    first_paid: dict[int, dt.date] = {}
    for household_id, last, first_month in (
        Payment.objects.filter(month__lt=month)
        .values("household_id")
        .annotate(last=Max("run__as_of"), first=Min("month"))
        .values_list("household_id", "last", "first")
    ):
        settled_at[household_id], first_paid[household_id] = last, first_month
    for household_id, last in (
        Adjustment.objects.filter(month__lt=month)
        .values("household_id")
        .annotate(last=Max("computed_at"))
        .values_list("household_id", "last")
    ):
        settled_at[household_id] = max(settled_at.get(household_id, last), last)
    earliest = clock.add_months(month, -LOOK_BACK_MONTHS)
    now = clock.now()
    # Facts known now only: one recorded later (a declaration dated after the cut-off) waits for
    # the cycle that knows it.
    new_facts = [
        fact
        for fact in Fact.objects.filter(
            recorded_at__gt=min(settled_at.values(), default=now),
            recorded_at__lte=now,
            valid_from__lt=month,
        ).values_list(
            "household_id",
            "person_id",
            "kind",
            "source",
            "valid_from",
            "valid_until",
            "recorded_at",
        )
        if fact[0] in settled_at and fact[6] > settled_at[fact[0]]
    ]
    shadowed = _shadowed_exchange_facts(new_facts, now)
    first: dict[int, dt.date] = {}
    for index, (household_id, _, _, _, valid_from, _, _) in enumerate(new_facts):
        if index in shadowed:
            continue
        # Months the Caf paid only: nothing to settle before the first payment.
        start = max(valid_from, earliest, first_paid.get(household_id, earliest))
        first[household_id] = min(first.get(household_id, start), start)
    for household_id, start in [
        *_withheld_months(month, earliest).items(),
        *_waited_months(month, earliest, now).items(),
    ]:
        first[household_id] = min(first.get(household_id, start), start)
    return first


def _waited_months(month: dt.date, earliest: dt.date, now: dt.datetime) -> dict[int, dt.date]:
    """Household → first month a payment run left waiting for its housing declaration
    (`Run.waiting`), for the households that have declared it since and whose month is neither
    computed nor settled yet: recomputing pays that month as a rappel, as a Caf pays a claim's
    first months once its documents arrive."""
    waited: dict[int, dt.date] = {}
    for run_month, households in (
        Run.objects.filter(wet=True, month__gte=earliest, month__lt=month)
        .exclude(waiting=[])
        .order_by("month")
        .values_list("month", "waiting")
    ):
        for household_id in households:
            waited.setdefault(household_id, run_month)
    if not waited:
        return {}
    declared = set(
        Fact.objects.filter(
            household_id__in=waited, kind=FactKind.HOUSING_STATUS, recorded_at__lte=now
        ).values_list("household_id", flat=True)
    )
    settled = {
        (household_id, month_settled)
        for model in (Entitlement, Payment, Adjustment)
        for household_id, month_settled in model.objects.filter(
            household_id__in=declared, month__gte=earliest, month__lt=month
        ).values_list("household_id", "month")
    }
    return {
        household_id: first
        for household_id, first in waited.items()
        if household_id in declared and (household_id, first) not in settled
    }


def _withheld_months(month: dt.date, earliest: dt.date) -> dict[int, dt.date]:
    """Household → first month whose rights were stored but neither paid nor settled since
    (payment suspended by a control), for the households no longer suspended: recomputing pays
    what is due as a rappel."""
    same_month = {"household_id": OuterRef("household_id"), "month": OuterRef("month")}
    unpaid = (
        Entitlement.objects.filter(month__gte=earliest, month__lt=month, due__gt=0)
        .exclude(household_id__in=suspended_households(month))
        .exclude(Exists(Payment.objects.filter(**same_month)))
        .exclude(Exists(Adjustment.objects.filter(**same_month)))
        .values("household_id")
        .annotate(first=Min("month"))
        .values_list("household_id", "first")
    )
    return dict(unpaid)


def _shadowed_exchange_facts(facts: list[tuple], now: dt.datetime) -> set[int]:
    """Positions of the partner's facts that cannot change a computation: for their subject and
    kind, a declaration, an agent's or a control's fact known now covers all their months, and
    such a fact wins over the partner's (the precedence of `entitlements.situations`). A DRM
    salary the household also declared changes nothing until a control takes it up."""
    candidates = {
        index: fact
        for index, fact in enumerate(facts)
        if fact[3] == FactSource.PARTNER_EXCHANGE and fact[2] not in PARTNER_REFERENCE_KINDS
    }
    if not candidates:
        return set()
    households = sorted({fact[0] for fact in candidates.values()})
    covering: dict[tuple, list[tuple]] = defaultdict(list)
    for start in range(0, len(households), SHADOW_CHUNK):
        for household_id, person_id, kind, valid_from, valid_until in (
            Fact.objects.filter(
                household_id__in=households[start : start + SHADOW_CHUNK],
                kind__in={fact[2] for fact in candidates.values()},
                recorded_at__lte=now,
            )
            .exclude(source=FactSource.PARTNER_EXCHANGE)
            .values_list("household_id", "person_id", "kind", "valid_from", "valid_until")
        ):
            covering[(household_id, person_id, kind)].append((valid_from, valid_until))
    return {
        index
        for index, (household_id, person_id, kind, _, valid_from, valid_until, _) in (
            candidates.items()
        )
        if any(
            since <= valid_from
            and (until is None or (valid_until is not None and until >= valid_until))
            for since, until in covering.get((household_id, person_id, kind), ())
        )
    }


def recompute_step(context: Context) -> dict:
    last = clock.add_months(context.month, -1)
    errors: list[dict] = []
    first_months = households_to_recompute(context.month)
    created = households_recompute_from(
        first_months=first_months,
        last_month=last,
        acting_user=context.acting_user,
        reason=recompute_reason(context.month),
        errors=errors,
    )
    if first_months:
        context.progress(
            f"{len(first_months)} foyers recalculés depuis {min(first_months.values()):%m/%Y}"
        )
    return {"households": len(first_months), "adjustments": len(created), "errors": len(errors)}


def automated_controls_step(context: Context) -> dict:
    return automated_controls_run(month=context.month, acting_user=context.acting_user)


def control_deadlines_step(context: Context) -> dict:
    """Reminders and suspensions due by the month's cut-off (the cycle's own day, not the
    clock's: a cycle replayed for a past month applies that month's deadlines)."""
    return control_deadlines_apply(
        today=cut_off(context.month).date(), acting_user=context.acting_user
    )


def fraud_deadlines_step(context: Context) -> dict:
    """The fraud procedure's deadlines passed by the month's cut-off (like `control_deadlines`)."""
    return fraud_deadlines_apply(
        today=cut_off(context.month).date(), acting_user=context.acting_user
    )


def indu_origins(at: dt.datetime) -> tuple[dict[tuple[str, dt.date | None], list[int]], int]:
    """The indus not notified yet by (origin, date the fraud was discovered), and how many wait
    for a fraud qualification at `at`. The first that applies: the indus of a fraud file
    qualified fraud or fault (fraud or false declaration: the fraud flag, prescription from the
    qualification), those a control settled (by its kind), those a late declaration of the
    household caused, the others (facts from a partner or an agent)."""
    pending = pending_indus()
    waiting = set(indus_awaiting_qualification(pending, at=at).values_list("pk", flat=True))
    frauds = {
        adjustment_id: period.qualified_on
        for period in fraud_households_and_periods(
            household_ids=pending.values("household_id"),
            qualifications=FRAUD_OR_FALSE_DECLARATION,
        )
        for adjustment_id in period.adjustment_ids
    }
    controls = dict(
        ControlAdjustment.objects.filter(adjustment__in=pending).values_list(
            "adjustment_id", "control__kind"
        )
    )
    declared = set(
        pending.filter(causes__source=FactSource.DECLARATION).values_list("pk", flat=True)
    )
    groups: dict[tuple[str, dt.date | None], list[int]] = defaultdict(list)
    for adjustment_id in pending.exclude(pk__in=waiting).values_list("pk", flat=True):
        key: tuple[str, dt.date | None]
        if adjustment_id in frauds:
            key = (DebtOrigin.FRAUD, frauds[adjustment_id])
        elif adjustment_id in controls:
            key = (CONTROL_ORIGINS[controls[adjustment_id]], None)
        elif adjustment_id in declared:
            key = (DebtOrigin.LATE_DECLARATION, None)
        else:
            key = (DebtOrigin.RECOMPUTE, None)
        groups[key].append(adjustment_id)
    return groups, len(waiting)


def debts_step(context: Context) -> dict:
    """Each origin's indus notified on their own (a debt has one origin); idempotent: an indu
    belongs to one debt at most."""
    groups, waiting = indu_origins(cut_off(context.month))
    counts = {"debts": 0, "waived": 0, "letters": 0}
    for (origin, discovered_on), ids in sorted(groups.items(), key=str):
        done = debts_notify(
            adjustments=Adjustment.objects.filter(pk__in=ids),
            acting_user=context.acting_user,
            origin=origin,
            fraud=discovered_on is not None,
            discovered_on=discovered_on,
        )
        for key, value in done.items():
            counts[key] += value
        counts[f"debts_{origin}"] = counts.get(f"debts_{origin}", 0) + done["debts"]
    return counts | {"waiting_qualification": waiting}


def payment_step(context: Context) -> dict:
    withheld = suspended_households(context.month)
    run = month_run(
        month=context.month,
        as_of=cut_off(context.month),
        wet=True,
        withheld=withheld,
        after_store=retentions_on_payments,
    )
    if run.reused:
        return {"already_paid": True}
    return {
        "households": run.computed,
        "skipped": run.skipped,
        "withheld": len(withheld),
        "errors": len(run.errors),
        "waiting": len(run.waiting),
        "retentions": MonthlyRetention.objects.filter(run=run).count(),
    }


def letters_step(context: Context) -> dict:
    """One letter per household for the rappels and indus of this cycle: its recomputation's and
    those its automated controls settled."""
    recomputed = Adjustment.objects.filter(reason=recompute_reason(context.month))
    by_household: dict[int, list[Adjustment]] = defaultdict(list)
    for adjustment in (recomputed | automated_control_adjustments(context.month)).distinct():
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


def prevention_letters_step(context: Context) -> dict:
    """The month's prevention letters, on the month before (the latest the partners' files
    cover), within the month's share of the Caf's yearly capacity."""
    capacity = prevention_capacity(context.month, context.prevention_letters_per_year)
    counts = prevention_letters_send(
        month=clock.add_months(context.month, -1),
        acting_user=context.acting_user,
        at_most=capacity,
    )
    return counts | {"capacity": capacity}


STEPS: list[Step] = [
    Step("exchanges", "Import des fichiers des partenaires", exchanges_step),
    Step("automated_controls", "Contrôles automatisés sur les échanges", automated_controls_step),
    Step("control_deadlines", "Échéances des contrôles sur pièces", control_deadlines_step),
    Step("fraud_deadlines", "Échéances de la procédure de fraude", fraud_deadlines_step),
    Step("recompute", "Recalcul des foyers aux faits nouveaux", recompute_step),
    Step("debts", "Notification des indus", debts_step),
    Step("payment", "Paiement du mois et retenues sur prestations", payment_step),
    Step("letters", "Lettres de rappel ou d'indu", letters_step),
    Step("prevention_letters", "Lettres de mise en garde", prevention_letters_step),
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
    prevention_letters_per_year: float | None = None,
) -> list[CycleStep]:
    """Run the steps of `month` not done yet, in order; each step's journal row says what it did.
    A step that fails is marked interrupted and the error raised: the next run starts it again.
    `prevention_letters_per_year`: the Caf's capacity, if not its parameter's (the twin's scale)."""
    context = Context(
        month, acting_user, inbox or exchange_inbox(), progress, prevention_letters_per_year
    )
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
