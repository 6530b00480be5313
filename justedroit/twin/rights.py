"""Every household of the twin is an allocataire: it has a right it is paid in a reference month.

The generator draws situations and claims from public statistics, with heuristics that only
approximate the law. This pass, run inside `twin build`, asks the real rights engine (the code that
pays) about each household's reference month (see `_reference_months`) and repairs the draws that
left a household with nothing to be paid:
1. a benefit the law opens but the household did not claim becomes a claim (such a household would
   not be in the file otherwise; non-take-up stays among households with another right);
2. otherwise its earnings and replacement incomes are halved — the draw was too high for a Caf
   population — and step 1 is tried again (three rounds). Facts are never changed, here as in the
   product: each halving is a correction, a new fact from the same source recorded one
   microsecond after the one it corrects (before anyone could have read the draw).
What is still without a right after that is counted and shown by `twin calibration`.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import Max, Min

from justedroit.core.clock import PARIS
from justedroit.entitlements.executors import computed
from justedroit.entitlements.situations import situations
from justedroit.registry.models import Claim, Fact

REFERENCE = dt.date(2022, 12, 1)
AS_OF = dt.datetime(2022, 12, 31, 23, 0, tzinfo=PARIS)
LOWERED_KINDS = ("salary", "self_employment", "unemployment_benefit", "pension")
CORRECTION_DELAY = dt.timedelta(microseconds=1)  # the draws are recorded on whole seconds
INLINE_BELOW = 20_000  # households: below this, worker processes cost more than they save
ATTEMPTS = 3  # claim what the law opens, else halve incomes; three rounds


def rights_ensure(progress: Callable[[str, int], None] = lambda stage, rows: None) -> dict:
    months = _reference_months()
    checked = {h for households in months.values() for h in households}
    claimed, lowered, corrected = 0, set(), 0
    latest_incomes: dict[int, list[Fact]] = {}

    def among(households: set[int]) -> dict[dt.date, list[int]]:
        return {m: [h for h in hs if h in households] for m, hs in months.items()}

    # The first pass reads the whole file: worker processes pay off. Later passes see only the
    # households still unpaid (a few percent): computed in this process.
    first_kind = "inline" if len(checked) < INLINE_BELOW else "local"
    for attempt in range(ATTEMPTS):
        unpaid, eligible = _unpaid(
            among(checked), first_kind if attempt == 0 else "inline", whole_file=attempt == 0
        )
        claimed += _claim(unpaid, eligible)
        checked = {h for h in unpaid if h not in eligible}
        corrected += _lower_incomes(sorted(checked), latest_incomes)
        lowered |= checked
    still, _ = _unpaid(among(checked), "inline")
    progress("droits", claimed + len(lowered))
    return {
        "claims_added": claimed,
        "incomes_lowered": len(lowered),
        "without_right": len(still),
        "facts_corrected": corrected,
    }


def _reference_months() -> dict[dt.date, list[int]]:
    """A month each household is surely in the file: December 2022 for those still there,
    December 2021 for those who left in 2022, January 2021 for those who left in 2021."""
    by_month: dict[dt.date, list[int]] = defaultdict(list)
    still_there = set(
        Claim.objects.filter(end_month__isnull=True).values_list("household_id", flat=True)
    )
    for household, end in Claim.objects.values_list("household_id").annotate(end=Max("end_month")):
        if household in still_there:
            by_month[REFERENCE].append(household)
        else:
            by_month[dt.date(2021, 12, 1) if end.year >= 2022 else dt.date(2021, 1, 1)].append(
                household
            )
    return by_month


def _unpaid(months: dict[dt.date, list[int]], kind: str, whole_file: bool = False):
    """Households paid nothing in their reference month, and for those the unclaimed benefit the
    law gives them most for. `whole_file`: December 2022's households are all those with a claim
    running then, read in one pass rather than by lists of ids."""
    unpaid, eligible = [], {}
    for month, households in sorted(months.items()):
        batches = (
            [None]
            if whole_file and month == REFERENCE
            else [households[start : start + 20_000] for start in range(0, len(households), 20_000)]
        )
        for batch in batches:
            inputs, ids = situations(month=month, as_of=AS_OF, household_ids=batch)
            batch_kind = kind if len(inputs) >= INLINE_BELOW else "inline"
            for results, _errors in computed(inputs, month, batch_kind):
                for result in results:
                    if any(result.paid(benefit) > 0 for benefit in result.amounts):
                        continue
                    household = ids[result.household_id]
                    unpaid.append(household)
                    best = max(result.amounts, key=result.amounts.get)
                    if result.amounts[best] > 0:
                        eligible[household] = (best, month)
    return unpaid, eligible


def _claim(households: Iterable[int], eligible: dict) -> int:
    spans = {
        row["household_id"]: (row["first"], row["end"])
        for row in Claim.objects.filter(household_id__in=[h for h in households if h in eligible])
        .values("household_id")
        .annotate(first=Min("start_month"), end=Max("end_month"))
    }
    claims = [
        Claim(
            household_id=household,
            benefit=eligible[household][0],
            start_month=first,
            end_month=end,
            status="granted",
            recorded_at=dt.datetime.combine(first, dt.time(9), tzinfo=PARIS),
        )
        for household, (first, end) in spans.items()
    ]
    return len(Claim.objects.bulk_create(claims, batch_size=2_000, ignore_conflicts=True))


def _lower_incomes(households: list[int], latest: dict[int, list[Fact]]) -> int:
    """Halve the incomes of `households` by correcting each one's latest income facts (`latest`,
    read from the registry the first time a household is lowered, then kept up to date).
    Returns the number of corrections recorded."""
    unread = [h for h in households if h not in latest]
    for start in range(0, len(unread), 500):
        for fact in Fact.objects.filter(
            household_id__in=unread[start : start + 500], kind__in=LOWERED_KINDS
        ).order_by("id"):
            latest.setdefault(fact.household_id, []).append(fact)
    corrections = []
    for household in households:
        latest[household] = [_halved(fact) for fact in latest.get(household, [])]
        corrections += latest[household]
    Fact.objects.bulk_create(corrections, batch_size=2_000)
    return len(corrections)


def _halved(fact: Fact) -> Fact:
    return Fact(
        household_id=fact.household_id,
        person_id=fact.person_id,
        kind=fact.kind,
        valid_from=fact.valid_from,
        valid_until=fact.valid_until,
        recorded_at=fact.recorded_at + CORRECTION_DELAY,
        source=fact.source,
        amount=(fact.amount / 2).quantize(fact.amount),
        code=fact.code,
    )
