"""Computing months of rights, paying them, and recomputing a household into rappels and indus."""

import contextlib
import datetime as dt
import importlib
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q

from justedroit import rules
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.db import LockHeld, bulk_insert, process_lock
from justedroit.core.models import AuditAction, User
from justedroit.entitlements.executors import Partition, computed, dask_client, in_django
from justedroit.entitlements.models import (
    Adjustment,
    AdjustmentCause,
    AdjustmentKind,
    Entitlement,
    Payment,
    Run,
    RunStatus,
)
from justedroit.entitlements.quarters import quarter_freeze
from justedroit.entitlements.situations import IdRange, situations
from justedroit.registry.models import Claim, ClaimStatus, Fact, FactKind, Household
from justedroit.rules.inputs import resource_window

ZERO = Decimal("0.00")
CHUNK = 5_000  # households computed (and, when paying, stored) together
Progress = Callable[[int], None]  # households done in this step
# Called in the transaction that stores a chunk of a payment run, with the run and, for each
# household computed, (household id, its input, its result): the recovery of debts retains on the
# payments there, in the same pass over the file (the cycle's payment step passes it).
AfterStore = Callable[[Run, list[tuple[int, object, object]]], object]


class MonthBusy(Exception):
    """Another payment run of the same month is in progress."""


CUT_OFF_DAY, CUT_OFF_TIME = 25, dt.time(20, 0)


def cut_off(month: dt.date) -> dt.datetime:
    """The Caf's monthly cut-off, the 25th of `month` at 20:00 Paris time: the facts (and the
    suspensions of payment) known then are those the month is paid on."""
    return dt.datetime.combine(month.replace(day=CUT_OFF_DAY), CUT_OFF_TIME, tzinfo=clock.PARIS)


def month_run(
    *,
    month: dt.date,
    as_of: dt.datetime | None = None,
    wet: bool = False,
    executor_kind: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    household_ids: Sequence[int] | None = None,
    chunk: int = CHUNK,
    progress: Progress = lambda done: None,
    withheld: Collection[int] = frozenset(),
    after_store: AfterStore | None = None,
) -> Run:
    """Compute `month` for every household with a claim running then (or the given ones).

    A dry run writes nothing: the Run it returns is not saved. With `wet`, rights and payments
    are stored chunk by chunk, so that a run that stops half-way (killed, stopped, failed) keeps
    what it paid and is marked interrupted; the next wet run of the month resumes it. Paying is
    done once: a second wet run of the whole file returns the finished one, and a run skips the
    households already paid that month. Two wet runs of a month never run together: the second
    raises MonthBusy. The households in `withheld` (payment suspended) get their rights stored but
    no payment: once the suspension is lifted, recomputing the month pays them as a rappel.
    `after_store` runs in each chunk's transaction of a wet run (see
    `AfterStore`)."""
    as_of = as_of or clock.now()
    client: contextlib.AbstractContextManager = contextlib.nullcontext()
    if executor_kind == "dask":
        if household_ids is not None:
            raise ValueError("L'exécuteur dask calcule le fichier entier, par partitions.")
        if connection.vendor != "postgresql":
            raise ValueError(
                "L'exécuteur dask demande PostgreSQL : ses workers lisent et écrivent eux-mêmes "
                "leur partition dans la base."
            )
        # Reached before anything is written: an unreachable scheduler leaves no run behind.
        client = dask_client(scheduler, workers)
    with client as dask:
        return _month_run(
            month,
            as_of,
            wet,
            executor_kind,
            dask,
            workers,
            household_ids,
            chunk,
            progress,
            withheld,
            after_store,
        )


def _month_run(
    month,
    as_of,
    wet,
    executor_kind,
    client,
    workers,
    household_ids,
    chunk,
    progress,
    withheld,
    after_store,
) -> Run:
    run = Run(
        month=month,
        as_of=as_of,
        wet=wet,
        executor=executor_kind,
        whole_file=household_ids is None,
        started_at=clock.now(),
        versions=rules.versions(),
    )
    if not wet:
        _compute(
            run, household_ids, client, workers, chunk, progress, stored=set(), withheld=withheld
        )
        run.status, run.finished_at = RunStatus.FINISHED, clock.now()
        return run
    with month_lock(month):
        _interrupted_runs_close(month)
        if run.whole_file:
            done = Run.objects.filter(
                month=month, wet=True, whole_file=True, status=RunStatus.FINISHED
            ).first()
            if done is not None:
                done.results, done.reused = [], True
                return done
        run.save()
        try:
            _compute(
                run,
                household_ids,
                client,
                workers,
                chunk,
                progress,
                stored=set() if client is not None else _stored(month),
                withheld=withheld,
                after_store=after_store,
            )
        except BaseException:  # killed (SIGTERM, Ctrl-C) or failed: what is stored stays
            run.status = RunStatus.INTERRUPTED
            run.save(update_fields=["status"])
            raise
        run.status, run.finished_at = RunStatus.FINISHED, clock.now()
        run.save(update_fields=["status", "finished_at"])
    return run


