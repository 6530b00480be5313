"""The staged engine equals OpenFisca's own computation, to the cent, household by household."""

from __future__ import annotations

from datetime import date

import pytest

from justedroit.rules.engine import compute_month, compute_month_plain
from justedroit.rules.situation import BENEFITS

# 2021 and 2022, an August (ARS) in each, a January (the quarter spans two fiscal years),
# months around the April and July 2022 revaluations, and the AAH without the spouse's income
# (10/2023).
MONTHS = [
    date(2021, 3, 1),
    date(2021, 8, 1),
    date(2022, 1, 1),
    date(2022, 5, 1),
    date(2022, 8, 1),
    date(2022, 11, 1),
    date(2023, 10, 1),
]


@pytest.fixture(scope="module", params=MONTHS, ids=lambda m: f"{m:%Y-%m}")
def both(request, sample):
    month = request.param
    staged, errors = compute_month(sample, month)
    return month, staged, errors, compute_month_plain(sample, month)


def test_staged_equals_plain_for_every_household_and_benefit(both):
    month, staged, errors, plain = both
    assert errors == []
    assert [r.household_id for r in staged] == [r.household_id for r in plain]
    mismatches = [
        f"household {s.household_id}, {benefit}, {month:%Y-%m}: "
        f"staged {s.amounts[benefit]} != plain {p.amounts[benefit]}"
        for s, p in zip(staged, plain, strict=True)
        for benefit in BENEFITS
        if s.amounts[benefit] != p.amounts[benefit]
    ]
    assert not mismatches, "\n".join(mismatches)


def test_staged_intermediates_equal_plain_ones(both):
    month, staged, _errors, plain = both
    mismatches = [
        f"household {s.household_id}, {key}, {month:%Y-%m}: "
        f"staged {value} != plain {p.intermediates[key]}"
        for s, p in zip(staged, plain, strict=True)
        for key, value in s.intermediates.items()
        if value != p.intermediates[key]
    ]
    assert not mismatches, "\n".join(mismatches)


def test_the_sample_exercises_every_benefit(sample):
    """Equivalence on zeros would prove nothing: every benefit is paid to someone."""
    paid = set()
    for month in (date(2021, 8, 1), date(2022, 1, 1)):
        for result in compute_month(sample, month, with_intermediates=False)[0]:
            paid |= {benefit for benefit, amount in result.amounts.items() if amount > 0}
    assert paid == set(BENEFITS)
