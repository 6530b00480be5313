"""The changes the truth adds to what the population declares, and how each is declared.

Drawn over the period, after the population's own events: a person whose declared resources or
activity already change during the period (the build's job losses and finds, income repairs) gets
no drawn change of that kind, so that the truth and the declarations never contradict each other
on who changed first. Households still in the file are drawn among: a change needs a month after
it to matter.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import Max, Min, Q

from justedroit.core import clock
from justedroit.registry.models import Claim, Fact, MemberRole, Membership
from justedroit.twin.simulate.truth.baseline import TrueRow
from justedroit.twin.simulate.truth.parameters import BEHAVIOURS
from justedroit.twin.simulate.truth.parameters import PARAMETERS as P
from justedroit.twin.truth.models import Behaviour, Change, Origin, TrueKind

DECLARED = (Behaviour.ON_TIME, Behaviour.LATE, Behaviour.MISTAKE)
NEW_JOB_BEFORE_AGE = 60
VARIABLE_PAY_STREAM = 8  # the truth's second stream (the first, 7, draws the other changes)
HOUSING_STREAM = 9  # the truth's third stream: rents that fall, tenants housed free of charge
RENTING = ("tenant", "social_tenant")
HOSTED_FREE = "hosted_free"


def _index(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def _month(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


class _Draws:
    """The period's draws, in a fixed order, from the truth's own stream."""

    def __init__(self, seed: int, first: int, last: int, stream: int = 7):
        self.rng = np.random.default_rng([seed, stream])
        self.first, self.last = first, last

    def happens(self, yearly: float, windows: list[tuple[int, int]]) -> list[int | None]:
        """For each window [low, high] of possible months, the month of the change or None."""
        chance = self.rng.random(len(windows))
        offset = self.rng.random(len(windows))
        out: list[int | None] = []
        for (low, high), c, o in zip(windows, chance, offset, strict=True):
            months = high - low + 1
            out.append(
                low + int(o * months)
                if months > 0 and c < 1 - (1 - yearly) ** (months / 12)
                else None
            )
        return out

    def behaviours(self, count: int, shares: dict[str, float] = P.change_declared) -> list[str]:
        names = [name for name in BEHAVIOURS if name in shares]
        weights = np.array([shares[name] for name in names])
        return [names[i] for i in self.rng.choice(len(names), count, p=weights / weights.sum())]

    def hidden(self, count: int) -> list[str]:
        return [
            Behaviour.DELIBERATE if u < P.hidden_deliberate else Behaviour.NEVER
            for u in self.rng.random(count)
        ]

    def lognormal(self, spec, count: int) -> list[Decimal]:
        median, sigma, low, high = spec
        values = np.clip(self.rng.lognormal(np.log(median), sigma, count), low, high)
        return [Decimal(f"{v:.2f}") for v in values]

    def uniform(self, bounds, count: int) -> np.ndarray:
        return self.rng.uniform(*bounds, count)

    def declared_at(self, month: int, behaviour: str) -> dt.datetime | None:
        """A day of the change's month (or later when late), at an hour of the day, Paris."""
        if behaviour not in DECLARED:
            return None
        if behaviour == Behaviour.LATE:
            month += int(self.rng.integers(*P.late_months))
        day = int(self.rng.integers(1, 29))
        hour = int(self.rng.integers(*P.declaration_hours))
        minute = int(self.rng.integers(0, 60))
        return dt.datetime.combine(
            _month(month).replace(day=day), dt.time(hour, minute), tzinfo=clock.PARIS
        )


