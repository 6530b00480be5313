"""The reader of `entitlements.situations` as it was before it was vectorised (values_list rows
painted month by month in Python, household by household): kept as the reference the set-based
reader must equal (tests/entitlements/test_reader_equivalence.py), as OpenFisca's plain
computation is the reference of the staged engine.

The RSA received in the months before M (which housing aid reads) is what the Caf paid for them,
rappels and indus included, as known at T. A month no payment run of the whole file has settled
yet (the first months of a file, a dry run ahead of the payments) uses the RSA the engine computes
for it instead — from payments alone for its own past months, one level and not a chain, and only
for households whose housing may open housing aid — and a month before the engine's first month
counts as none.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q

from justedroit import rules
from justedroit.core.clock import add_months
from justedroit.entitlements.models import Adjustment, Payment, Run, RunStatus
from justedroit.entitlements.situations import (
    COMPUTED,
    FAMILY_ROLE,
    PAID,
    PARTNER_REFERENCE_KINDS,
    RESOURCE_OF_FACT,
    RsaReceived,
)
from justedroit.registry.models import (
    Benefit,
    Claim,
    ClaimStatus,
    Commune,
    Fact,
    FactKind,
    FactSource,
    Household,
    Membership,
)
from justedroit.rules.inputs import resource_window, rsa_months
from justedroit.rules.situation import (
    FIRST_SUPPORTED_MONTH,
    PAYING_STATUSES,
    HouseholdInput,
    PersonInput,
)


def claimed_benefits(
    month: dt.date, household_ids: Iterable[int] | None = None
) -> dict[int, frozenset[str]]:
    """Benefits each household has a granted claim for, running in `month`."""
    claims = Claim.objects.filter(
        Q(end_month__isnull=True) | Q(end_month__gt=month),
        status=ClaimStatus.GRANTED,
        start_month__lte=month,
    )
    if household_ids is not None:
        claims = claims.filter(household_id__in=list(household_ids))
    by_household: dict[int, set[str]] = defaultdict(set)
    for household_id, benefit in claims.values_list("household_id", "benefit"):
        by_household[household_id].add(benefit)
    return {household_id: frozenset(b) for household_id, b in by_household.items()}


def situations(
    *,
    month: dt.date,
    as_of: dt.datetime,
    household_ids: Iterable[int] | None = None,
    rsa: RsaReceived | None = None,
) -> tuple[list[HouseholdInput], dict[str, int]]:
    """Inputs for every household with a claim running in `month` (or the given households),
    and the map numéro allocataire → household id. `rsa`: the RSA received, when the caller
    has read it already (`rsa_received`)."""
    claims = claimed_benefits(month, household_ids)
    ids = sorted(claims) if household_ids is None else sorted(set(household_ids))
    if rsa is None:
        rsa = rsa_received(month=month, as_of=as_of, household_ids=household_ids)
    window = resource_window(month)
    members = _members(month, ids if household_ids is not None else None)
    facts = _facts(month, as_of, window, ids if household_ids is not None else None)
    zones = dict(Commune.objects.values_list("insee_code", "apl_zone"))
    numbers = _numbers(ids, whole_file=household_ids is None)
    inputs = []
    for household_id in ids:
        known = facts.get(household_id, {})
        persons = tuple(
            _person(person_id, role, birth, known, window)
            for person_id, role, birth in members.get(household_id, [])
        )
        commune = known.get((None, "housing_commune"))
        inputs.append(
            HouseholdInput(
                id=numbers[household_id],
                persons=persons,
                housing_status=known.get((None, "housing_status")),
                rent=known.get((None, "rent")),
                apl_zone=zones.get(commune, 0),
                commune_insee=commune or "",
                fiscal_income_n2=known.get((None, "fiscal_income_n2")),
                claims=claims.get(household_id, frozenset()),
                rsa_received={m: amount for m, (amount, _) in rsa.get(household_id, {}).items()},
                partner_resources=known.get((None, "partner_resources")),
                abroad=known.get((None, "residence")) == "abroad",
            )
        )
    return inputs, {number: household_id for household_id, number in numbers.items()}


def rsa_received(
    *,
    month: dt.date,
    as_of: dt.datetime,
    household_ids: Iterable[int] | None = None,
    compute_unsettled: bool = True,
) -> RsaReceived:
    """The RSA each household received in the months before `month` that housing aid reads (see
    the module's docstring): paid, or computed for a month not settled yet."""
    months = rsa_months(month)
    ids = None if household_ids is None else list(household_ids)
    received: RsaReceived = defaultdict(dict)
    for household_id, paid_month, amount in _rsa_settled(months, as_of, ids):
        received[household_id][paid_month] = (amount, PAID)
    if not compute_unsettled:
        return received
    settled = set(
        Run.objects.filter(
            month__in=months,
            wet=True,
            whole_file=True,
            status=RunStatus.FINISHED,
            finished_at__lte=as_of,
        ).values_list("month", flat=True)
    )
    unsettled = [m for m in months if m not in settled and m >= FIRST_SUPPORTED_MONTH]
    if not unsettled:
        return received
    # Past RSA changes nothing where housing aid cannot be paid: the engine reads the housing
    # status of `month` for every month it computes.
    housed = _housing_aid_possible(month, as_of, ids)
    for past in unsettled:
        claimants = [
            household_id
            for household_id, benefits in claimed_benefits(past, ids).items()
            if Benefit.RSA in benefits
            and household_id in housed
            and past not in received.get(household_id, {})
        ]
        for household_id, amount in _rsa_computed(past, as_of, claimants).items():
            received[household_id][past] = (amount, COMPUTED)
    return received


def _housing_aid_possible(month: dt.date, as_of: dt.datetime, ids: list[int] | None) -> set[int]:
    """Households whose housing status known for `month` may open housing aid."""
    facts = Fact.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=month),
        kind=FactKind.HOUSING_STATUS,
        valid_from__lte=month,
        recorded_at__lte=as_of,
    )
    if ids is not None:
        facts = facts.filter(household_id__in=ids)
    status: dict[int, str] = {}
    for household_id, code in facts.order_by("recorded_at", "id").values_list(
        "household_id", "code"
    ):
        status[household_id] = code  # the latest record wins
    return {household_id for household_id, code in status.items() if code in PAYING_STATUSES}


