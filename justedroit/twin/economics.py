"""What the twin's people live on, where they live, and what they claimed.

Produces the bitemporal facts (valid months, recorded instant, source) and the claims, from the
population arrays. Pure numpy; amounts are floats rounded to the cent, turned into Decimal when
written.
"""

from dataclasses import dataclass, field

import numpy as np

from justedroit.twin import calibration as cal
from justedroit.twin.population import (
    CHILD,
    CLAIMANT,
    COUPLE_CHILDREN,
    COUPLE_NO_CHILD,
    FIRST_FACT_MONTH,
    FIRST_MONTH,
    LAST_MONTH,
    NO_EXIT,
    OTHER,
    RESOURCE_HISTORY_FROM,
    SINGLE,
    SINGLE_PARENT,
    SPOUSE,
    Households,
    Persons,
    date_to_month,
    month_index,
    month_to_date,
)

PROFILES = ("student", "worker", "self_employed", "unemployed", "inactive", "disabled", "retired")
STUDENT, WORKER, SELF_EMPLOYED, UNEMPLOYED, INACTIVE, DISABLED, RETIRED = range(len(PROFILES))
ACTIVITY_OF_PROFILE = np.array(
    ["student", "employed", "self_employed", "unemployed", "inactive", "inactive", "retired"]
)

# Profile probabilities by (household kind, role) — shaped on a Caf population, where the low
# paid, jobseekers and people with disabilities are over-represented (hypothèse, see README).
PROFILE_WEIGHTS = {
    (SINGLE, CLAIMANT): [0, 0.36, 0.02, 0.14, 0.16, 0.17, 0.15],
    (SINGLE_PARENT, CLAIMANT): [0.03, 0.52, 0.02, 0.15, 0.23, 0.05, 0],
    (COUPLE_NO_CHILD, CLAIMANT): [0, 0.40, 0.03, 0.12, 0.12, 0.15, 0.18],
    (COUPLE_NO_CHILD, SPOUSE): [0, 0.42, 0.02, 0.10, 0.28, 0.06, 0.12],
    (COUPLE_CHILDREN, CLAIMANT): [0, 0.70, 0.04, 0.12, 0.09, 0.05, 0],
    (COUPLE_CHILDREN, SPOUSE): [0, 0.52, 0.02, 0.10, 0.31, 0.05, 0],
    (SINGLE_PARENT, SPOUSE): [0, 0.75, 0.03, 0.12, 0.10, 0, 0],  # the one who left
}
HOUSING = np.array(
    ["tenant", "social_tenant", "homeowner_loan", "owner", "hosted_free", "homeless"]
)
HOUSING_WEIGHTS = {
    "student": [0.80, 0.05, 0, 0, 0.15, 0],
    "retired": [0.25, 0.25, 0, 0.45, 0.05, 0],
    "other": [0.36, 0.33, 0.10, 0.10, 0.10, 0.01],
}
RESOURCE_OF_PROFILE = {
    WORKER: "salary",
    SELF_EMPLOYED: "self_employment",
    UNEMPLOYED: "unemployment_benefit",
    RETIRED: "pension",
    STUDENT: "salary",
}


@dataclass
class FactColumns:
    """Facts as parallel columns: household, person (-1 for the household), kind, valid months
    [valid_from, valid_until) (-1: open), recorded instant, source, amount (nan) or code ("")."""

    parts: list = field(default_factory=list)

    def add(
        self,
        household,
        person,
        kind,
        valid_from,
        valid_until,
        recorded_at,
        source,
        amount=None,
        code=None,
    ):
        count = len(household)
        if count == 0:
            return

        def full(value, dtype):
            return np.broadcast_to(np.asarray(value, dtype=dtype), (count,)).copy()

        self.parts.append(
            (
                np.asarray(household, dtype=np.int64),
                full(person, np.int64),
                full(kind, object),
                full(valid_from, np.int64),
                full(valid_until, np.int64),
                full(recorded_at, "datetime64[s]"),
                full(source, object),
                full(np.nan if amount is None else amount, float),
                full("" if code is None else code, object),
            )
        )

    def columns(self) -> dict[str, np.ndarray]:
        names = (
            "household",
            "person",
            "kind",
            "valid_from",
            "valid_until",
            "recorded_at",
            "source",
            "amount",
            "code",
        )
        return {
            name: np.concatenate([part[i] for part in self.parts]) for i, name in enumerate(names)
        }