def change_rows(
    first_id: int, declared: list[TrueRow], *, first_month: dt.date, last_month: dt.date, seed: int
) -> tuple[list[TrueRow], dict[str, int]]:
    draws = _Draws(seed, _index(first_month), _index(last_month))
    periods: dict[tuple[int, str], list[TrueRow]] = defaultdict(list)
    for row in declared:
        if row.person is not None:
            periods[(row.person, row.kind)].append(row)
    spans = _claim_spans(draws, draws.first)
    adults = _adults(spans, draws)
    # Hidden situations may have begun before the period (the stock no control has found yet).
    hidden_spans = _claim_spans(draws, draws.first - 12 * P.hidden_since_years)
    disabled = set(Fact.objects.filter(kind="disability_rate").values_list("person_id", flat=True))
    rows: list[TrueRow] = []
    counts: dict[str, int] = defaultdict(int)

    def add(**values):
        rows.append(TrueRow(first_id + len(rows), origin=Origin.CHANGE, **values))

    def only(person_id: int, kind: str) -> TrueRow | None:
        found = periods.get((person_id, kind), [])
        return found[0] if len(found) == 1 and found[0].month_until is None else None

    # Pay rises: workers with one open salary and one activity, « employed ».
    rises = [
        (a, salary)
        for a in adults
        if (salary := only(a.person, TrueKind.SALARY)) is not None
        and salary.amount
        and (activity := only(a.person, TrueKind.ACTIVITY)) is not None
        and activity.code == "employed"
    ]
    months = draws.happens(P.pay_rise_yearly, [a.window for a, _ in rises])
    chosen = [(a, s, m) for (a, s), m in zip(rises, months, strict=True) if m is not None]
    factors = draws.uniform(P.pay_rise_factor, len(chosen))
    shares = draws.uniform(P.mistake_share, len(chosen))
    for (adult, salary, month), factor, share, behaviour in zip(
        chosen, factors, shares, draws.behaviours(len(chosen)), strict=True
    ):
        new = (salary.amount * Decimal(f"{factor:.4f}")).quantize(Decimal("0.01"))
        add(
            household=adult.household,
            person=adult.person,
            kind=TrueKind.SALARY,
            month_from=_month(month),
            month_until=None,
            amount=new,
            code="",
            change=Change.PAY_RISE,
            behaviour=behaviour,
            declared_at=draws.declared_at(month, behaviour),
            declared_amount=_mistaken(salary.amount, new, share, behaviour),
        )
        counts[f"{Change.PAY_RISE}_{behaviour}"] += 1

    # New jobs: jobseekers and inactive people under 60, without earnings, not disabled.
    seekers = [
        a
        for a in adults
        if (activity := only(a.person, TrueKind.ACTIVITY)) is not None
        and activity.code in ("unemployed", "inactive")
        and not periods.get((a.person, TrueKind.SALARY))
        and a.person not in disabled
        and a.young_until > a.window[0]
    ]
    months = draws.happens(
        P.new_job_yearly, [(a.window[0], min(a.window[1], a.young_until)) for a in seekers]
    )
    chosen = [(a, m) for a, m in zip(seekers, months, strict=True) if m is not None]
    salaries = draws.lognormal(P.new_job_salary, len(chosen))
    shares = draws.uniform(P.mistake_share, len(chosen))
    for (adult, month), salary, share, behaviour in zip(
        chosen, salaries, shares, draws.behaviours(len(chosen)), strict=True
    ):
        at = draws.declared_at(month, behaviour)
        common = {
            "household": adult.household,
            "person": adult.person,
            "month_from": _month(month),
            "month_until": None,
            "change": Change.NEW_JOB,
            "behaviour": behaviour,
            "declared_at": at,
        }
        add(kind=TrueKind.ACTIVITY, amount=None, code="employed", **common)
        add(
            kind=TrueKind.SALARY,
            amount=salary,
            code="",
            declared_amount=_mistaken(Decimal(0), salary, share, behaviour),
            **common,
        )
        if periods.get((adult.person, TrueKind.UNEMPLOYMENT_BENEFIT)):
            add(kind=TrueKind.UNEMPLOYMENT_BENEFIT, amount=Decimal(0), code="", **common)
        counts[f"{Change.NEW_JOB}_{behaviour}"] += 1

    # Hidden couples: claimants who live alone in the file (no spouse ever).
    alone = [a for a in _adults(hidden_spans, draws) if a.alone]
    months = draws.happens(P.hidden_couple_yearly, [a.window for a in alone])
    chosen = [(a, m) for a, m in zip(alone, months, strict=True) if m is not None]
    incomes = draws.lognormal(P.partner_income, len(chosen))
    for (adult, month), income, behaviour in zip(
        chosen, incomes, draws.hidden(len(chosen)), strict=True
    ):
        add(
            household=adult.household,
            person=None,
            kind=TrueKind.PARTNER,
            month_from=_month(month),
            month_until=None,
            amount=income,
            code="",
            change=Change.PARTNER_MOVES_IN,
            behaviour=behaviour,
        )
        counts[f"{Change.PARTNER_MOVES_IN}_{behaviour}"] += 1

    # Hidden departures abroad: whole households, from a month while in the file.
    households = sorted(hidden_spans.items())
    months = draws.happens(P.hidden_departure_yearly, [window for _, window in households])
    chosen = [(h, m) for (h, _), m in zip(households, months, strict=True) if m is not None]
    for (household_id, month), behaviour in zip(chosen, draws.hidden(len(chosen)), strict=True):
        add(
            household=household_id,
            person=None,
            kind=TrueKind.ABROAD,
            month_from=_month(month),
            month_until=None,
            amount=None,
            code="yes",
            change=Change.DEPARTURE_ABROAD,
            behaviour=behaviour,
        )
        counts[f"{Change.DEPARTURE_ABROAD}_{behaviour}"] += 1

    # Variable pay, from a stream of its own (the draws above stay as they were).
    variable = _Draws(seed, draws.first, draws.last, stream=VARIABLE_PAY_STREAM)
    salaries = defaultdict(list)
    for row in [*declared, *rows]:
        if row.kind == TrueKind.SALARY and row.person is not None:
            salaries[row.person].append(row)
    for adult, month, usual, extra, share, behaviour in _variable_pay_months(
        variable, adults, salaries
    ):
        paid = (usual * Decimal(f"{1 + extra:.4f}")).quantize(Decimal("0.01"))
        add(
            household=adult.household,
            person=adult.person,
            kind=TrueKind.SALARY,
            month_from=_month(month),
            month_until=_month(month + 1),
            amount=paid,
            code="",
            change=Change.VARIABLE_PAY,
            behaviour=behaviour,
            declared_at=variable.declared_at(month, behaviour),
            declared_amount=_mistaken(usual, paid, share, behaviour),
        )
        counts[f"{Change.VARIABLE_PAY}_{behaviour}"] += 1

    # Housing changes, from a stream of their own (the draws above stay as they were).
    housing = _Draws(seed, draws.first, draws.last, stream=HOUSING_STREAM)
    for household_id, month, kind, value, change, behaviour in _housing_changes(
        housing, spans, declared
    ):
        add(
            household=household_id,
            person=None,
            kind=kind,
            month_from=_month(month),
            month_until=None,
            amount=value if kind == TrueKind.RENT else None,
            code="" if kind == TrueKind.RENT else value,
            change=change,
            behaviour=behaviour,
            declared_at=housing.declared_at(month, behaviour),
        )
        counts[f"{change}_{behaviour}"] += 1
    return rows, dict(counts)