@contextlib.contextmanager
def month_lock(month: dt.date) -> Iterator[None]:
    """Held by the payment run of `month` while it runs, released if its process dies."""
    try:
        with process_lock(f"justedroit-payment-run-{month:%Y-%m}"):
            yield
    except LockHeld:
        raise MonthBusy(
            f"Un calcul avec paiement de {month:%m/%Y} est déjà en cours : attendez qu'il se "
            "termine (une nouvelle commande reprendra ce qui resterait à payer)."
        ) from None


def _interrupted_runs_close(month: dt.date) -> None:
    """Payment runs of `month` still marked running while we hold its lock lost their process
    (killed with SIGKILL, machine stopped): they are interrupted."""
    Run.objects.filter(month=month, wet=True, status=RunStatus.RUNNING).update(
        status=RunStatus.INTERRUPTED
    )


def _stored(month: dt.date, households: IdRange | None = None) -> set[int]:
    """Households whose month is stored already: paid, or with rights stored by an earlier run
    (chunks are stored whole, rights and payments together; a withheld household has rights and
    no payment)."""
    paid = Payment.objects.filter(month=month)
    computed = Entitlement.objects.filter(month=month)
    if households is not None:
        paid = paid.filter(household_id__gte=households.start, household_id__lt=households.stop)
        computed = computed.filter(
            household_id__gte=households.start, household_id__lt=households.stop
        )
    return set(paid.values_list("household_id", flat=True)) | set(
        computed.values_list("household_id", flat=True)
    )


def _compute(
    run: Run,
    household_ids,
    client,
    workers,
    chunk,
    progress,
    *,
    stored: set[int],
    withheld: Collection[int],
    after_store: AfterStore | None = None,
) -> None:
    """Compute the run's households (all but `stored`), storing each chunk when the run pays."""
    if client is not None:
        _compute_partitions(run, client, chunk, progress, withheld, after_store)
        return
    started = time.perf_counter()
    inputs, ids_by_number = situations(
        month=run.month, as_of=run.as_of, household_ids=household_ids
    )
    everyone = len(inputs)
    inputs = [h for h in inputs if ids_by_number[h.id] not in stored]
    run.skipped = everyone - len(inputs)  # skipped: stored already
    inputs, run.waiting = _complete_claims(inputs, ids_by_number, run.as_of)
    input_of = {h.id: h for h in inputs}
    run.households = len(inputs)
    run.timings = {"load": round(time.perf_counter() - started, 3), "store": 0.0}
    if run.wet:
        run.save(update_fields=["households", "waiting", "timings"])

    started = time.perf_counter()
    run.results, run.reused = [], False  # for the caller (dry runs, tests); not stored
    chunks = computed(inputs, run.month, run.executor, workers, chunk)
    with contextlib.closing(chunks):  # an interruption stops the workers at once
        for computed_results, errors in chunks:
            results = quarter_freeze(
                computed_results,
                input_of,
                run.month,
                as_of=run.as_of,
                ids_by_number=ids_by_number,
            )
            run.results.extend(results)
            run.computed += len(results)
            run.errors += [{"household": e.household_id, "message": e.message_fr} for e in errors]
            if run.wet:
                stored_at = time.perf_counter()
                with transaction.atomic():
                    _store(run, results, ids_by_number, withheld)
                    if after_store is not None:
                        after_store(
                            run,
                            [
                                (ids_by_number[r.household_id], input_of[r.household_id], r)
                                for r in results
                            ],
                        )
                    run.save(update_fields=["computed", "errors"])
                run.timings["store"] += time.perf_counter() - stored_at
            progress(len(results) + len(errors))
    run.timings["store"] = round(run.timings["store"], 3)
    run.timings["compute"] = round(time.perf_counter() - started - run.timings["store"], 3)
    if run.wet:
        run.save(update_fields=["timings"])