@dataclass
class Economy:
    facts: dict[str, np.ndarray]
    claims: dict[str, np.ndarray]
    profile: np.ndarray  # per person (-1 for children)
    eligible_rsa: np.ndarray  # per household, for the calibration report
    claimed_rsa: np.ndarray
    eligible_ppa: np.ndarray
    claimed_ppa: np.ndarray
    adjusted: int  # households whose drawn situation opened no right, adjusted


def _morning(dates: np.ndarray) -> np.ndarray:
    """Recorded instants: the given day at 08:00 UTC (09:00 or 10:00 in Paris)."""
    return dates.astype("datetime64[s]") + np.timedelta64(8 * 3600, "s")


def _lognormal(rng, median, sigma, count, low, high):
    return np.round(np.clip(rng.lognormal(np.log(median), sigma, count), low, high), 2)


def assign_profiles(rng, hh: Households, ps: Persons, students: np.ndarray) -> np.ndarray:
    profile = np.full(ps.size, -1, dtype=np.int64)
    kinds = hh.kind[ps.household]
    for (kind, role), weights in PROFILE_WEIGHTS.items():
        selected = np.flatnonzero((kinds == kind) & (ps.role == role))
        profile[selected] = rng.choice(
            len(PROFILES), len(selected), p=np.array(weights) / sum(weights)
        )
    claimant_students = (ps.role == CLAIMANT) & students[ps.household]
    profile[claimant_students] = STUDENT
    others = np.flatnonzero(ps.role == OTHER)
    young = ps.birth_date[others] > np.datetime64("1990-01-01")
    profile[others] = np.where(young, STUDENT, RETIRED)
    return profile


def economy(
    rng,
    hh: Households,
    ps: Persons,
    students: np.ndarray,
    commune_codes: np.ndarray,
    zones: np.ndarray,
) -> Economy:
    facts = FactColumns()
    profile = assign_profiles(rng, hh, ps, students)
    adults = np.flatnonzero(profile >= 0)
    a_hh = ps.household[adults]
    a_profile = profile[adults]
    start_month = np.maximum(
        date_to_month(ps.start_date[adults]) - cal.BIRTH_MONTHS_BACK, RESOURCE_HISTORY_FROM
    )
    recorded = _morning(
        np.maximum(ps.start_date[adults], month_to_date(np.array(FIRST_FACT_MONTH)))
    )
    end_month = np.minimum(hh.exit_month[a_hh], LAST_MONTH + 1)
    leaving = ~np.isnat(ps.end_date[adults])
    end_month[leaving] = np.minimum(
        end_month[leaving], date_to_month(ps.end_date[adults][leaving]) + 1
    )

    # Initial activity and income.
    income = np.zeros(len(adults))
    salaried = (a_profile == WORKER) | (a_profile == SELF_EMPLOYED)
    income[salaried] = _lognormal(rng, 1250, 0.40, int(salaried.sum()), 250, 4500)
    unemployed_paid = (a_profile == UNEMPLOYED) & (rng.random(len(adults)) < 0.65)
    income[unemployed_paid] = _lognormal(rng, 950, 0.30, int(unemployed_paid.sum()), 300, 2500)
    retired = a_profile == RETIRED
    income[retired] = _lognormal(rng, 1100, 0.35, int(retired.sum()), 300, 3000)
    working_students = (a_profile == STUDENT) & (rng.random(len(adults)) < 0.35)
    income[working_students] = np.round(rng.uniform(200, 700, int(working_students.sum())), 2)

    disabled = np.flatnonzero(a_profile == DISABLED)
    rate = np.where(rng.random(len(disabled)) < 0.8, 80, rng.choice([50, 60, 70], len(disabled)))
    status = _housing_status(rng, hh, ps, adults, a_profile)
    # Decided before any fact is written: `_claims` may lower incomes or make a household a
    # tenant so that every household has a plausible right.
    claims, eligible_rsa, claimed_rsa, eligible_ppa, claimed_ppa, adjusted = _claims(
        rng, hh, ps, a_hh, a_profile, income, disabled_rate=(disabled, rate), housing=status
    )

    facts.add(
        a_hh,
        adults,
        "activity",
        start_month,
        -1,
        recorded,
        "declaration",
        code=ACTIVITY_OF_PROFILE[a_profile],
    )
    for profile_code, kind in RESOURCE_OF_PROFILE.items():
        selected = (a_profile == profile_code) & (income > 0)
        facts.add(
            a_hh[selected],
            adults[selected],
            kind,
            start_month[selected],
            -1,
            recorded[selected],
            "declaration",
            amount=income[selected],
        )
    facts.add(
        a_hh[disabled],
        adults[disabled],
        "disability_rate",
        start_month[disabled],
        -1,
        recorded[disabled],
        "partner_exchange",
        amount=rate.astype(float),
    )

    _teenagers(rng, facts, ps)
    member_since = np.maximum(date_to_month(ps.start_date[adults]), FIRST_MONTH)
    _job_changes(rng, facts, adults, a_hh, a_profile, income, member_since, end_month)
    _pregnancies(facts, hh, ps)
    _housing_facts(rng, facts, hh, ps, status, commune_codes, zones)
    annual = np.bincount(
        a_hh, weights=np.where(a_profile == STUDENT, 0, income) * 12, minlength=hh.size
    )
    _fiscal_income(rng, facts, hh, annual)
    return Economy(
        facts.columns(),
        claims,
        profile,
        eligible_rsa,
        claimed_rsa,
        eligible_ppa,
        claimed_ppa,
        adjusted,
    )


