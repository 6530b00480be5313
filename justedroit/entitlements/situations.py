"""From registry facts to the rules' inputs: what the Caf knew at instant T about each household
for month M, as `rules.situation.HouseholdInput`.

Set-based: one SQL query per table for the whole file (or a partition of it); the facts and
the members arrive as columns (one string per column, joined by the database, parsed by numpy:
`_columns`), kinds coded and months numbered by the database; the precedence of facts is resolved
by sorting those columns, not household by household. Python objects are built only at the
engine's boundary (`HouseholdInput`, `PersonInput`), from the winning cells, looked up by integer
subject. The whole file (≈ 100,000 households, ≈ 1,000,000 facts in a month's window) or one
partition of it (`IdRange`, what a Dask worker reads) alike.

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
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Expression,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber, Substr

from justedroit import rules
from justedroit.core.clock import add_months
from justedroit.entitlements.models import Adjustment, Payment, Run, RunStatus
from justedroit.registry.facts import RESOURCE_KINDS
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
    Residence,
)
from justedroit.rules.inputs import resource_window, rsa_months
from justedroit.rules.situation import (
    FIRST_SUPPORTED_MONTH,
    PAYING_STATUSES,
    HouseholdInput,
    PersonInput,
)

# Registry fact kind → the rules' resource kind.
RESOURCE_OF_FACT = {kind.value: kind.value for kind in RESOURCE_KINDS} | {"other_income": "other"}
FAMILY_ROLE = {"claimant": "claimant", "spouse": "spouse", "child": "child", "other": "other"}


@dataclass(frozen=True)
class IdRange:
    """The households of the whole file whose id is in [start, stop): one partition of a run,
    read by the worker that computes it."""

    start: int
    stop: int


# Which households to read: all (None), a partition of the file, or the given ids (each one
# computed, with or without a claim running).
Households = Iterable[int] | IdRange | None


def _scoped(queryset: QuerySet, households: Households, field: str = "household_id") -> QuerySet:
    if households is None:
        return queryset
    if isinstance(households, IdRange):
        return queryset.filter(
            **{f"{field}__gte": households.start, f"{field}__lt": households.stop}
        )
    return queryset.filter(**{f"{field}__in": list(households)})


def _rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a `values_list` queryset as the database driver returns them: Django's
    per-value conversion is skipped (it cost more than the query on the facts table). Dates come
    as dates on both databases (SQLite's declared-type converters); decimals as floats on SQLite,
    Decimals on PostgreSQL."""
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def claimed_benefits(month: dt.date, household_ids: Households = None) -> dict[int, frozenset[str]]:
    """Benefits each household has a granted claim for, running in `month`."""
    claims = Claim.objects.filter(
        Q(end_month__isnull=True) | Q(end_month__gt=month),
        status=ClaimStatus.GRANTED,
        start_month__lte=month,
    )
    by_household: dict[int, set[str]] = defaultdict(set)
    for household_id, benefit in _rows(
        _scoped(claims, household_ids).values_list("household_id", "benefit")
    ):
        by_household[household_id].add(benefit)
    return {household_id: frozenset(b) for household_id, b in by_household.items()}


# Plain strings: a lookup with the enum member would hash it in Python, 150,000 times a month.
_ACTIVITY, _DISABILITY_RATE, _PREGNANCY = (
    FactKind.ACTIVITY.value,
    FactKind.DISABILITY_RATE.value,
    FactKind.PREGNANCY.value,
)
_HOUSING_COMMUNE, _HOUSING_STATUS, _RENT, _FISCAL_INCOME_N2 = (
    FactKind.HOUSING_COMMUNE.value,
    FactKind.HOUSING_STATUS.value,
    FactKind.RENT.value,
    FactKind.FISCAL_INCOME_N2.value,
)

_PARTNER_RESOURCES, _RESIDENCE = FactKind.PARTNER_RESOURCES.value, FactKind.RESIDENCE.value

PAID, COMPUTED = "paid", "computed"
RsaReceived = dict[int, dict[dt.date, tuple[Decimal, str]]]  # household → month → (amount, origin)


