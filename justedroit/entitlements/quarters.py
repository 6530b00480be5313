"""The quarterly right of the RSA and the prime d'activité (user documentation: docs/controles.md,
« Le droit trimestriel »).

Both are liquidated for successive periods of three months from the household's claim, on the
resources of the three months before each period (its reference quarter, declared in the
déclaration trimestrielle de ressources): art. R262-7 CASF and, since décret 2017-122 du 1er
février 2017, a quarterly re-examination with no change of amount in between; art. L843-4 and
R843-1 CSS (décret 2015-1709) for the prime d'activité. A change of resources during the quarter
changes nothing before the next re-examination; a change of situation (someone joins or leaves
the household, a partner found living there, a departure abroad) is re-examined at once.

The resources are those the household declared in its quarterly declaration (DTR): in
2021–2022 the payroll data (DRM / PASRAU) were not used to pay these two benefits, only to
control them afterwards (`controls.services.automated`); an agent's entry or a control's finding
counts as declared. Housing aid and the other benefits keep the precedence of
`entitlements.situations`, where a partner's fact fills a month nothing declared covers.

The rules compute one month from the three months before it (OpenFisca's rolling quarter).
`quarter_freeze` gives every month of a period the RSA and prime d'activité of the period's
first month, computed on the declared resources known at the same instant as the month itself:
a fact recorded later (a declaration, a control) changes the whole period on recomputation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.db.models import Min, Q

from justedroit import rules
from justedroit.core.clock import add_months
from justedroit.entitlements.situations import situations
from justedroit.registry.models import Benefit, Claim, ClaimStatus
from justedroit.rules.situation import FIRST_SUPPORTED_MONTH, HouseholdInput

QUARTERLY = (Benefit.RSA.value, Benefit.PPA.value)
# The intermediate values behind these two benefits (rules' names start so).
QUARTERLY_STEPS = ("rsa", "ppa")


def quarter_phases(month: dt.date, household_ids: Sequence[int]) -> dict[int, dt.date]:
    """Household → the first month of its quarterly periods: the start of its earliest RSA or
    prime d'activité claim running in `month` (households without one are absent)."""
    claims = (
        Claim.objects.filter(
            Q(end_month__isnull=True) | Q(end_month__gt=month),
            household_id__in=list(household_ids),
            benefit__in=QUARTERLY,
            status=ClaimStatus.GRANTED,
            start_month__lte=month,
        )
        .values("household_id")
        .annotate(first=Min("start_month"))
        .values_list("household_id", "first")
    )
    return dict(claims)


def quarter_start(month: dt.date, claimed_from: dt.date) -> dt.date:
    """The first month of the quarterly period that `month` belongs to, periods running every
    three months from `claimed_from`."""
    elapsed = (month.year - claimed_from.year) * 12 + month.month - claimed_from.month
    return add_months(month, -(elapsed % 3))


def _situation(household: HouseholdInput) -> tuple:
    """What a change of situation changes: the members and their roles, a partner established
    as living in the household, a residence abroad."""
    members = tuple(sorted((p.id, p.family_role) for p in household.persons))
    return members, household.partner_resources is not None, household.abroad


def quarter_freeze(
    results: Sequence[rules.HouseholdResult],
    inputs: Mapping[str, HouseholdInput],
    month: dt.date,
    *,
    as_of: dt.datetime,
    ids_by_number: Mapping[str, int],
    with_intermediates: bool = False,
    phases: Mapping[int, dt.date] | None = None,
) -> list[rules.HouseholdResult]:
    """`results` of `month` with the RSA and prime d'activité of each household claiming one
    replaced by the quarterly right: those of the first month of its period, unless its
    situation changed since (then those of `month`), computed on the resources declared (no
    partner's fact fills a month: `situations(declared_resources=True)`) known at `as_of`.
    `inputs`: the month's inputs by numéro. `with_intermediates`: the RSA's and prime
    d'activité's intermediate values are those of the computation their amounts come from.
    `phases`: the `quarter_phases` of these households in `month`, when the caller read them
    already (one query instead of two)."""
    claimed = [r for r in results if r.claims.intersection(QUARTERLY)]
    if phases is None:
        phases = quarter_phases(month, [ids_by_number[r.household_id] for r in claimed])
    by_start: dict[dt.date, list[int]] = defaultdict(list)
    for result in claimed:
        household_id = ids_by_number[result.household_id]
        if household_id in phases:
            start = max(quarter_start(month, phases[household_id]), FIRST_SUPPORTED_MONTH)
            by_start[start].append(household_id)
    quarterly: dict[str, rules.HouseholdResult] = {}
    changed: list[int] = by_start.pop(month, [])
    for start, household_ids in sorted(by_start.items()):
        start_inputs, numbers = situations(
            month=start, as_of=as_of, household_ids=household_ids, declared_resources=True
        )
        same = [h for h in start_inputs if _situation(h) == _situation(inputs[h.id])]
        kept = {h.id for h in same}
        changed += [numbers[h.id] for h in start_inputs if h.id not in kept]
        quarterly |= _computed(same, start, with_intermediates)
    if changed:
        month_inputs, _ = situations(
            month=month, as_of=as_of, household_ids=changed, declared_resources=True
        )
        quarterly |= _computed(month_inputs, month, with_intermediates)
    return [
        _frozen(result, quarterly[result.household_id])
        if result.household_id in quarterly
        else result
        for result in results
    ]


def _frozen(result: rules.HouseholdResult, quarter: rules.HouseholdResult) -> rules.HouseholdResult:
    """`result` with the RSA and prime d'activité (and their intermediate values) of `quarter`."""
    kept = {k: v for k, v in result.intermediates.items() if not k.startswith(QUARTERLY_STEPS)}
    steps = {k: v for k, v in quarter.intermediates.items() if k.startswith(QUARTERLY_STEPS)}
    return dataclasses.replace(
        result,
        amounts=result.amounts | {b: quarter.amounts[b] for b in QUARTERLY},
        intermediates=kept | steps if result.intermediates else result.intermediates,
    )


def _computed(inputs: Sequence[HouseholdInput], month: dt.date, with_intermediates: bool) -> dict:
    results, _errors = rules.compute_month(inputs, month, with_intermediates=with_intermediates)
    return {result.household_id: result for result in results}