def _job_changes(rng, facts, adults, a_hh, a_profile, income, member_since, end_month):
    """Some workers lose their job, some jobseekers find one, during 2021–2022, after they
    joined the file (so the change is recorded after their first declaration)."""
    low = member_since + 1
    high = np.minimum(end_month, LAST_MONTH) - 1  # recorded the month after, before 2023
    possible = low <= high
    change = rng.integers(low, np.maximum(high, low) + 1)
    recorded = _morning(
        month_to_date(change + 1) + rng.integers(0, 27, len(adults)).astype("timedelta64[D]")
    )

    loses = possible & (a_profile == WORKER) & (rng.random(len(adults)) < 0.10)
    facts.add(
        a_hh[loses],
        adults[loses],
        "activity",
        change[loses],
        -1,
        recorded[loses],
        "declaration",
        code="unemployed",
    )
    facts.add(
        a_hh[loses],
        adults[loses],
        "salary",
        change[loses],
        -1,
        recorded[loses],
        "declaration",
        amount=0.0,
    )
    facts.add(
        a_hh[loses],
        adults[loses],
        "unemployment_benefit",
        change[loses],
        -1,
        recorded[loses],
        "partner_exchange",
        amount=np.round(income[loses] * 0.7, 2),
    )

    finds = possible & (a_profile == UNEMPLOYED) & (rng.random(len(adults)) < 0.15)
    new_salary = _lognormal(rng, 1300, 0.35, int(finds.sum()), 400, 3500)
    facts.add(
        a_hh[finds],
        adults[finds],
        "activity",
        change[finds],
        -1,
        recorded[finds],
        "declaration",
        code="employed",
    )
    facts.add(
        a_hh[finds],
        adults[finds],
        "salary",
        change[finds],
        -1,
        recorded[finds],
        "declaration",
        amount=new_salary,
    )
    paid_before = finds & (income > 0)
    facts.add(
        a_hh[paid_before],
        adults[paid_before],
        "unemployment_benefit",
        change[paid_before],
        -1,
        recorded[paid_before],
        "partner_exchange",
        amount=0.0,
    )