def _complete_claims(inputs, ids_by_number: dict[str, int], as_of: dt.datetime):
    """The inputs whose claim is complete at `as_of`, and the ids of the households whose claim
    waits for its housing declaration (none recorded yet: a claim filed late in the month whose
    housing form comes after the cut-off). As at a Caf, an incomplete claim is not paid until
    its documents arrive; its months are then paid as rappels. A household whose housing was
    declared but not for this month stays in: the engine reports it as an error."""
    unknown = {ids_by_number[h.id] for h in inputs if h.housing_status is None}
    if not unknown:
        return inputs, []
    declared = set(
        Fact.objects.filter(
            household_id__in=unknown, kind=FactKind.HOUSING_STATUS, recorded_at__lte=as_of
        ).values_list("household_id", flat=True)
    )
    waiting = unknown - declared
    return [h for h in inputs if ids_by_number[h.id] not in waiting], sorted(waiting)


def _store(run: Run, results, ids_by_number: dict[str, int], withheld: Collection[int]) -> None:
    # bulk_insert takes values as the database stores them (UTC instants on SQLite).
    paid_at = connection.ops.adapt_datetimefield_value(clock.now())
    entitlements, payments = [], []
    for result in results:
        household_id = ids_by_number[result.household_id]
        for benefit, eligible in result.amounts.items():
            due = result.paid(benefit)
            if eligible > 0:
                entitlements.append((run.id, household_id, benefit, run.month, eligible, due))
            if due > 0 and household_id not in withheld:
                payments.append((run.id, household_id, benefit, run.month, due, paid_at))
    bulk_insert(
        Entitlement, ["run_id", "household_id", "benefit", "month", "eligible", "due"], entitlements
    )
    bulk_insert(
        Payment, ["run_id", "household_id", "benefit", "month", "amount", "paid_at"], payments
    )


PARTITION_RETRIES = 2  # a partition whose task failed (database error…) runs again, idempotent


def _partitions(month: dt.date, size: int) -> list[tuple[int, int]]:
    """[start, stop) ranges of household ids, each holding `size` households with a claim
    running in `month` (the last fewer): the ids are read, not the households."""
    ids = list(
        Claim.objects.filter(
            Q(end_month__isnull=True) | Q(end_month__gt=month),
            status=ClaimStatus.GRANTED,
            start_month__lte=month,
        )
        .values_list("household_id", flat=True)
        .distinct()
        .order_by("household_id")
    )
    starts = ids[::size]
    return list(zip(starts, [*starts[1:], ids[-1] + 1], strict=True)) if ids else []


def _compute_partitions(
    run: Run,
    client,
    size: int,
    progress: Progress,
    withheld: Collection[int],
    after_store: AfterStore | None,
) -> None:
    """The run on a Dask cluster: each worker gets a partition key, reads its households from
    the database, computes them and, for a payment run, stores them in its own transaction
    (`partition_compute`); the run adds up the counts they report as they come. A worker that
    dies has its partition run again elsewhere by the scheduler; a failed task is retried. Both
    are idempotent: a partition skips its households already stored this month, and the unique
    constraints refuse a second payment."""
    from distributed import as_completed

    started = time.perf_counter()
    hook = None if after_store is None else f"{after_store.__module__}.{after_store.__qualname__}"
    futures = [
        client.submit(
            in_django,
            "justedroit.entitlements.services.partition_compute",
            Partition(
                month=run.month,
                as_of=run.as_of,
                start=start,
                stop=stop,
                run_id=run.id if run.wet else None,
                withheld=tuple(h for h in withheld if start <= h < stop),
                after_store=hook,
            ),
            pure=False,
            retries=PARTITION_RETRIES,
        )
        for start, stop in _partitions(run.month, size)
    ]
    run.results, run.reused, run.skipped = [], False, 0
    run.timings = {"load": 0.0, "compute": 0.0, "store": 0.0}
    reports = []
    for future in as_completed(futures):
        report = future.result()
        reports.append(report)
        run.households += report["households"]
        run.skipped += report["skipped"]
        run.computed += report["computed"]
        run.errors += report["errors"]
        run.waiting += report["waiting"]
        for step, seconds in report["timings"].items():
            run.timings[step] = round(run.timings[step] + seconds, 3)  # worker seconds
        if run.wet:
            run.save(update_fields=["households", "computed", "errors", "waiting", "timings"])
        progress(report["households"])
    run.timings["wall"] = round(time.perf_counter() - started, 3)
    for report in sorted(reports, key=lambda r: r["start"]):
        run.results += report["results"]
    if run.wet:
        run.save(update_fields=["timings"])