def _rsa_settled(months: list[dt.date], as_of: dt.datetime, ids: list[int] | None):
    """(household, month, amount) of RSA paid for `months`, rappels added and indus deducted."""
    payments = Payment.objects.filter(benefit=Benefit.RSA, month__in=months, paid_at__lte=as_of)
    adjustments = Adjustment.objects.filter(
        benefit=Benefit.RSA, month__in=months, computed_at__lte=as_of
    )
    if ids is not None:
        payments = payments.filter(household_id__in=ids)
        adjustments = adjustments.filter(household_id__in=ids)
    settled: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    for household_id, paid_month, amount in payments.values_list("household_id", "month", "amount"):
        settled[(household_id, paid_month)] += amount
    for adjustment in adjustments:
        settled[(adjustment.household_id, adjustment.month)] += adjustment.signed
    return [(household, paid_month, amount) for (household, paid_month), amount in settled.items()]


def _rsa_computed(month: dt.date, as_of: dt.datetime, household_ids: list[int]) -> dict:
    """household → the RSA the engine gives for `month` when above zero (its own past RSA from
    payments only). A household that cannot be computed then counts as none."""
    if not household_ids:
        return {}
    rsa = rsa_received(
        month=month, as_of=as_of, household_ids=household_ids, compute_unsettled=False
    )
    inputs, ids = situations(month=month, as_of=as_of, household_ids=household_ids, rsa=rsa)
    results, _errors = rules.compute_month(inputs, month, with_intermediates=False)
    return {
        ids[result.household_id]: result.paid(Benefit.RSA)
        for result in results
        if result.paid(Benefit.RSA) > 0
    }