def _teenagers(rng, facts, ps: Persons):
    """Children aged 16 or more during the period are at school (or apprentices, paid ~55 % of
    the minimum wage): the rights engine needs their activity."""
    teens = np.flatnonzero((ps.role == CHILD) & (ps.birth_date < np.datetime64("2007-01-01")))
    start = np.maximum(
        date_to_month(ps.start_date[teens]) - cal.BIRTH_MONTHS_BACK, FIRST_FACT_MONTH
    )
    recorded = _morning(np.maximum(ps.start_date[teens], month_to_date(np.array(FIRST_FACT_MONTH))))
    apprentice = rng.random(len(teens)) < 0.1
    households = ps.household[teens]
    facts.add(
        households,
        teens,
        "activity",
        start,
        -1,
        recorded,
        "declaration",
        code=np.where(apprentice, "apprentice", "student"),
    )
    facts.add(
        households[apprentice],
        teens[apprentice],
        "salary",
        start[apprentice],
        -1,
        recorded[apprentice],
        "declaration",
        amount=np.round(rng.uniform(650, 900, int(apprentice.sum())), 2),
    )


def _mother(hh: Households, ps: Persons) -> np.ndarray:
    """Per household, the index of its woman adult (claimant first), or -1."""
    mother = np.full(hh.size, -1, dtype=np.int64)
    for role in (SPOUSE, CLAIMANT):  # claimant last so that she wins
        women = np.flatnonzero((ps.role == role) & (ps.sex == 2))
        mother[ps.household[women]] = women
    return mother


def _pregnancies(facts, hh: Households, ps: Persons):
    """A declared pregnancy for the seven months before each birth the period sees."""
    children = np.flatnonzero(ps.role == CHILD)
    birth_month = date_to_month(ps.birth_date[children])
    born_in_period = birth_month >= FIRST_FACT_MONTH + 7
    children, birth_month = children[born_in_period], birth_month[born_in_period]
    mother = _mother(hh, ps)[ps.household[children]]
    known = mother >= 0
    children, birth_month, mother = children[known], birth_month[known], mother[known]
    households = ps.household[children]
    declared = np.maximum(
        month_to_date(birth_month - 6) + np.timedelta64(9, "D"), hh.entry_date[households]
    )
    # One pregnancy at a time: a birth closer than 9 months to the mother's previous one (twins)
    # adds no declaration.
    order = np.lexsort((birth_month, mother))
    households, mother, birth_month, declared = (
        households[order],
        mother[order],
        birth_month[order],
        declared[order],
    )
    follows = np.r_[False, (mother[1:] == mother[:-1]) & (birth_month[1:] - birth_month[:-1] < 9)]
    keep = ~follows
    facts.add(
        households[keep],
        mother[keep],
        "pregnancy",
        birth_month[keep] - 7,
        birth_month[keep],
        _morning(declared[keep]),
        "declaration",
        code="yes",
    )


def _housing_status(rng, hh: Households, ps: Persons, adults, a_profile) -> np.ndarray:
    claimant_profile = np.full(hh.size, WORKER)
    claimants = ps.role[adults] == CLAIMANT
    claimant_profile[ps.household[adults][claimants]] = a_profile[claimants]
    status = np.empty(hh.size, dtype=object)
    for group, weights in HOUSING_WEIGHTS.items():
        if group == "student":
            selected = claimant_profile == STUDENT
        elif group == "retired":
            selected = claimant_profile == RETIRED
        else:
            selected = (claimant_profile != STUDENT) & (claimant_profile != RETIRED)
        status[selected] = HOUSING[rng.choice(len(HOUSING), int(selected.sum()), p=weights)]
    return status


