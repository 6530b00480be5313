"""A tiny deterministic generator of varied households for the rules tests and benchmarks."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from justedroit.rules.situation import HouseholdInput, PersonInput, add_months

# Resources are generated over this range so that any month of 2021-2023 has its full window.
FIRST_MONTH = date(2019, 6, 1)
LAST_MONTH = date(2023, 12, 1)

ADULT_ACTIVITIES = (
    ("employed", 40),
    ("unemployed", 15),
    ("inactive", 12),
    ("retired", 8),
    ("self_employed", 7),
    ("student", 5),
    ("apprentice", 3),
)
HOUSING = (
    ("tenant", 35),
    ("social_tenant", 30),
    ("owner", 12),
    ("homeowner_loan", 8),
    ("hosted_free", 12),
    ("homeless", 3),
)


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _months(first: date, last: date) -> list[date]:
    months = [first]
    while months[-1] < last:
        months.append(add_months(months[-1], 1))
    return months


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _resources(rng: random.Random, activity: str, months: list[date]) -> dict:
    """Monthly net amounts with some noise and, sometimes, a job lost or found mid-way."""
    level = {
        "employed": rng.choice([450, 700, 1000, 1250, 1500, 1800, 2300, 3200]),
        "apprentice": rng.uniform(500, 1000),
        "self_employed": rng.uniform(300, 1800),
        "unemployed": rng.choice([0, 0, 650, 900, 1300]),
        "retired": rng.uniform(650, 2200),
        "student": rng.choice([0, 0, 300]),
        "inactive": rng.choice([0, 0, 0, 150]),
    }[activity]
    kind = {
        "employed": "salary",
        "apprentice": "salary",
        "student": "salary",
        "self_employed": "self_employment",
        "unemployed": "unemployment_benefit",
        "retired": "pension",
        "inactive": "other",
    }[activity]
    change = rng.random()
    switch = rng.randrange(len(months))
    resources = {}
    for i, month in enumerate(months):
        amount = level * rng.uniform(0.9, 1.1) if level else 0
        this_kind = kind
        if activity == "employed" and change < 0.2 and i >= switch:
            this_kind, amount = "unemployment_benefit", level * 0.7  # lost the job
        elif activity == "unemployed" and change < 0.25 and i >= switch:
            this_kind, amount = "salary", rng.uniform(800, 1600)  # found one
        if amount:
            resources[(this_kind, month)] = _money(amount)
    return resources


def _birth(rng: random.Random, low: int, high: int, reference: date) -> date:
    return date(reference.year - rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28))


def sample_households(
    n: int = 60, seed: int = 20221, first: date = FIRST_MONTH, last: date = LAST_MONTH
) -> list[HouseholdInput]:
    """`n` households with resources declared from `first` to `last` (to benchmark one month M,
    give the window the engine reads: M-16..M-1)."""
    rng = random.Random(seed)
    rsa_rng = random.Random(seed + 1)  # its own draws: the rest of the sample stays as it was
    months = _months(first, last)
    reference = date(2022, 1, 1)
    households = []
    for h in range(n):
        shape = rng.choice(["single", "single", "couple", "couple", "single_parent"])
        persons = []
        claimant_activity = _pick(rng, ADULT_ACTIVITIES)
        low, high = (62, 80) if claimant_activity == "retired" else (19, 58)
        persons.append(("claimant", claimant_activity, _birth(rng, low, high, reference)))
        if shape == "couple":
            spouse_activity = _pick(rng, ADULT_ACTIVITIES)
            low, high = (62, 80) if spouse_activity == "retired" else (19, 58)
            persons.append(("spouse", spouse_activity, _birth(rng, low, high, reference)))
        n_children = 0 if shape == "single" else rng.choice([0, 1, 1, 2, 2, 3, 4])
        if shape == "single_parent":
            n_children = max(n_children, 1)
        for _ in range(n_children):
            # Born between 2001 and mid-2021: some turn 3, 6, 11, 14, 18 or 20 during 2021-22.
            birth = date(rng.randint(2001, 2021), rng.randint(1, 12), rng.randint(1, 28))
            if birth > date(2021, 1, 31):
                birth = date(2021, 1, rng.randint(1, 28))
            # Activity is known from 16 on: children turning 16 by the end of 2023 have one.
            age = LAST_MONTH.year - birth.year
            activity = None if age < 16 else rng.choice(["student", "student", "apprentice"])
            persons.append(("child", activity, birth))
        if rng.random() < 0.05:
            persons.append(("other", "retired", _birth(rng, 66, 85, reference)))

        built = []
        for i, (role, activity, birth) in enumerate(persons):
            adult = role != "child"
            disability = 0
            if adult and rng.random() < 0.12:
                disability = rng.choice([80, 80, 80, 50])
            pregnant = role in ("claimant", "spouse") and rng.random() < 0.06
            if activity is None or (role == "child" and rng.random() < 0.6):
                resources = {}
            else:
                resources = _resources(rng, activity, months)
            built.append(
                PersonInput(
                    id=f"p{i + 1}",
                    birth_date=birth,
                    family_role=role,
                    activity=activity,
                    disability_rate=disability,
                    pregnant=pregnant,
                    resources=resources,
                )
            )
        housing = _pick(rng, HOUSING)
        rent = None
        if housing in ("tenant", "social_tenant"):
            rent = _money(rng.uniform(250, 950))
        elif housing == "homeowner_loan":
            rent = _money(rng.uniform(400, 1200))
        fiscal = rng.choice([0, 0, 5000, 9000, 14000, 22000, 35000, 60000])
        claims = frozenset(b for b in ("af", "aide_logement", "rsa", "ppa") if rng.random() < 0.5)
        # Half the RSA claimants received RSA every month (housing aid then neutralises earnings).
        rsa_received = (
            {month: _money(rsa_rng.uniform(20, 600)) for month in months}
            if "rsa" in claims and rsa_rng.random() < 0.5
            else {}
        )
        households.append(
            HouseholdInput(
                id=f"{1000000 + h:07d}",
                persons=tuple(built),
                housing_status=housing,
                rent=rent,
                apl_zone=rng.choice([1, 2, 2, 3, 3, 3]),
                commune_insee=rng.choice(["86194", "86066", "75056", "13055", "86041"]),
                fiscal_income_n2=Decimal(fiscal),
                claims=claims,
                rsa_received=rsa_received,
            )
        )
    return households


# Hand-built households for legal cases.


def monthly(kind: str, amount: str, month: date, months: int = 16) -> dict:
    """The same declared amount for the `months` months before `month`."""
    return {(kind, add_months(month, -k)): Decimal(amount) for k in range(1, months + 1)}


def person(role: str = "claimant", born: date = date(1985, 5, 12), **fields) -> PersonInput:
    fields.setdefault("activity", "employed" if role in ("claimant", "spouse") else None)
    return PersonInput(id=fields.pop("id", role), birth_date=born, family_role=role, **fields)


def household(*persons: PersonInput, **fields) -> HouseholdInput:
    values = {
        "id": "1234567",
        "persons": persons,
        "housing_status": "owner",
        "rent": None,
        "apl_zone": 2,
        "commune_insee": "86194",
        "fiscal_income_n2": Decimal(0),
        "claims": frozenset(),
    }
    values.update(fields)
    return HouseholdInput(**values)