def _numbers(ids: list[int], whole_file: bool) -> dict[int, str]:
    """Numéros of the households computed: one read of the table for the whole file, a filtered
    read otherwise (a recomputation asks for one household, month after month)."""
    households = Household.objects.all() if whole_file else Household.objects.filter(id__in=ids)
    numbers = dict(households.values_list("id", "number"))
    return {household_id: numbers[household_id] for household_id in ids}


def _members(month: dt.date, ids: list[int] | None) -> dict[int, list]:
    """Persons who belong to the household at some point of `month`."""
    next_month = add_months(month, 1)
    memberships = Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=month), start_date__lt=next_month
    )
    if ids is not None:
        memberships = memberships.filter(household_id__in=ids)
    by_household: dict[int, list] = defaultdict(list)
    for row in memberships.order_by("household_id", "id").values_list(
        "household_id", "person_id", "role", "person__birth_date"
    ):
        by_household[row[0]].append(row[1:])
    return by_household


def _rank(kind: str, source: str) -> int:
    """0: the facts that win where they cover the month; 1: those that fill in."""
    from_partner = source == FactSource.PARTNER_EXCHANGE
    return int(from_partner != (kind in PARTNER_REFERENCE_KINDS))


def _facts(month: dt.date, as_of: dt.datetime, window: list[dt.date], ids: list[int] | None):
    """household → {(person or None, kind) → value for M, (person, resource kind) → monthly list}.

    Facts are painted in the order they were recorded, so for every month the latest record known
    at `as_of` wins — the bitemporal rule of `registry.selectors.facts_known`, vectorised — within
    each rank of the precedence above; a month the first rank leaves empty takes the second's."""
    first = window[0]
    facts = Fact.objects.filter(recorded_at__lte=as_of, valid_from__lte=window[-1]).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=first)
    )
    if ids is not None:
        facts = facts.filter(household_id__in=ids)
    index = {m: i for i, m in enumerate(window)}
    size = len(window)
    ranks: tuple[dict[int, dict], dict[int, dict]] = (defaultdict(dict), defaultdict(dict))
    rows = facts.order_by("recorded_at", "id").values_list(
        "household_id", "person_id", "kind", "source", "valid_from", "valid_until", "amount", "code"
    )
    for (
        household_id,
        person_id,
        kind,
        source,
        valid_from,
        valid_until,
        amount,
        code,
    ) in rows.iterator(chunk_size=20_000):
        known = ranks[_rank(kind, source)][household_id]
        value = amount if amount is not None else code
        resource = RESOURCE_OF_FACT.get(kind)
        if resource is None:
            if valid_from <= month and (valid_until is None or valid_until > month):
                known[(person_id, kind)] = value
            continue
        start = index.get(valid_from, 0 if valid_from < first else size)
        end = size if valid_until is None or valid_until > window[-1] else index.get(valid_until, 0)
        if start >= end:
            continue
        months = known.setdefault((person_id, resource), [None] * size)
        months[start:end] = [value] * (end - start)
    winning, filling = ranks
    for household_id, fill in filling.items():
        known = winning[household_id]
        for key, value in fill.items():
            if key not in known:
                known[key] = value
            elif isinstance(value, list):  # a resource: month by month
                known[key] = [
                    w if w is not None else f for w, f in zip(known[key], value, strict=True)
                ]
    return winning


def _person(person_id, role, birth, known, window) -> PersonInput:
    resources = {}
    for kind in set(RESOURCE_OF_FACT.values()):
        months = known.get((person_id, kind))
        if months:
            resources.update(
                {(kind, window[i]): amount for i, amount in enumerate(months) if amount}
            )
    rate = known.get((person_id, "disability_rate"))
    return PersonInput(
        id=str(person_id),
        birth_date=birth,
        family_role=FAMILY_ROLE[role],
        activity=known.get((person_id, "activity")),
        disability_rate=int(rate) if rate is not None else 0,
        pregnant=known.get((person_id, "pregnancy")) == "yes",
        resources=resources,
    )