def _housing_changes(draws: _Draws, spans: dict[int, tuple[int, int]], declared: list[TrueRow]):
    """(household, month, kind, value, change, behaviour) of the tenants who leave their rental
    to be housed free of charge, then of the rents that fall among the others. Drawn among the
    households in the file renting one dwelling over the period (one open rent and status, no
    move of their own), so that the truth never contradicts a declared move."""
    periods: dict[tuple[int, str], list[TrueRow]] = defaultdict(list)
    for row in declared:
        if row.person is None and row.kind in (TrueKind.RENT, TrueKind.HOUSING_STATUS):
            periods[(row.household, row.kind)].append(row)

    def only(household_id: int, kind: str) -> TrueRow | None:
        found = periods.get((household_id, kind), [])
        return found[0] if len(found) == 1 and found[0].month_until is None else None

    tenants = [
        (household_id, window, rent.amount)
        for household_id, window in sorted(spans.items())
        if (status := only(household_id, TrueKind.HOUSING_STATUS)) is not None
        and status.code in RENTING
        and (rent := only(household_id, TrueKind.RENT)) is not None
        and rent.amount
    ]
    months = draws.happens(P.leaves_rental_yearly, [window for _, window, _ in tenants])
    leaving = [(h, m) for (h, _, _), m in zip(tenants, months, strict=True) if m is not None]
    out = [
        (household_id, month, TrueKind.HOUSING_STATUS, HOSTED_FREE, Change.LEAVES_RENTAL, b)
        for (household_id, month), b in zip(
            leaving, draws.behaviours(len(leaving), P.housing_declared), strict=True
        )
    ]
    staying = [t for t, m in zip(tenants, months, strict=True) if m is None]
    months = draws.happens(P.rent_fall_yearly, [window for _, window, _ in staying])
    falling = [
        (h, m, rent) for (h, _, rent), m in zip(staying, months, strict=True) if m is not None
    ]
    factors = draws.uniform(P.rent_fall_factor, len(falling))
    behaviours = draws.behaviours(len(falling), P.housing_declared)
    for (household_id, month, rent), factor, behaviour in zip(
        falling, factors, behaviours, strict=True
    ):
        lower = (rent * Decimal(f"{factor:.4f}")).quantize(Decimal("0.01"))
        out.append((household_id, month, TrueKind.RENT, lower, Change.RENT_FALL, behaviour))
    return out