def _housing_facts(rng, facts, hh: Households, ps: Persons, status, commune_codes, zones):
    members = np.bincount(ps.household[np.isnat(ps.end_date)], minlength=hh.size)
    start = np.maximum(hh.entry_month - cal.BIRTH_MONTHS_BACK, FIRST_FACT_MONTH)
    recorded = _morning(np.maximum(hh.entry_date, month_to_date(np.array(FIRST_FACT_MONTH))))
    everyone = np.arange(hh.size)
    facts.add(
        everyone, -1, "housing_status", start, -1, recorded, "declaration", code=status.astype(str)
    )
    facts.add(
        everyone,
        -1,
        "housing_commune",
        start,
        -1,
        recorded,
        "declaration",
        code=commune_codes[hh.first_commune],
    )

    def rents(households, communes):
        zone2 = zones[communes] <= 2
        base = np.where(
            zone2, 330 + 110 * (members[households] - 1), 290 + 95 * (members[households] - 1)
        )
        rent = base * rng.uniform(0.85, 1.2, len(households))
        rent = np.where(status[households] == "social_tenant", rent * 0.75, rent)
        loan = status[households] == "homeowner_loan"
        rent[loan] = rng.uniform(550, 900, int(loan.sum()))
        return np.round(rent, 2)

    pays = np.flatnonzero(np.isin(status, ["tenant", "social_tenant", "homeowner_loan"]))
    facts.add(
        pays,
        -1,
        "rent",
        start[pays],
        -1,
        recorded[pays],
        "declaration",
        amount=rents(pays, hh.first_commune[pays]),
    )
    movers = np.flatnonzero(hh.move_month >= 0)
    moved = _morning(
        month_to_date(hh.move_month[movers])
        + rng.integers(0, 27, len(movers)).astype("timedelta64[D]")
    )
    facts.add(
        movers,
        -1,
        "housing_commune",
        hh.move_month[movers],
        -1,
        moved,
        "declaration",
        code=commune_codes[hh.commune[movers]],
    )
    paying_movers = np.isin(movers, pays)
    facts.add(
        movers[paying_movers],
        -1,
        "rent",
        hh.move_month[movers][paying_movers],
        -1,
        moved[paying_movers],
        "declaration",
        amount=rents(movers[paying_movers], hh.commune[movers][paying_movers]),
    )


def _fiscal_income(rng, facts, hh: Households, annual_income: np.ndarray):
    """Revenu fiscal de référence N-2, received from the tax office (DGFiP) each November."""
    for year in (2021, 2022):
        present = (hh.entry_month < month_index(year + 1, 1)) & (
            hh.exit_month > month_index(year, 1)
        )
        households = np.flatnonzero(present)
        # Taxable ≈ net income less the 10 % allowance, two years earlier (±15 %).
        rfr = np.round(annual_income[households] * 0.9 * rng.uniform(0.85, 1.15, len(households)))
        exchange = np.datetime64(f"{year - 1}-11-15")
        recorded = _morning(np.maximum(hh.entry_date[households], exchange))
        facts.add(
            households,
            -1,
            "fiscal_income_n2",
            month_index(year, 1),
            month_index(year + 1, 1),
            recorded,
            "partner_exchange",
            amount=rfr,
        )


