"""Every household of the twin is an allocataire: it has a right it is paid in a reference month.

The generator draws situations and claims from public statistics, with heuristics that only
approximate the law. This pass, run inside `twin build`, asks the real rights engine (the code that
pays) about each household's reference month (see `_reference_months`) and repairs the draws that
left a household with nothing to be paid:
1. a benefit the law opens but the household did not claim becomes a claim (such a household would
   not be in the file otherwise; non-take-up stays among households with another right);
2. otherwise its earnings and replacement incomes are halved — the draw was too high for a Caf
   population — and step 1 is tried again (three rounds).
What is still without a right after that is counted and shown by `twin calibration`.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection
from django.db.models import Max, Min

from justedroit.core.clock import PARIS
from justedroit.entitlements.executors import computed
from justedroit.entitlements.situations import situations
from justedroit.registry.models import Claim, Fact

REFERENCE = dt.date(2022, 12, 1)
AS_OF = dt.datetime(2022, 12, 31, 23, 0, tzinfo=PARIS)
LOWERED_KINDS = ("salary", "self_employment", "unemployment_benefit", "pension")
INLINE_BELOW = 20_000  # households: below this, worker processes cost more than they save
ATTEMPTS = 3  # claim what the law opens, else halve incomes; three rounds


def rights_ensure(progress: Callable[[str, int], None] = lambda stage, rows: None) -> dict:
    months = _reference_months()
    checked = {h for households in months.values() for h in households}
    claimed, lowered = 0, set()

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
        _lower_incomes(sorted(checked))
        lowered |= checked
    still, _ = _unpaid(among(checked), "inline")
    progress("droits", claimed + len(lowered))
    return {"claims_added": claimed, "incomes_lowered": len(lowered), "without_right": len(still)}


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


def _lower_incomes(households: list[int]) -> None:
    """Halve the household's incomes in the twin's own fresh facts (same rows, same instants:
    the draw is repaired before anyone could have read it)."""
    for start in range(0, len(households), 500):
        facts = list(
            Fact.objects.filter(
                household_id__in=households[start : start + 500], kind__in=LOWERED_KINDS
            )
        )
        if not facts:
            continue
        with connection.cursor() as cursor:
            ids = [fact.id for fact in facts]
            cursor.execute(
                f"DELETE FROM registry_fact WHERE id IN ({', '.join(['%s'] * len(ids))})", ids
            )
        for fact in facts:
            fact.amount = (fact.amount / 2).quantize(fact.amount)
        Fact.objects.bulk_create(facts, batch_size=2_000)
