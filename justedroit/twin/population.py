"""Who the twin's allocataires are: households, their members and when they are in the file.

Pure numpy, no database: `people(seed, scale, communes)` returns column arrays that the economics
module completes and `build` writes. Months are integer indices (year * 12 + month - 1); dates are
numpy datetime64[D]. Same seed and scale ⇒ the same arrays.
"""

from dataclasses import dataclass, field

import numpy as np

from justedroit.twin import calibration as cal

SINGLE, SINGLE_PARENT, COUPLE_NO_CHILD, COUPLE_CHILDREN = range(4)
CLAIMANT, SPOUSE, CHILD, OTHER = "claimant", "spouse", "child", "other"
REFERENCE_DATE = np.datetime64("2022-12-31")
PERIOD_YEARS = 2.0  # 2021–2022, ending on the reference date


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


FIRST_MONTH = month_index(2021, 1)
LAST_MONTH = month_index(*cal.LAST_MONTH)
FIRST_FACT_MONTH = month_index(*cal.FIRST_FACT_MONTH)
RESOURCE_HISTORY_FROM = month_index(*cal.RESOURCE_HISTORY_FROM)
NO_EXIT = 10**6  # beyond any month: the household is still in the file


def month_to_date(months: np.ndarray) -> np.ndarray:
    """Month indices → first day of the month as datetime64[D]."""
    years = months // 12
    return ((years - 1970) * 12 + months % 12).astype("datetime64[M]").astype("datetime64[D]")


