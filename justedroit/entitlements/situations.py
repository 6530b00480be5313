"""From registry facts to the rules' inputs: what the Caf knew at instant T about each household
for month M, as `rules.situation.HouseholdInput`.

Reads with `values_list` and paints month windows in Python: the whole file (≈ 100,000 households,
≈ 850,000 facts) loads in seconds, without one query per household.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from justedroit.core.clock import add_months
from justedroit.registry.facts import RESOURCE_KINDS
from justedroit.registry.models import Claim, ClaimStatus, Commune, Fact, Household, Membership
from justedroit.rules.inputs import resource_window
from justedroit.rules.situation import HouseholdInput, PersonInput

# Registry fact kind → the rules' resource kind.
RESOURCE_OF_FACT = {kind.value: kind.value for kind in RESOURCE_KINDS} | {"other_income": "other"}
FAMILY_ROLE = {"claimant": "claimant", "spouse": "spouse", "child": "child", "other": "other"}


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
    *, month: dt.date, as_of: dt.datetime, household_ids: Iterable[int] | None = None
) -> tuple[list[HouseholdInput], dict[str, int]]:
    """Inputs for every household with a claim running in `month` (or the given households),
    and the map numéro allocataire → household id."""
    claims = claimed_benefits(month, household_ids)
    ids = sorted(claims) if household_ids is None else sorted(set(household_ids))
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
            )
        )
    return inputs, {number: household_id for household_id, number in numbers.items()}


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


def _facts(month: dt.date, as_of: dt.datetime, window: list[dt.date], ids: list[int] | None):
    """household → {(person or None, kind) → value for M, (person, resource kind) → monthly list}.

    Facts are painted in the order they were recorded, so for every month the latest record known
    at `as_of` wins — the bitemporal rule of `registry.selectors.facts_known`, vectorised."""
    first = window[0]
    facts = Fact.objects.filter(recorded_at__lte=as_of, valid_from__lte=window[-1]).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=first)
    )
    if ids is not None:
        facts = facts.filter(household_id__in=ids)
    index = {m: i for i, m in enumerate(window)}
    size = len(window)
    known: dict[int, dict] = defaultdict(dict)
    rows = facts.order_by("recorded_at", "id").values_list(
        "household_id", "person_id", "kind", "valid_from", "valid_until", "amount", "code"
    )
    for household_id, person_id, kind, valid_from, valid_until, amount, code in rows.iterator(
        chunk_size=20_000
    ):
        value = amount if amount is not None else code
        resource = RESOURCE_OF_FACT.get(kind)
        if resource is None:
            if valid_from <= month and (valid_until is None or valid_until > month):
                known[household_id][(person_id, kind)] = value
            continue
        start = index.get(valid_from, 0 if valid_from < first else size)
        end = size if valid_until is None or valid_until > window[-1] else index.get(valid_until, 0)
        if start >= end:
            continue
        months = known[household_id].setdefault((person_id, resource), [None] * size)
        months[start:end] = [value] * (end - start)
    return known


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