def situations(
    *,
    month: dt.date,
    as_of: dt.datetime,
    household_ids: Households = None,
    rsa: RsaReceived | None = None,
    declared_resources: bool = False,
) -> tuple[list[HouseholdInput], dict[str, int]]:
    """Inputs for every household with a claim running in `month` (of the whole file, or of an
    `IdRange` partition of it), or for the given households; and the map numéro allocataire →
    household id. `rsa`: the RSA received, when the caller has read it already (`rsa_received`).
    `declared_resources`: the resources declared, entered by agents or established by controls
    only — no partner's fact fills a month (what the RSA and the prime d'activité are paid on:
    `entitlements.quarters`)."""
    with rules.collector_paused():
        return _situations(month, as_of, household_ids, rsa, declared_resources)


def _situations(month, as_of, household_ids, rsa, declared_resources):
    whole = household_ids is None or isinstance(household_ids, IdRange)
    scope = household_ids if whole else sorted(set(household_ids))  # type: ignore[arg-type]
    claims = claimed_benefits(month, scope)
    ids = sorted(claims) if whole else list(scope)  # type: ignore[arg-type]
    if rsa is None:
        rsa = rsa_received(month=month, as_of=as_of, household_ids=scope)
    window = resource_window(month)
    members = _members(month, scope)
    known, resources = _facts(month, as_of, window, scope, declared_resources)
    zones = dict(Commune.objects.values_list("insee_code", "apl_zone"))
    numbers = dict(_rows(_scoped(Household.objects.all(), scope, "id").values_list("id", "number")))
    persons = _persons(members, known, resources)
    subjects = _subjects(np.array(ids, dtype=np.int64), np.full(len(ids), NO_PERSON)).tolist()

    def household_facts(kind: str) -> list:
        values = known.get(kind, {})
        return [values.get(subject) for subject in subjects]

    inputs = [
        HouseholdInput(
            id=numbers[household_id],
            persons=persons.get(household_id, ()),
            housing_status=status,
            rent=rent,
            apl_zone=zones.get(commune, 0),
            commune_insee=commune or "",
            fiscal_income_n2=fiscal_income,
            claims=claims.get(household_id, frozenset()),
            rsa_received={m: amount for m, (amount, _) in rsa.get(household_id, {}).items()},
            partner_resources=partner,
            abroad=residence == Residence.ABROAD,
        )
        for household_id, commune, status, rent, fiscal_income, partner, residence in zip(
            ids,
            *map(
                household_facts,
                (
                    _HOUSING_COMMUNE,
                    _HOUSING_STATUS,
                    _RENT,
                    _FISCAL_INCOME_N2,
                    _PARTNER_RESOURCES,
                    _RESIDENCE,
                ),
            ),
            strict=True,
        )
    ]
    return inputs, {numbers[household_id]: household_id for household_id in ids}


def _persons(members: "Members", known: "Known", resources: "Resources") -> dict[int, tuple]:
    """household → its members' `PersonInput`, in the order of `members`."""
    household, person, roles, births = members
    subjects = _subjects(household, person).tolist()

    def person_facts(kind: str) -> list:
        values = known.get(kind, {})
        return [values.get(subject) for subject in subjects]

    built = [
        PersonInput(
            id=str(person_id),
            birth_date=birth,
            family_role=FAMILY_ROLE[role],
            activity=activity,
            disability_rate=_rate(rate),
            pregnant=pregnancy == "yes",
            resources=resources.get(subject, {}),
        )
        for person_id, role, birth, subject, activity, rate, pregnancy in zip(
            person.tolist(),
            roles,
            births,
            subjects,
            *map(person_facts, (_ACTIVITY, _DISABILITY_RATE, _PREGNANCY)),
            strict=True,
        )
    ]
    starts = [0, *(np.flatnonzero(np.diff(household)) + 1).tolist()] if built else []
    return {
        household_id: tuple(built[a:b])
        for household_id, (a, b) in zip(
            household[starts].tolist(), pairwise([*starts, len(built)]), strict=True
        )
    }


def _rate(value) -> int:
    return int(value) if value is not None else 0