def date_to_month(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[M]").astype(np.int64) + 1970 * 12


def exact_allocation(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer counts summing to `total`, proportional to `weights` (largest remainder)."""
    raw = np.asarray(weights, dtype=float) * total / np.sum(weights)
    counts = np.floor(raw).astype(np.int64)
    remainder = total - counts.sum()
    counts[np.argsort(-(raw - counts), kind="stable")[:remainder]] += 1
    return counts


def shuffled_labels(rng: np.random.Generator, total: int, weights) -> np.ndarray:
    """`total` labels 0..k-1 in exact proportions, in random order."""
    counts = exact_allocation(total, np.asarray(weights))
    return rng.permutation(np.repeat(np.arange(len(counts)), counts))


@dataclass
class Households:
    kind: np.ndarray
    entry_month: np.ndarray
    exit_month: np.ndarray  # exclusive; NO_EXIT when still in the file
    entry_date: np.ndarray
    commune: np.ndarray  # index into the communes list, where the household lives at the end
    first_commune: np.ndarray
    move_month: np.ndarray  # -1 when the household did not move
    number: np.ndarray

    @property
    def size(self) -> int:
        return len(self.kind)


@dataclass
class Persons:
    household: np.ndarray
    role: np.ndarray
    sex: np.ndarray  # 1 man, 2 woman
    birth_date: np.ndarray
    start_date: np.ndarray
    end_date: np.ndarray  # NaT when still a member
    extra: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.role)


def households(rng: np.random.Generator, scale: float, populations: np.ndarray) -> Households:
    end_2022 = round(cal.HOUSEHOLDS_END_2022.value * scale)
    end_2021 = end_2022 - round(cal.HOUSEHOLDS_GROWTH_2022.value * scale)
    end_2020 = end_2021 - round(cal.HOUSEHOLDS_GROWTH_2022.value * scale)  # same growth (hypothèse)
    exits_2021 = round(end_2020 * cal.EXIT_RATE.value)
    exits_2022 = round(end_2021 * cal.EXIT_RATE.value)
    entries_2021 = end_2021 - end_2020 + exits_2021
    entries_2022 = end_2022 - end_2021 + exits_2022

    entry = np.concatenate(
        [
            rng.integers(month_index(2008, 1), FIRST_MONTH, end_2020),
            rng.integers(FIRST_MONTH, month_index(2022, 1), entries_2021),
            rng.integers(month_index(2022, 1), LAST_MONTH + 1, entries_2022),
        ]
    )
    total = len(entry)
    exit_month = np.full(total, NO_EXIT, dtype=np.int64)
    exit_month[rng.choice(end_2020, exits_2021, replace=False)] = -2021
    in_file_end_2021 = np.flatnonzero((exit_month == NO_EXIT) & (entry < month_index(2022, 1)))
    exit_month[rng.choice(in_file_end_2021, exits_2022, replace=False)] = -2022
    for year in (2021, 2022):
        leaving = exit_month == -year
        # Leaves after its entry, within the year, before December: not in the file on 31/12.
        low = np.maximum(entry[leaving] + 1, month_index(year, 2))
        exit_month[leaving] = rng.integers(low, month_index(year, 12) + 1)

    kind = np.empty(total, dtype=np.int8)
    shares = list(cal.composition_shares().values())
    stays = exit_month == NO_EXIT  # exact proportions among those the indicators count
    kind[stays] = shuffled_labels(rng, int(stays.sum()), shares)
    kind[~stays] = shuffled_labels(rng, int((~stays).sum()), shares)

    first_commune = shuffled_labels(rng, total, populations)
    commune = first_commune.copy()
    last_possible = np.minimum(exit_month, LAST_MONTH) - 1
    moves = (rng.random(total) < 0.08) & (np.maximum(entry, FIRST_MONTH) + 1 <= last_possible)
    move_month = np.full(total, -1, dtype=np.int64)
    move_month[moves] = rng.integers(
        np.maximum(entry[moves], FIRST_MONTH) + 1, last_possible[moves] + 1
    )
    commune[moves] = rng.choice(
        len(populations), int(moves.sum()), p=populations / populations.sum()
    )

    entry_date = month_to_date(entry) + rng.integers(0, 28, total).astype("timedelta64[D]")
    number = rng.choice(9_000_000, total, replace=False) + 1_000_000
    return Households(
        kind, entry, exit_month, entry_date, commune, first_commune, move_month, number
    )


def _ages_at_reference(rng, count, low, high):
    return rng.integers(low, high + 1, count)


def birth_dates(rng: np.random.Generator, ages: np.ndarray) -> np.ndarray:
    """Birth dates giving `ages` (in whole years) on the reference date."""
    days = (ages * 365.25 + rng.integers(0, 365, len(ages))).astype("timedelta64[D]")
    return REFERENCE_DATE - days


def persons(rng: np.random.Generator, hh: Households, students: np.ndarray) -> Persons:
    """Members of every household: claimant, spouse, children, other dependants.

    `students` flags single households whose claimant is a student (aged 18–26)."""
    n = hh.size
    kind = hh.kind
    claimant_age = np.select(
        [students, kind == SINGLE, kind == SINGLE_PARENT, kind == COUPLE_NO_CHILD],
        [
            rng.integers(18, 27, n),
            rng.integers(22, 86, n),
            rng.integers(20, 56, n),
            rng.integers(20, 76, n),
        ],
        rng.integers(22, 56, n),
    )
    couples = (kind == COUPLE_NO_CHILD) | (kind == COUPLE_CHILDREN)
    parents = (kind == SINGLE_PARENT) | (kind == COUPLE_CHILDREN)
    claimant_sex = np.where(
        kind == SINGLE_PARENT, np.where(rng.random(n) < 0.85, 2, 1), rng.integers(1, 3, n)
    )

    children_per = np.zeros(n, dtype=np.int64)
    with_children = np.flatnonzero(parents)
    sizes = np.array(list(cal.CHILDREN_DISTRIBUTION))
    children_per[with_children] = sizes[
        shuffled_labels(rng, len(with_children), list(cal.CHILDREN_DISTRIBUTION.values()))
    ]
    others_per = (rng.random(n) < cal.OTHER_MEMBER_SHARE).astype(np.int64)

    # Claimants.
    hh_index = [np.arange(n)]
    role = [np.full(n, CLAIMANT)]
    sex = [claimant_sex]
    birth = [birth_dates(rng, claimant_age)]
    start = [hh.entry_date]
    end = [np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")]

    # Spouses: present at the end, some arrived during 2021–2022; single parents separated
    # during the period had one until the separation.
    spouse_hh = np.flatnonzero(couples)
    arrived = spouse_hh[rng.random(len(spouse_hh)) < 0.05]
    separated = np.flatnonzero((kind == SINGLE_PARENT) & (rng.random(n) < 0.12))
    all_spouses = np.concatenate([spouse_hh, separated])
    m = len(all_spouses)
    spouse_start = hh.entry_date[all_spouses].copy()
    spouse_end = np.full(m, np.datetime64("NaT"), dtype="datetime64[D]")
    change_low = np.maximum(hh.entry_month[all_spouses], FIRST_MONTH) + 1
    change_high = np.minimum(hh.exit_month[all_spouses], LAST_MONTH)
    can_change = change_low < change_high
    change = month_to_date(rng.integers(change_low, np.maximum(change_high, change_low + 1)))
    change += rng.integers(0, 28, m).astype("timedelta64[D]")
    is_arrival = np.isin(all_spouses, arrived) & can_change
    is_separation = np.isin(all_spouses, separated) & can_change
    spouse_start[is_arrival] = change[is_arrival]
    spouse_end[is_separation] = change[is_separation]
    keep = ~np.isin(all_spouses, separated) | is_separation
    all_spouses, spouse_start, spouse_end = all_spouses[keep], spouse_start[keep], spouse_end[keep]
    spouse_age = np.clip(claimant_age[all_spouses] + rng.integers(-5, 6, len(all_spouses)), 18, 90)
    hh_index.append(all_spouses)
    role.append(np.full(len(all_spouses), SPOUSE))
    sex.append(3 - claimant_sex[all_spouses])
    birth.append(birth_dates(rng, spouse_age))
    start.append(spouse_start)
    end.append(spouse_end)

    # Children, aged 0–19 on the reference date, at least 18 years younger than the claimant,
    # the oldest first and the next ones 1.2 to 4 years apart.
    child_hh = np.repeat(np.arange(n), children_per)
    counts = children_per[children_per > 0]
    first = np.cumsum(counts) - counts  # position of each family's oldest child
    gaps = rng.uniform(1.2, 4.0, len(child_hh))
    gaps[first] = 0
    cumulative = np.cumsum(gaps)
    offset = cumulative - np.repeat(cumulative[first], counts)  # years after the oldest
    max_age = np.clip(claimant_age[child_hh[first]] - 18, 0, 19.9)
    span = offset[first + counts - 1]
    oldest = np.maximum(rng.random(len(counts)) * max_age, np.minimum(span, max_age))
    child_age = np.repeat(oldest, counts) - offset
    # A child the gaps put after the reference date is born during 2021–2022 instead, uniformly
    # (its own draws, the population's stream unchanged). Clipped to that date, half the period's
    # births fell on 31/12/2022: the file gained them after the period, while the grown-up
    # children matched to them (below) left month by month, and AF fell from 2021 to 2022.
    unborn = child_age <= 0
    child_age[unborn] = rng.spawn(1)[0].uniform(0, PERIOD_YEARS, int(unborn.sum()))
    child_birth = np.minimum(
        REFERENCE_DATE - (child_age * 365.25).astype("timedelta64[D]"), REFERENCE_DATE
    )
    hh_index.append(child_hh)
    role.append(np.full(len(child_hh), CHILD))
    sex.append(rng.integers(1, 3, len(child_hh)))
    birth.append(child_birth)
    start.append(np.maximum(hh.entry_date[child_hh], child_birth))
    end.append(np.full(len(child_hh), np.datetime64("NaT"), dtype="datetime64[D]"))

    # Grown-up children who left during 2021–2022, as many as the births of the period, so that
    # the number of persons covered stays about stable from one year to the next.
    births = int((child_birth >= np.datetime64("2021-01-01")).sum())
    older_parents = np.flatnonzero(
        parents
        & (claimant_age >= 40)
        & (hh.entry_month < month_index(2021, 1))
        & (hh.exit_month > FIRST_MONTH + 2)
    )
    left_hh = np.sort(rng.choice(older_parents, min(births, len(older_parents)), replace=False))
    left_on = month_to_date(
        rng.integers(FIRST_MONTH + 1, np.minimum(hh.exit_month[left_hh], LAST_MONTH + 1))
    )
    hh_index.append(left_hh)
    role.append(np.full(len(left_hh), CHILD))
    sex.append(rng.integers(1, 3, len(left_hh)))
    birth.append(left_on - (rng.uniform(20, 21, len(left_hh)) * 365.25).astype("timedelta64[D]"))
    start.append(hh.entry_date[left_hh])
    end.append(left_on)

    # Other dependants (an adult child or a grandparent).
    other_hh = np.repeat(np.arange(n), others_per)
    other_age = np.where(
        rng.random(len(other_hh)) < 0.6,
        rng.integers(20, 25, len(other_hh)),
        rng.integers(65, 90, len(other_hh)),
    )
    hh_index.append(other_hh)
    role.append(np.full(len(other_hh), OTHER))
    sex.append(rng.integers(1, 3, len(other_hh)))
    birth.append(birth_dates(rng, other_age))
    start.append(hh.entry_date[other_hh])
    end.append(np.full(len(other_hh), np.datetime64("NaT"), dtype="datetime64[D]"))

    household = np.concatenate(hh_index)
    order = np.argsort(household, kind="stable")  # members grouped by household
    return Persons(
        household=household[order],
        role=np.concatenate(role)[order],
        sex=np.concatenate(sex)[order],
        birth_date=np.concatenate(birth)[order],
        start_date=np.concatenate(start)[order],
        end_date=np.concatenate(end)[order],
    )