def partition_compute(partition: Partition) -> dict:
    """Runs in a Dask worker (`executors.in_django`): reads the partition's households from the
    database, computes them and, for a payment run, stores their rights and payments in one
    transaction, skipping those stored already (a partition run again after its worker died).
    Reports counts, the households in error (missing facts: listed, the others paid) and, for a
    dry run, the results."""
    started = time.perf_counter()
    households = IdRange(partition.start, partition.stop)
    inputs, ids_by_number = situations(
        month=partition.month, as_of=partition.as_of, household_ids=households
    )
    everyone = len(inputs)
    run = None if partition.run_id is None else Run.objects.get(pk=partition.run_id)
    if run is not None:
        stored = _stored(partition.month, households)
        inputs = [h for h in inputs if ids_by_number[h.id] not in stored]
    skipped = everyone - len(inputs)
    inputs, waiting = _complete_claims(inputs, ids_by_number, partition.as_of)
    read = time.perf_counter() - started
    input_of = {h.id: h for h in inputs}
    results, errors = rules.compute_month(inputs, partition.month, with_intermediates=False)
    results = quarter_freeze(
        results, input_of, partition.month, as_of=partition.as_of, ids_by_number=ids_by_number
    )
    computed_at = time.perf_counter()
    if run is not None:
        with transaction.atomic():
            _store(run, results, ids_by_number, frozenset(partition.withheld))
            if partition.after_store is not None:
                module, name = partition.after_store.rsplit(".", 1)
                getattr(importlib.import_module(module), name)(
                    run,
                    [(ids_by_number[r.household_id], input_of[r.household_id], r) for r in results],
                )
    return {
        "start": partition.start,
        "households": len(inputs),
        "skipped": skipped,
        "waiting": waiting,
        "computed": len(results),
        "errors": [{"household": e.household_id, "message": e.message_fr} for e in errors],
        "timings": {
            "load": round(read, 3),
            "compute": round(computed_at - started - read, 3),
            "store": round(time.perf_counter() - computed_at, 3),
        },
        "results": results if run is None else [],
    }


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = clock.add_months(month, 1)
    return months


def household_recompute(
    *,
    household: Household,
    first_month: dt.date,
    last_month: dt.date,
    acting_user: User | None,
    reason: str = "",
) -> list[Adjustment]:
    """Recompute one household's months (see `households_recompute`); a month the engine cannot
    compute raises ValidationError and records nothing."""
    return households_recompute(
        household_ids=[household.id],
        first_month=first_month,
        last_month=last_month,
        acting_user=acting_user,
        reason=reason,
    )


def households_recompute(
    *,
    household_ids: Sequence[int],
    first_month: dt.date,
    last_month: dt.date,
    acting_user: User | None,
    reason: str = "",
    errors: list[dict] | None = None,
    chunk: int = CHUNK,
) -> list[Adjustment]:
    """Recompute months from the facts known now; record for each household × benefit × month
    the difference with what was settled (payment ± earlier rappels and indus) as a rappel or an
    indu, linked to the facts recorded since. Nothing when nothing changed; a second run adds
    nothing.

    Vectorised: one computation of the rules per month for a chunk of households (each chunk one
    transaction, its households locked). A household the engine cannot compute for some month
    gets nothing: with `errors` given, it is listed there and the others go on; without, the
    first such month raises ValidationError and the chunk records nothing."""
    if last_month < first_month:
        raise ValidationError("Le mois de fin précède le mois de début.")
    return households_recompute_from(
        first_months=dict.fromkeys(household_ids, first_month),
        last_month=last_month,
        acting_user=acting_user,
        reason=reason,
        errors=errors,
        chunk=chunk,
    )


def households_recompute_from(
    *,
    first_months: Mapping[int, dt.date],
    last_month: dt.date,
    acting_user: User | None,
    reason: str = "",
    errors: list[dict] | None = None,
    chunk: int = CHUNK,
    reasons: Mapping[int, str] | None = None,
) -> list[Adjustment]:
    """`households_recompute` where each household starts at its own month: one computation of
    the rules per month for all the households due by then (a cycle's households, whose new facts
    bear on different months, cost at most one computation per month, not one per group).
    `reasons` gives a household its own reason (a control's number), instead of `reason`."""
    if any(first > last_month for first in first_months.values()):
        raise ValidationError("Le mois de fin précède le mois de début.")
    ids = sorted(first_months)
    now = clock.now()
    created: list[Adjustment] = []
    for start in range(0, len(ids), chunk):
        some = {household: first_months[household] for household in ids[start : start + chunk]}
        # Each month reads the months before it again (the RSA received, the quarter's first
        # month): computed once for the chunk.
        with transaction.atomic(), rules.results_reused():
            list(Household.objects.select_for_update().filter(pk__in=some).order_by("pk"))
            created += _recompute_chunk(
                some, last_month, now, acting_user, reason, errors, reasons or {}
            )
    return created