def rsa_received(
    *,
    month: dt.date,
    as_of: dt.datetime,
    household_ids: Households = None,
    compute_unsettled: bool = True,
) -> RsaReceived:
    """The RSA each household received in the months before `month` that housing aid reads (see
    the module's docstring): paid, or computed for a month not settled yet."""
    months = rsa_months(month)
    scope = (
        household_ids
        if household_ids is None or isinstance(household_ids, IdRange)
        else list(household_ids)
    )
    received: RsaReceived = defaultdict(dict)
    for household_id, paid_month, amount in _rsa_settled(months, as_of, scope):
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
    housed = _housing_aid_possible(month, as_of, scope)
    for past in unsettled:
        claimants = [
            household_id
            for household_id, benefits in claimed_benefits(past, scope).items()
            if Benefit.RSA in benefits
            and household_id in housed
            and past not in received.get(household_id, {})
        ]
        for household_id, amount in _rsa_computed(past, as_of, claimants).items():
            received[household_id][past] = (amount, COMPUTED)
    return received


def _housing_aid_possible(month: dt.date, as_of: dt.datetime, scope: Households) -> set[int]:
    """Households whose housing status known for `month` may open housing aid."""
    facts = Fact.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=month),
        kind=FactKind.HOUSING_STATUS,
        valid_from__lte=month,
        recorded_at__lte=as_of,
    )
    status: dict[int, str] = {}
    for household_id, code in _rows(
        _scoped(facts, scope).order_by("recorded_at", "id").values_list("household_id", "code")
    ):
        status[household_id] = code  # the latest record wins
    return {household_id for household_id, code in status.items() if code in PAYING_STATUSES}


def _rsa_settled(months: list[dt.date], as_of: dt.datetime, scope: Households):
    """(household, month, amount) of RSA paid for `months`, rappels added and indus deducted."""
    payments = Payment.objects.filter(benefit=Benefit.RSA, month__in=months, paid_at__lte=as_of)
    adjustments = Adjustment.objects.filter(
        benefit=Benefit.RSA, month__in=months, computed_at__lte=as_of
    )
    settled: dict[tuple[int, dt.date], int] = defaultdict(int)  # cents
    for household_id, paid_month, amount in _rows(
        _scoped(payments, scope).values_list("household_id", "month", Cast("amount", FloatField()))
    ):
        settled[(household_id, paid_month)] += round(amount * 100)  # two decimals: exact
    for adjustment in _scoped(adjustments, scope):
        settled[(adjustment.household_id, adjustment.month)] += int(adjustment.signed * 100)
    amounts = _decimals(np.array(list(settled.values()), dtype=np.int64))
    return [
        (h, paid_month, amount) for (h, paid_month), amount in zip(settled, amounts, strict=True)
    ]


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


# The persons who belong to the households, sorted by household: household and person ids,
# family roles, birth dates.
Members = tuple[np.ndarray, np.ndarray, list[str], list[dt.date]]


def _members(month: dt.date, scope: Households) -> Members:
    """Persons who belong to the household at some point of `month`."""
    next_month = add_months(month, 1)
    memberships = Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=month), start_date__lt=next_month
    )
    columns = _columns(
        _scoped(memberships, scope).annotate(
            birth=Coalesce(Cast("person__birth_date", CharField()), Value(""))  # "": unknown
        ),
        ["household_id", "person_id"],
        ["role", "birth"],
        order=["household_id", "id"],
    )
    if columns is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), [], []
    (household, person), (roles, births) = columns
    return household, person, roles, np.array(births, dtype="datetime64[D]").tolist()


# Fact precedence (docs/echanges.md): for a subject, kind and month, the latest fact recorded
# among declarations, agents' entries and controls wins; a partner's fact only fills a month no
# such fact covers — but for the kinds whose reference is the partner (DGFiP's income, the MDPH's
# disability rate), where the partner's fact wins and the others fill in.
PARTNER_REFERENCE_KINDS = frozenset({FactKind.FISCAL_INCOME_N2, FactKind.DISABILITY_RATE})
_KINDS = list(FactKind.values)
_RESOURCES = sorted(set(RESOURCE_OF_FACT.values()))
_RESOURCE_OF_KIND = np.array(
    [
        _RESOURCES.index(RESOURCE_OF_FACT[kind]) if kind in RESOURCE_OF_FACT else -1
        for kind in _KINDS
    ]
)
_PARTNER_REFERENCE = np.array([kind in PARTNER_REFERENCE_KINDS for kind in _KINDS])
NO_PERSON = -1

# A subject is a household (person NO_PERSON) or one of its persons, as one integer key.
_SUBJECTS_PER_HOUSEHOLD = 1 << 32