def _claims(rng, hh: Households, ps: Persons, a_hh, a_profile, income, disabled_rate, housing):
    """Claims each household made, with non-take-up of RSA and PPA among those who look eligible."""
    n = hh.size
    entry_date = month_to_date(hh.entry_month)
    children = np.flatnonzero(ps.role == CHILD)
    c_hh = ps.household[children]
    age_at_entry = (entry_date[c_hh] - ps.birth_date[children]).astype(np.int64) / 365.25
    present = age_at_entry >= 0

    def count(mask):
        return np.bincount(c_hh[mask & present], minlength=n)

    under_20, under_3 = count(age_at_entry < 20), count(age_at_entry < 3)
    aged_3_20, aged_6_18 = (
        count((age_at_entry >= 3) & (age_at_entry < 20)),
        count((age_at_entry >= 6) & (age_at_entry < 18)),
    )
    born_later = np.full(n, NO_EXIT, dtype=np.int64)
    later = ~present
    np.minimum.at(born_later, c_hh[later], date_to_month(ps.birth_date[children][later]))

    resources = np.bincount(a_hh, weights=income, minlength=n)
    activity_income = np.bincount(
        a_hh,
        weights=np.where(
            (a_profile == WORKER) | (a_profile == SELF_EMPLOYED) | (a_profile == STUDENT), income, 0
        ),
        minlength=n,
    )
    adults = np.bincount(a_hh, minlength=n)
    persons = adults + under_20
    disabled = np.zeros(n, dtype=bool)
    idx, rate = disabled_rate
    disabled[a_hh[idx[rate >= 80]]] = True

    wants: dict[str, np.ndarray] = {
        "af": under_20 >= 2,
        "cf": (aged_3_20 >= 3) & (resources < 4500),
        "paje_base": under_3 >= 1,
        "asf": (hh.kind == SINGLE_PARENT) & (rng.random(n) < 0.35),
        "ars": (aged_6_18 >= 1) & (resources < 2000 + 500 * under_20),
        "aide_logement": np.isin(housing, ["tenant", "social_tenant", "homeowner_loan"])
        & (resources < 1500 + 550 * (persons - 1)),
        "aah": disabled,
    }
    eligible_rsa = (resources < 600 + 280 * (persons - 1)) & ~disabled
    eligible_ppa = (
        (activity_income >= 400)
        & (activity_income < 2000 + 700 * (adults - 1) + 250 * under_20)
        & ~eligible_rsa
    )
    births = (born_later < NO_EXIT) & (under_3 == 0) & (born_later < hh.exit_month)
    # The rules above leave some households without any plausible right (a composition the seed
    # imposes, incomes drawn too high). Such households would not be allocataires, so their
    # situation is adjusted: those with activity income earn a low wage (PPA), the others rent
    # (housing aid).
    adjusted = np.flatnonzero(
        ~(np.any(np.stack(list(wants.values())), axis=0) | eligible_rsa | eligible_ppa)
    )
    earning = np.isin(a_hh, adjusted) & (np.isin(a_profile, [WORKER, SELF_EMPLOYED]))
    earners = np.bincount(a_hh[earning], minlength=n)
    target = rng.uniform(900, 1800, n)
    income[earning] = np.round(target[a_hh[earning]] / earners[a_hh[earning]], 2)
    eligible_ppa[adjusted[earners[adjusted] > 0]] = True
    renting = adjusted[earners[adjusted] == 0]
    housing[renting] = "tenant"
    wants["aide_logement"][renting] = True

    # The twin holds allocataires only: an eligible household with no other right that skipped
    # RSA or PPA would not be in the file. So non-take-up is drawn among those with another right,
    # at the rate that makes it the target share of all eligible households in the file.
    other_right = np.any(np.stack(list(wants.values())), axis=0)
    for benefit, eligible, target_share in (
        ("rsa", eligible_rsa, cal.RSA_NON_TAKE_UP.value),
        ("ppa", eligible_ppa, cal.PPA_NON_TAKE_UP.value),
    ):
        with_other = eligible & other_right
        rate = min(1.0, target_share * eligible.sum() / max(with_other.sum(), 1))
        wants[benefit] = eligible & ~(with_other & (rng.random(n) < rate))

    rows = {name: [] for name in ("household", "benefit", "start_month", "end_month")}
    for benefit, mask in wants.items():
        households = np.flatnonzero(mask)
        rows["household"].append(households)
        rows["benefit"].append(np.full(len(households), benefit, dtype=object))
        rows["start_month"].append(hh.entry_month[households])
        rows["end_month"].append(hh.exit_month[households])
    # PAJE for a child born after the household entered the file.
    births = np.flatnonzero(births)
    rows["household"].append(births)
    rows["benefit"].append(np.full(len(births), "paje_base", dtype=object))
    rows["start_month"].append(born_later[births])
    rows["end_month"].append(hh.exit_month[births])
    claims = {name: np.concatenate(parts) for name, parts in rows.items()}
    return (
        claims,
        eligible_rsa,
        wants["rsa"] & eligible_rsa,
        eligible_ppa,
        wants["ppa"] & eligible_ppa,
        len(adjusted),
    )