def _recompute_chunk(
    starts: dict[int, dt.date], last_month, now, acting_user, reason, errors, reasons
) -> list[Adjustment]:
    ids = list(starts)
    months = months_between(min(starts.values()), last_month)
    settled, last_settled = _settled(ids, months)
    failed: set[int] = set()
    pending: list[Adjustment] = []
    versions = rules.versions()
    for month in months:
        due_now = [household_id for household_id in ids if starts[household_id] <= month]
        inputs, ids_by_number = situations(month=month, as_of=now, household_ids=due_now)
        results, input_errors = rules.compute_month(inputs, month, with_intermediates=False)
        results = quarter_freeze(
            results,
            {h.id: h for h in inputs},
            month,
            as_of=now,
            ids_by_number=ids_by_number,
        )
        for error in input_errors:
            if errors is None:
                raise ValidationError(f"{month:%m/%Y} : {error.message_fr}")
            failed.add(ids_by_number[error.household_id])
            errors.append(
                {
                    "household": error.household_id,
                    "month": f"{month:%Y-%m}",
                    "message": error.message_fr,
                }
            )
        for result in results:
            household_id = ids_by_number[result.household_id]
            for benefit in rules.BENEFITS:
                due = result.paid(benefit)
                before = settled.get((household_id, month, benefit), ZERO)
                difference = due - before
                if difference == 0:
                    continue
                pending.append(
                    Adjustment(
                        household_id=household_id,
                        benefit=benefit,
                        month=month,
                        kind=AdjustmentKind.ARREARS
                        if difference > 0
                        else AdjustmentKind.OVERPAYMENT,
                        amount=abs(difference),
                        due=due,
                        settled_before=before,
                        computed_at=now,
                        reason=reasons.get(household_id, reason),
                        versions=versions,
                    )
                )
    pending = [a for a in pending if a.household_id not in failed]
    if not pending:
        return []
    created = Adjustment.objects.bulk_create(pending)
    causes = _causes(ids, months)
    AdjustmentCause.objects.bulk_create(
        AdjustmentCause(adjustment=adjustment, fact_id=fact_id)
        for adjustment in created
        for fact_id in causes(
            adjustment.household_id,
            adjustment.month,
            last_settled.get((adjustment.household_id, adjustment.month, adjustment.benefit)),
        )
    )
    by_household: dict[int, int] = defaultdict(int)
    for adjustment in created:
        by_household[adjustment.household_id] += 1
    numbers = dict(Household.objects.filter(pk__in=by_household).values_list("id", "number"))
    for household_id, count in by_household.items():
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=numbers[household_id],
            reason=reasons.get(household_id, reason),
            detail={
                "recalcul": f"{starts[household_id]:%Y-%m}..{last_month:%Y-%m}",
                "rappels_indus": count,
            },
        )
    return created


def _settled(ids: list[int], months: list[dt.date]):
    """Per household × month × benefit: what was paid plus rappels minus indus, and when it was
    last settled."""
    settled: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    last: dict[tuple, dt.datetime] = {}
    for household_id, month, benefit, amount, paid_at in Payment.objects.filter(
        household_id__in=ids, month__in=months
    ).values_list("household_id", "month", "benefit", "amount", "paid_at"):
        settled[(household_id, month, benefit)] += amount
        last[(household_id, month, benefit)] = paid_at
    for adjustment in Adjustment.objects.filter(household_id__in=ids, month__in=months):
        key = (adjustment.household_id, adjustment.month, adjustment.benefit)
        settled[key] += adjustment.signed
        last[key] = max(last.get(key, adjustment.computed_at), adjustment.computed_at)
    return settled, last


def _causes(ids: list[int], months: list[dt.date]):
    """A function (household, month, last settled) → the facts recorded after the last
    settlement that bear on the month (its resource window)."""
    earliest = resource_window(months[0])[0]
    facts = Fact.objects.filter(household_id__in=ids, valid_from__lte=months[-1]).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=earliest)
    )
    by_household: dict[int, list] = defaultdict(list)
    for row in facts.order_by("id").values_list(
        "household_id", "id", "valid_from", "valid_until", "recorded_at"
    ):
        by_household[row[0]].append(row[1:])
    windows = {month: resource_window(month)[0] for month in months}

    def causes(household_id: int, month: dt.date, since: dt.datetime | None) -> list[int]:
        return [
            fact_id
            for fact_id, valid_from, valid_until, recorded_at in by_household.get(household_id, [])
            if valid_from <= month
            and (valid_until is None or valid_until > windows[month])
            and (since is None or recorded_at > since)
        ]

    return causes