def _subjects(household: np.ndarray, person: np.ndarray) -> np.ndarray:
    return household * _SUBJECTS_PER_HOUSEHOLD + person


Known = dict[str, dict[int, object]]  # kind → subject → value
Resources = dict[int, dict[tuple[str, dt.date], Decimal]]  # person's subject → (kind, month) → …


def _facts(
    month: dt.date,
    as_of: dt.datetime,
    window: list[dt.date],
    scope: Households,
    declared_resources: bool = False,
) -> tuple[Known, Resources]:
    """What the facts known at `as_of` say: the value of each non-resource kind for `month`, and
    each person's non-zero resources by (kind, month) over `window`.

    Each fact covers cells (household, subject, kind, month); the cell's value is that of the
    fact of the better rank of the precedence above (0 wins, 1 fills in) and, within a rank, the
    latest recorded — the bitemporal rule of `registry.selectors.facts_known`, as one sort of the
    whole file's cells."""
    first = window[0]
    facts = Fact.objects.filter(recorded_at__lte=as_of, valid_from__lte=window[-1]).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=first)
    )
    if declared_resources:
        facts = facts.exclude(source=FactSource.PARTNER_EXCHANGE, kind__in=list(RESOURCE_OF_FACT))
    columns = _columns(
        _scoped(facts, scope).annotate(
            subject=Coalesce("person_id", Value(NO_PERSON)),
            # Numbers travel lighter than names (`fact_kind_known` leaves no kind out).
            kind_index=Case(
                *(When(kind=kind, then=Value(i)) for i, kind in enumerate(_KINDS)),
                output_field=IntegerField(),
            ),
            partner=Case(
                When(source=FactSource.PARTNER_EXCHANGE, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            starts=_month_number_of("valid_from"),
            ends=Coalesce(_month_number_of("valid_until"), Value(_OPEN_ENDED)),
            amounts=Coalesce(Cast("amount", CharField()), Value("nan")),
        ),
        ["household_id", "subject", "kind_index", "partner", "starts", "ends"],
        ["amounts", "code"],
        order=["recorded_at", "id"],
    )
    if columns is None:
        return {}, {}
    (household, person, kind, partner, starts, ends), (amount_col, code_col) = columns
    recorded = np.arange(len(kind))  # the columns come in recorded order
    rank = (partner.astype(bool) != _PARTNER_REFERENCE[kind]).astype(np.int64)
    amount = np.array(amount_col, dtype=np.float64)  # "nan": no amount
    has_amount = ~np.isnan(amount)
    cents = np.where(has_amount, np.rint(np.where(has_amount, amount, 0) * 100), 0).astype(np.int64)
    resource = _RESOURCE_OF_KIND[kind]

    # Non-resource kinds: the cells of `month` only.
    m = _month_number(month)
    covers = (resource < 0) & (starts <= m) & (ends > m)
    (rows_m,) = np.nonzero(covers)
    won = rows_m[
        _winners((household[rows_m], person[rows_m], kind[rows_m]), rank[rows_m], recorded[rows_m])
    ]
    values = np.where(
        has_amount[won], _decimal_objects(cents[won]), np.array(code_col, dtype=object)[won]
    )
    subjects, kinds = _subjects(household[won], person[won]), kind[won]
    known: Known = {}
    for k in np.unique(kinds).tolist():
        (cells,) = np.nonzero(kinds == k)
        known[_KINDS[k]] = dict(zip(subjects[cells].tolist(), values[cells].tolist(), strict=True))

    # Resources: one cell per month of the window each fact covers.
    size, first_number = len(window), _month_number(first)
    (resource_rows,) = np.nonzero(resource >= 0)
    begin = np.clip(starts[resource_rows] - first_number, 0, size)
    end = np.clip(ends[resource_rows] - first_number, 0, size)
    length = np.maximum(end - begin, 0)
    row = np.repeat(resource_rows, length)
    position = (
        np.repeat(begin, length)
        + np.arange(len(row))
        - np.repeat(np.cumsum(length) - length, length)
    )
    won = _winners((household[row], person[row], resource[row], position), rank[row], recorded[row])
    row, position = row[won], position[won]
    paid = cents[row] != 0  # a month at zero is no resource
    row, position = row[paid], position[paid]
    cell_keys = [(kind_name, m) for kind_name in _RESOURCES for m in window]
    keys = [cell_keys[i] for i in (resource[row] * size + position).tolist()]
    values = _decimals(cents[row])
    owners = _subjects(household[row], person[row])
    resources: Resources = {}
    boundaries = [0, *(np.flatnonzero(np.diff(owners)) + 1).tolist(), len(row)]
    owners = owners.tolist()
    for a, b in pairwise(boundaries):
        if a < b:
            resources[owners[a]] = dict(zip(keys[a:b], values[a:b], strict=True))
    return known, resources


_SEPARATOR = "\x1f"  # ASCII unit separator: in no value of the registry


def _columns(
    queryset: QuerySet, integers: list[str], texts: list[str], order: list[str]
) -> tuple[list[np.ndarray], list[list[str]]] | None:
    """The queryset's rows as columns, sorted by the fields `order`: integer arrays, then lists
    of strings. The database joins each column into one string, so that the driver hands over
    a string per column instead of a tuple per row (the tuples cost more than the query on the
    facts table). None when there is no row; no value may be null (the string aggregates skip
    nulls)."""
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # One sort gives each row its position (an ORDER BY in each aggregate would sort once
        # per column); the aggregates may then read the rows in any order, the same for all.
        position = Window(RowNumber(), order_by=[F(field).asc() for field in order])
        queryset, integers = queryset.annotate(position=position), [*integers, "position"]
        join = "string_agg(CAST({} AS text), %s)"
    else:
        # SQLite (before 3.44) has no ordered aggregate; it does not flatten a sorted subquery
        # into an aggregate query, and feeds the aggregates its rows in order.
        queryset, join = queryset.order_by(*order), "group_concat({}, %s)"
    names = [*integers, *texts]
    try:
        sql, params = queryset.values_list(*names).query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return None
    aggregates = ", ".join(join.format(connection.ops.quote_name(name)) for name in names)
    separators = [","] * len(integers) + [_SEPARATOR] * len(texts)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {aggregates} FROM ({sql}) AS rows", [*separators, *params])
        joined = cursor.fetchone()
    if joined[0] is None:
        return None
    numbers = [np.fromstring(column, dtype=np.int64, sep=",") for column in joined[: len(integers)]]
    strings = [column.split(_SEPARATOR) for column in joined[len(integers) :]]
    if postgresql:
        rows = np.empty(len(numbers[0]), dtype=np.int64)
        rows[numbers.pop() - 1] = np.arange(len(rows))  # the row at each position
        picked = rows.tolist()
        numbers = [column[rows] for column in numbers]
        strings = [[column[i] for i in picked] for column in strings]
    return numbers, strings


def _winners(keys: tuple[np.ndarray, ...], rank: np.ndarray, recorded: np.ndarray) -> np.ndarray:
    """Position of the winning element of each cell (elements with equal `keys`): the best rank
    (0), then the latest recorded. Positions come in the order of the keys."""
    order = np.lexsort((recorded, -rank, *reversed(keys)))
    last = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        changes = np.zeros(len(order) - 1, dtype=bool)
        for key in keys:
            sorted_key = key[order]
            changes |= sorted_key[1:] != sorted_key[:-1]
        last[:-1] = changes
    return order[last]


_OPEN_ENDED = 1_000_000  # a month number after every month


def _month_number(month: dt.date) -> int:
    """Months since January 1970, numpy's month numbering."""
    return (month.year - 1970) * 12 + month.month - 1


def _month_number_of(field: str) -> Expression:
    """`_month_number` of a date field, computed by the database (from its ISO text: the same
    SQL on SQLite and PostgreSQL)."""
    text = Cast(field, CharField())
    year, month = (
        Cast(Substr(text, start, length), IntegerField()) for start, length in ((1, 4), (6, 2))
    )
    return (year - 1970) * 12 + month - 1


def _decimal_objects(cents: np.ndarray) -> np.ndarray:
    """Decimal euros of integer cents, as an object array, each distinct amount built once."""
    distinct, inverse = np.unique(cents, return_inverse=True)
    built = np.empty(len(distinct), dtype=object)
    built[:] = [Decimal(value).scaleb(-2) for value in distinct.tolist()]
    return built[inverse]


def _decimals(cents: np.ndarray) -> list[Decimal]:
    """Decimal euros of integer cents, each distinct amount built once."""
    return _decimal_objects(cents).tolist()