def _variable_pay_months(draws: _Draws, adults: list["_Adult"], salaries: dict[int, list]):
    """(adult, month, usual salary, extra share, mistake share, behaviour) of the months a wage
    earner is paid more than usual (overtime, extra hours, a bonus): any month of the period the
    adult is in the file and paid a salary (after a pay rise or a new job, the new one)."""
    chosen = []
    for adult in adults:
        low, high = max(adult.window[0], draws.first), adult.window[1]
        if low > high or adult.person not in salaries:
            continue
        happens = draws.rng.random(high - low + 1) < P.variable_pay_monthly
        for month in (low + int(i) for i in np.flatnonzero(happens)):
            usual = _true_amount(salaries[adult.person], month)
            if usual:
                chosen.append((adult, month, usual))
    extras = draws.uniform(P.variable_pay_extra, len(chosen))
    shares = draws.uniform(P.mistake_share, len(chosen))
    behaviours = draws.behaviours(len(chosen), P.variable_pay_declared)
    return [
        (adult, month, usual, extra, share, behaviour)
        for (adult, month, usual), extra, share, behaviour in zip(
            chosen, extras, shares, behaviours, strict=True
        )
    ]


def _true_amount(periods: list[TrueRow], month: int) -> Decimal | None:
    """The amount of the period covering `month` that starts latest (as `truth.reading` reads
    it: a drawn change after what was declared when both start the same month)."""
    covering = [
        p
        for p in periods
        if _index(p.month_from) <= month
        and (p.month_until is None or _index(p.month_until) > month)
    ]
    if not covering:
        return None
    return max(covering, key=lambda p: (p.month_from, p.origin == Origin.CHANGE)).amount


def _mistaken(before: Decimal, true: Decimal, share: float, behaviour: str) -> Decimal | None:
    """What a mistaken declaration says: the amount before plus only part of the change."""
    if behaviour != Behaviour.MISTAKE:
        return None
    return (before + (true - before) * Decimal(f"{share:.4f}")).quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class _Adult:
    household: int
    person: int
    window: tuple[int, int]  # months a change of theirs may start, inclusive
    alone: bool  # a claimant with no spouse in the file
    young_until: int  # the month they turn 60


def _claim_spans(draws: _Draws, floor: int) -> dict[int, tuple[int, int]]:
    """Household → [first, last] months in which a change can happen: in the file, from `floor`
    to the end of the period, with at least one month in the file after the change."""
    spans = {}
    for household_id, start, end, still_open in (
        Claim.objects.values("household_id")
        .annotate(
            start=Min("start_month"),
            end=Max("end_month"),
            still_open=Max("id", filter=Q(end_month__isnull=True)),
        )
        .order_by("household_id")
        .values_list("household_id", "start", "end", "still_open")
    ):
        low = max(_index(start) + 1, floor)
        high = draws.last - 1 if still_open else min(_index(end) - 2, draws.last - 1)
        if low <= high and high >= draws.first:  # in the file during the period
            spans[household_id] = (low, high)
    return spans


def _adults(spans: dict[int, tuple[int, int]], draws: _Draws) -> list[_Adult]:
    """Claimants and spouses of households in the file, in a stable order, with the months a
    change of theirs may start (member then, household in the file)."""
    spouses = set(
        Membership.objects.filter(role=MemberRole.SPOUSE).values_list("household_id", flat=True)
    )
    adults = []
    for household_id, person_id, role, start, end, born in (
        Membership.objects.filter(role__in=[MemberRole.CLAIMANT, MemberRole.SPOUSE])
        .order_by("household_id", "person_id")
        .values_list(
            "household_id", "person_id", "role", "start_date", "end_date", "person__birth_date"
        )
    ):
        if household_id not in spans:
            continue
        low, high = spans[household_id]
        low = max(low, _index(start) + 1)
        if end is not None:
            high = min(high, _index(end) - 2)
        if low > high:
            continue
        young_until = (born.year + NEW_JOB_BEFORE_AGE) * 12 + born.month - 1
        alone = role == MemberRole.CLAIMANT and household_id not in spouses
        adults.append(_Adult(household_id, person_id, (low, high), alone, young_until))
    return adults
